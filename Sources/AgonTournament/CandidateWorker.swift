import AgonAgents
import AgonCore
import AgonGit
import AgonStore
import Foundation

/// `agon worker --job RUN:INDEX`: one candidate of a run whose candidates are cluster jobs, on
/// whichever machine the engine picked. It claims the job's current attempt in the store (so a
/// duplicate or late worker does nothing), checks the candidate out in a fresh worktree and runs
/// it exactly as `agon run` does in-process (`Tournament.runCandidate`: sandbox, budget,
/// snapshot, checks), then writes the record only while it still holds the attempt.
public struct CandidateWorker {
    public let workspace: Workspace
    /// This machine's name, as the record keeps it.
    public var host: String
    /// `executor.repository`'s URL when the workspace is this machine's copy of it (`--remote`):
    /// a missing base commit is fetched from there. Nil = the workspace is the run's repository.
    public var remote: String?

    public init(workspace: Workspace, host: String = ProcessInfo.processInfo.hostName, remote: String? = nil) {
        self.workspace = workspace
        self.host = host
        self.remote = remote
    }

    /// What a worker did.
    public struct Result: Codable, Equatable {
        public enum Action: String, Codable { case recorded, discarded, alreadyDone = "already_done", heldElsewhere = "held_elsewhere", interrupted }
        public var runID: String
        public var index: Int
        public var agent: String
        public var action: Action
        public var attempt: Int?
        public var outcome: Outcome?
        enum CodingKeys: String, CodingKey { case runID = "run_id", index, agent, action, attempt, outcome }
    }

    /// Parses `RUN:INDEX`.
    public static func parseJobID(_ text: String) throws -> (runID: String, index: Int) {
        guard let colon = text.lastIndex(of: ":"), let index = Int(text[text.index(after: colon)...]), index >= 0,
              RunID(String(text[..<colon])) != nil else {
            throw WorkerError.badJobID(text)
        }
        return (String(text[..<colon]), index)
    }

    /// Runs job `jobID`. Exit 0 when the job needs nothing more from this worker (recorded, or
    /// another worker's); 1 when it could not finish (the coordinator retries or marks it crashed).
    public func run(jobID: String, useCache: Bool = true, progress: ProgressSink = SilentProgress()) throws -> CommandResult<Result> {
        let (runID, index) = try Self.parseJobID(jobID)
        let store = try workspace.store()
        guard let record = try store.run(runID) else { throw RunLookupError.notFound(reference: runID) }
        guard index < record.agentsPlanned.count else { throw StoreError.jobNotFound(runID: runID, index: index) }
        let agentID = record.agentsPlanned[index]

        // The plan is the run's own: its spec copy, its base commit, this one agent.
        let specCopy = workspace.layout.spec(runID).path
        let spec = try Spec.load(path: specCopy, displayName: record.specPath)
        var planner = Planner(workspace: workspace)
        if let remote, let base = ObjectID(hex: record.baseSHA) {
            try RemoteRepository.ensureCommit(base, runID: runID, in: workspace, from: remote)
            // Holdout scripts are not in git: a copy of the remote has them only where someone put them.
            let holdout = workspace.layout.holdoutDirectory.path
            if !spec.holdout.isEmpty && !FileManager.default.fileExists(atPath: holdout) {
                throw WorkerError.noHoldoutScripts(runID: runID, directory: holdout)
            }
            planner.fixedBase = base
        }
        var (_, plan) = try planner.plan(specPath: specCopy, agentFilter: [agentID], verifierFilter: [])
        plan.spec = record.specPath
        plan.baseSHA = record.baseSHA
        plan.baseRef = record.baseRef
        let agent = plan.agents[0]
        guard let base = ObjectID(hex: record.baseSHA), (try? workspace.repository().resolveCommit(record.baseSHA)) != nil else {
            throw WorkerError.missingBase(runID: runID, sha: record.baseSHA, repository: workspace.root)
        }

        let tournament = Tournament(workspace: workspace, options: TournamentOptions(review: false, progress: progress, useCache: useCache))
        tournament.writesRunningCandidate = false   // the claim writes it, under the attempt's token
        let worktree = tournament.workspace.worktreeRoot + "/" + runID + "/" + agent.id
        let claim = try store.claimJob(runID: runID, index: index, host: host) { attempt in
            var running = CandidateRecord(agent: agent.id, harness: agent.harness, model: agent.model, state: .running,
                                          costSource: agent.price == nil ? .unpriced : .computed,
                                          budgetUSD: agent.budget.isTallyOnly ? nil : agent.budget.maxCostUSD,
                                          worktree: recordedWorktree(worktree),
                                          branch: RunID(runID)!.branchName(agent: agent.id))
            running.workerHost = host
            running.attempt = attempt
            return running
        }
        let token: String, attempt: Int
        switch claim {
        case .alreadyDone:
            progress.note("job \(jobID) (\(agentID)) is already recorded: nothing to do")
            return CommandResult(Result(runID: runID, index: index, agent: agentID, action: .alreadyDone), exitCode: 0)
        case let .heldBy(other, heldAttempt):
            progress.note("job \(jobID) (\(agentID)) attempt \(heldAttempt) is held by \(other ?? "another worker"): nothing to do")
            return CommandResult(Result(runID: runID, index: index, agent: agentID, action: .heldElsewhere, attempt: heldAttempt),
                                 exitCode: 0)
        case let .claimed(claimToken, claimedAttempt):
            token = claimToken
            attempt = claimedAttempt
        }
        progress.note("job \(jobID): \(agentID), attempt \(attempt), on \(host)")

        let interrupts = InterruptTrap(stopSignal: tournament.stopSignal)
        defer { interrupts.release() }
        let worktrees = WorktreeSet(workspace: workspace, runID: runID, base: base)
        try worktrees.create(agents: [agent.id])
        let board = ProgressBoard(agents: [agent], sink: progress)
        var candidate = tournament.runCandidate(agent, spec: spec, plan: plan, runID: runID, worktrees: worktrees, board: board)
        board.close()
        candidate.workerHost = host
        candidate.attempt = attempt
        candidate.worktree = recordedWorktree(worktree)
        if tournament.stopSignal.isStopped {
            // Cancelled (scancel sends SIGTERM): the coordinator decides what becomes of the job.
            return CommandResult(Result(runID: runID, index: index, agent: agentID, action: .interrupted, attempt: attempt,
                                        outcome: candidate.outcome), exitCode: 130)
        }
        let recorded = try store.finishJob(runID: runID, index: index, token: token, candidate)
        if !recorded {
            progress.note("job \(jobID): attempt \(attempt) was given up or retried meanwhile; this result is discarded")
        }
        return CommandResult(Result(runID: runID, index: index, agent: agentID, action: recorded ? .recorded : .discarded,
                                    attempt: attempt, outcome: candidate.outcome), exitCode: 0)
    }

