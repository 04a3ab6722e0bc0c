import AgonLeaderboard
import AgonReport
import AgonTournament
import ArgumentParser
import Foundation

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List recorded runs, newest first.")

    @OptionGroup var repo: RepositoryOptions
    @Option(help: "Show at most this many runs.") var limit: Int = 50
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let workspace = try repo.workspace()
        emit(RunPresenter.list(try RunQueries(workspace: workspace).list(limit: limit), layout: workspace.layout), json: json)
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one run: candidates, costs, checks, reviews and consensus.", aliases: ["status"])

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: ArgumentHelp("The run (id, unique prefix or 'latest').", valueName: "run")) var runRef: String = "latest"
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let workspace = try repo.workspace()
        emit(RunPresenter.run(try RunQueries(workspace: workspace).show(runID: runRef), layout: workspace.layout), json: json)
    }
}

struct Shortlist: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The top passing candidates of a run, plus any on its cost-vs-consensus Pareto frontier.")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: ArgumentHelp("The run (id, unique prefix or 'latest').", valueName: "run")) var runRef: String = "latest"
    @Option(name: .short, help: "How many top candidates.") var k: Int = 3
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        emit(ShortlistPresenter.output(try RunQueries(workspace: try repo.workspace()).shortlist(runID: runRef, k: k)), json: json)
    }
}

struct Leaderboard: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rate agents across runs: Plackett-Luce rating with bootstrap intervals, cost, speed, success.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @OptionGroup var repo: RepositoryOptions
    @Option(help: "Only runs created on or after this date (YYYY-MM-DD).") var since: String?
    @Option(help: "Only runs whose spec path matches this glob.") var spec: String?
    @Option(help: "table, json or csv.") var format: Format = .table
    @Flag(help: "Print JSON (same as --format json).") var json = false
    @Option(help: "Bootstrap replicates.") var bootstrap: Int = 1000
    @Option(help: "Bootstrap seed.") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("One row per agent id (default), per harness+model, or per harness.", valueName: "agent|model|harness"))
    var by: String = LeaderboardGrouping.agent.rawValue
    @Option(help: "k of the 'success within k follow-ups' column (default 1).") var followups: Int = 1

    func run() throws {
        let grouping: LeaderboardGrouping
        do {
            grouping = try LeaderboardGrouping.parse(by)
        } catch let error as UnknownLeaderboardGrouping {
            throw FlagError("--by", error)
        }
        var query = LeaderboardQuery(since: since, specGlob: spec, replicates: bootstrap, seed: seed, grouping: grouping)
        query.followUps = followups
        let result: LeaderboardResult
        do {
            result = try LeaderboardBuilder(workspace: try repo.workspace()).compute(query)
        } catch let error as LeaderboardQueryError {
            switch error {
            case .negativeReplicates: throw FlagError("--bootstrap", error)
            case .negativeFollowUps: throw FlagError("--followups", error)
            case .invalidDay: throw FlagError("--since", error)
            }
        }
        let board = LeaderboardPresenter.render(result, query: query)
        switch json ? .json : format {
        case .table: print(board.text, terminator: "")
        case .json: print(board.json, terminator: "")
        case .csv: print(board.csv, terminator: "")
        }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained HTML report of a run or of the leaderboard.")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: ArgumentHelp("The run (id, unique prefix or 'latest').", valueName: "run")) var runRef: String?
    @Flag(help: "Report the leaderboard instead of one run.") var leaderboard = false
    @Option(name: .shortAndLong, help: "Output file (default: .agon/reports/<name>.html).") var output: String?

    func validate() throws {
        if runRef == nil && !leaderboard { throw ValidationError("name a run, or pass --leaderboard") }
    }

    func run() throws {
        let path: String
        do {
            path = try ReportWriter(workspace: try repo.workspace()).write(runID: runRef, leaderboard: leaderboard, output: output)
        } catch let error as ReportOutputError {
            throw FlagError(message: "-o \(error.path): \(error.reason)")
        }
        print(path)
    }
}
