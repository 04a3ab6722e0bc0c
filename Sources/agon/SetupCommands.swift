import AgonReport
import AgonTournament
import ArgumentParser
import Foundation

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a starter agon.yml and specs/example.md, and keep the worktree root out of git.")

    @Option(name: .customLong("repo"), help: "The repository (default: the one containing the current directory).")
    var repository: String?

    func run() throws {
        let result = try Initializer.initialize(at: repository ?? FileManager.default.currentDirectoryPath)
        emit(InitPresenter.output(result), json: false)
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check specs and agon.yml and print the resolved plan (base commit, lineup, budgets).")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: "Spec files (Markdown with optional YAML front matter).") var specs: [String]
    @Option(help: "Comma-separated agent ids to run instead of the spec's or config's lineup.") var agents: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let result = Planner(workspace: try repo.workspace()).validate(specPaths: specs, agentFilter: agents.map(splitList))
        try finish(result, json: json, present: PlanPresenter.output)
    }
}

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the price table in use and each configured agent's resolved budget.")

    @OptionGroup var repo: RepositoryOptions
    @Option(help: "Only models whose id contains this text (default: the configured ones and the built-in table).") var filter: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        emit(ModelsPresenter.output(try PriceReport.make(workspace: try repo.workspace(), filter: filter)), json: json)
    }
}

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove Agon's worktrees and branches (records stay unless --purge).")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: ArgumentHelp("The run to clean (id, unique prefix or 'latest').", valueName: "run")) var runRef: String?
    @Flag(help: "Clean every run.") var all = false
    @Flag(help: "Also delete the runs' records and artifacts.") var purge = false
    @Flag(help: "Also delete the worktrees kept for reuse (alone: only those).") var pool = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if runRef == nil && !all && !pool { throw ValidationError("name a run, or pass --all or --pool") }
        if purge && runRef == nil && !all { throw ValidationError("--purge needs a run or --all") }
        if runRef != nil && all { throw ValidationError("name a run or pass --all, not both") }
    }

    func run() throws {
        emit(CleanPresenter.output(try Cleaner(workspace: try repo.workspace()).clean(run: all ? nil : runRef, purge: purge, pool: pool,
                                                                              runs: all || runRef != nil)), json: json)
    }
}

func splitList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
