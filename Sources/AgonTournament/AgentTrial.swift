import AgonAgents
import AgonCore
import AgonGit
import AgonStore
import Foundation

/// `agon try AGENT SPEC`: one configured agent on one spec in a scratch worktree — how a user
/// checks an agent works (binary, auth, output format, budget) before a tournament.
public struct AgentTrial {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// What a trial produced (`agon try --json` encodes the coded keys).
    public struct Result: Codable {
        public var trialID: String
        public var spec: String
        public var baseSHA: String
        public var candidate: CandidateRecord
        public var tokensPerSec: Double?
        public var artifacts: String
        public var kept: Bool
        /// The kept worktree and its branch (nil when removed).
        public var worktree: (path: String, branch: String)?
        enum CodingKeys: String, CodingKey {
            case trialID = "trial_id", spec, baseSHA = "base_sha", candidate, tokensPerSec = "tokens_per_sec", artifacts, kept
        }
    }

    public func run(agentID: String, specPath: String, keep: Bool, progress: ProgressSink = SilentProgress()) throws -> CommandResult<Result> {
        let (spec, plan) = try Planner(workspace: workspace).plan(specPath: specPath, agentFilter: [agentID], verifierFilter: [])
        let agent = plan.agents[0]
        // A trial measures the agent itself: never a cached result.
        let tournament = Tournament(workspace: workspace, options: TournamentOptions(review: false, useCache: false))
        try tournament.preflight([plan])
        // A trial id has the run-id shape, so `agon clean` recognises its leftovers.
        let trialID = RunID.generate().rawValue
        // Like a run, a trial in progress holds a lease so `agon clean --all` leaves it alone.
        let lease = try RunLease.acquire(workspace.layout, runID: trialID)
        defer { lease.release() }
        let worktrees = WorktreeSet(workspace: workspace, runID: trialID, base: ObjectID(hex: plan.baseSHA)!)
        try worktrees.create(agents: [agent.id])
        // Artifacts use a run's layout but the trial is not recorded as a run.
        let artifacts = workspace.layout.runDirectory(trialID)
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)

        let interrupts = InterruptTrap(stopSignal: tournament.stopSignal)
        defer {
            interrupts.release()
            if !keep {
                try? worktrees.release(agent.id)   // back to the pool, like a cleaned run's
                try? FileManager.default.removeItem(atPath: worktrees.directory)
            }
        }
        let board = ProgressBoard(agents: [agent], sink: progress)
        var candidate = tournament.runCandidate(agent, spec: spec, plan: plan, runID: trialID, worktrees: worktrees,
                                                board: board)
        board.close()
        candidate.worktree = keep ? candidate.worktree : "(removed)"
        let result = Result(trialID: trialID, spec: plan.spec, baseSHA: plan.baseSHA, candidate: candidate,
                            tokensPerSec: candidate.tokensPerSec, artifacts: workspace.relative(artifacts.path), kept: keep,
                            worktree: keep ? (worktrees.path(for: agent.id), worktrees.branch(for: agent.id)) : nil)
        let ok = candidate.outcome == .ok || candidate.outcome == .noChanges
        return CommandResult(result, exitCode: ok ? 0 : 1)
    }
}