    /// The worktree as the record names it: relative to the run's repository, or absolute (on
    /// `workerHost`) when it lies in this machine's copy of a remote.
    func recordedWorktree(_ path: String) -> String {
        remote == nil ? workspace.relative(path) : path
    }
}

/// `agon worker` cannot start its job.
public enum WorkerError: HintedFailure, Equatable {
    case badJobID(String)
    /// The run's base commit is not in the repository this worker sees.
    case missingBase(runID: String, sha: String, repository: String)
    /// `--remote`: the base commit could not be fetched.
    case fetchFailed(runID: String, sha: String, remote: String, detail: String)
    /// `--remote`: the worker's copy of the remote could not be made or opened.
    case cacheUnusable(path: String, detail: String)
    /// `--remote`: the spec has holdout checks but this machine's copy has no holdout scripts.
    case noHoldoutScripts(runID: String, directory: String)
    /// `--remote` without `--config`, or with `--repo`.
    case remoteNeedsConfig

    public var exitCode: Int32 {
        switch self {
        case .badJobID, .remoteNeedsConfig: return 2
        case .missingBase, .fetchFailed, .cacheUnusable, .noHoldoutScripts: return 1
        }
    }

    public var headline: String {
        switch self {
        case .badJobID(let text): return "--job \"\(text)\" is not RUN:INDEX (a run id, a colon, a candidate index)"
        case let .missingBase(runID, sha, repository): return "run \(runID)'s base commit \(sha.prefix(12)) is not in \(repository)"
        case let .fetchFailed(runID, sha, remote, detail):
            return "cannot fetch run \(runID)'s base commit \(sha.prefix(12)) from \(remote): \(detail)"
        case let .cacheUnusable(path, detail): return "cannot use the worker's copy of the repository at \(path): \(detail)"
        case let .noHoldoutScripts(runID, directory):
            return "run \(runID)'s spec has holdout checks but \(directory) does not exist on this machine"
        case .remoteNeedsConfig: return "--remote needs --config (the run's agon.yml copy) and no --repo"
        }
    }

    public var hint: String? {
        switch self {
        case .badJobID: return "the coordinator passes it; run `agon run --executor …` rather than starting workers by hand"
        case .missingBase: return "give every node the repository on a shared path (--repo), or set executor.repository in agon.yml to a git URL the nodes can fetch from"
        case .fetchFailed:
            return "push the base commit to executor.repository; a git://, ssh or http server must allow fetching by SHA (uploadpack.allowAnySHA1InWant or allowReachableSHA1InWant)"
        case .cacheUnusable: return "set executor.worker_cache in agon.yml to a writable directory on the worker machines, or delete the broken copy"
        case .noHoldoutScripts: return "copy the holdout scripts (they are not in git) to that directory on every worker machine"
        case .remoteNeedsConfig: return "the coordinator passes both when agon.yml sets executor.repository; run `agon run --executor …` rather than starting workers by hand"
        }
    }
}
