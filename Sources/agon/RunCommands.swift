import AgonAgents
import AgonCore
import AgonExecutors
import AgonReport
import AgonTournament
import ArgumentParser
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a tournament: one worktree per agent, agents under budgets, checks, review, consensus.")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: "Spec files; several specs are several runs.") var specs: [String] = []
    @Option(help: "Comma-separated agent ids (default: the spec's `agents`, else every configured agent).") var agents: String?
    @Option(help: "Run at most this many agents at once (default: defaults.parallel, else 4).") var parallel: Int?
    @Option(help: "Finish an interrupted or killed run: keep its finished candidates, redo the rest.") var resume: String?
    @Flag(help: "Skip the review even when verifiers are configured.") var noReview = false
    @Flag(help: "Run every agent even when an earlier run of the same spec, base, agent entry and budget finished cleanly (no cache reuse).")
    var noCache = false
    @Flag(help: "Print the finished run(s) as JSON on stdout (progress still goes to stderr).") var json = false
    @Option(help: "Where candidates run: local (this machine, the default), slurm or kubernetes (one job each; default: agon.yml's executor.kind).")
    var executor: ExecutorKind?

    func validate() throws {
        if resume == nil && specs.isEmpty { throw ValidationError("name at least one spec, or --resume RUN") }
        if resume != nil && !specs.isEmpty { throw ValidationError("--resume takes no specs") }
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1") }
    }

    func run() throws {
        var options = TournamentOptions(agentFilter: agents.map(splitList), parallel: parallel, review: !noReview,
                                        progress: TerminalProgress.standardError(), useCache: !noCache)
        options.executor = executor
        let workspace = try repo.workspace()
        let tournament = Tournament(workspace: workspace, options: options)
        let result: CommandResult<[RunRecord]>
        do {
            result = try resume.map { try tournament.resume(runID: $0) } ?? tournament.run(specPaths: specs)
        } catch {
            LeftoverProcesses.killOrphans()
            throw error
        }
        // Agon is a child subreaper: whatever an unsandboxed agent or check orphaned is its child now.
        LeftoverProcesses.killOrphans()
        try finish(result, json: json) { RunPresenter.runs($0, layout: workspace.layout) }
    }
}

struct Try: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one configured agent on one spec in a scratch worktree and print its metrics.")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: "The agent id from agon.yml.") var agent: String
    @Argument(help: "The spec file.") var spec: String
    @Flag(help: "Keep the scratch worktree and branch for inspection.") var keep = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let result = try AgentTrial(workspace: try repo.workspace())
            .run(agentID: agent, specPath: spec, keep: keep, progress: TerminalProgress.standardError())
        try finish(result, json: json, present: TrialPresenter.output)
    }
}

struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add or redo blinded reviews on a run and recompute its consensus.")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: ArgumentHelp("The run (id, unique prefix or 'latest').", valueName: "run")) var runRef: String
    @Option(help: "Comma-separated verifier ids (default: defaults.verifiers, else every configured verifier).") var verifiers: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let workspace = try repo.workspace()
        let result = try ReviewStage(workspace: workspace, progress: TerminalProgress.standardError())
            .review(runID: runRef, verifierFilter: verifiers.map(splitList))
        try finish(result, json: json) { RunPresenter.run($0, layout: workspace.layout) }
    }
}

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a candidate's patch to the main work tree and record the pick.")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: ArgumentHelp("The run (id, unique prefix or 'latest').", valueName: "run")) var runRef: String
    @Argument(help: "The candidate's agent id.") var candidate: String
    @Flag(help: "Commit the result with the spec's title.") var commit = false
    @Flag(help: "Apply even though HEAD moved from the run's base (3-way).") var ontoCurrent = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        emit(ApplyPresenter.output(try CandidateApplier(workspace: try repo.workspace())
            .apply(runID: runRef, agentID: candidate, commit: commit, ontoCurrent: ontoCurrent)), json: json)
    }
}

struct Followup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followup",
        abstract: "Send a follow-up to a candidate of a finished run: a new attempt in its own worktree and budget.")

    @OptionGroup var repo: RepositoryOptions
    @Argument(help: ArgumentHelp("The run (id, unique prefix or 'latest').", valueName: "run")) var runRef: String
    @Argument(help: "The candidate's agent id (omit with --all-near-misses).") var agent: String?
    @Argument(help: "The follow-up message (or --file).") var message: String?
    @Option(help: "Read the message from this file.") var file: String?
    @Option(help: "Cap for this attempt in USD (default: what is left of the candidate's cap).") var budget: Double?
    @Flag(help: "Send the message to every candidate that failed acceptance but left a diff.") var allNearMisses = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        // With --all-near-misses the second positional is the message.
        let given = allNearMisses ? [agent, message].compactMap { $0 } : [message].compactMap { $0 }
        if !allNearMisses && agent == nil { throw ValidationError("name the candidate's agent, or pass --all-near-misses") }
        if allNearMisses && message != nil { throw ValidationError("--all-near-misses takes no agent: give only the run and the message") }
        if file != nil && !given.isEmpty { throw ValidationError("give the message as an argument or with --file, not both") }
        if file == nil && given.isEmpty { throw ValidationError("missing the follow-up message (an argument or --file)") }
    }

    func run() throws {
        let workspace = try repo.workspace()
        let text: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read --file \(file)") }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = (allNearMisses ? agent : message) ?? ""
        }
        let options = TournamentOptions(review: false, progress: TerminalProgress.standardError())
        let result = try FollowUp(workspace: workspace, options: options)
            .run(runID: runRef, target: allNearMisses ? .allNearMisses : .agent(agent ?? ""), message: text, budgetUSD: budget)
        try finish(result, json: json) { FollowUpPresenter.output($0) }
    }
}
