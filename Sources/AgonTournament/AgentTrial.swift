import AgonAgents
import AgonCore
import AgonGit
import AgonReport
import AgonStore
import Foundation

/// `agon try AGENT SPEC`: one configured agent on one spec in a scratch worktree — how a user
/// checks an agent works (binary, auth, output format, budget) before a tournament.
public struct AgentTrial {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    struct Body: Codable {
        var trialID: String
        var spec: String
        var baseSHA: String
        var candidate: CandidateRecord
        var tokensPerSec: Double?
        var artifacts: String
        var kept: Bool
        enum CodingKeys: String, CodingKey {
            case trialID = "trial_id", spec, baseSHA = "base_sha", candidate, tokensPerSec = "tokens_per_sec", artifacts, kept
        }
    }

    public func run(agentID: String, specPath: String, keep: Bool) throws -> CommandOutcome {
        let (spec, plan) = try Planner(workspace: workspace).plan(specPath: specPath, agentFilter: [agentID], verifierFilter: [])
        let agent = plan.agents[0]
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

        let tournament = Tournament(workspace: workspace, options: TournamentOptions(review: false))
        let interrupts = InterruptTrap(stopSignal: tournament.stopSignal)
        defer {
            interrupts.release()
            if !keep {
                try? worktrees.discard(agent.id)
                try? FileManager.default.removeItem(atPath: worktrees.directory)
            }
        }
        let board = ProgressBoard(agents: [agent], sink: TerminalProgress.standardError())
        var candidate = tournament.runCandidate(agent, spec: spec, plan: plan, runID: trialID, worktrees: worktrees,
                                                board: board)
        board.close()
        candidate.worktree = keep ? candidate.worktree : "(removed)"
        let body = Body(trialID: trialID, spec: plan.spec, baseSHA: plan.baseSHA, candidate: candidate,
                        tokensPerSec: candidate.tokensPerSec, artifacts: workspace.relative(artifacts.path), kept: keep)
        var text = "agent \(agent.id) (\(agent.harness.rawValue)\(agent.model.map { " \($0)" } ?? "")) on \(plan.spec)\n"
        text += "  outcome       \(candidate.outcome?.rawValue ?? "unknown")\(candidate.exitStatus.map { " (\($0))" } ?? "")\n"
        text += "  cost          \(Format.costAgainstBudget(candidate.costUSD, source: candidate.costSource, budget: candidate.budgetUSD)) (\(candidate.costSource.rawValue))"
        text += candidate.costKilledAt.map { ", killed at \(Format.usd($0))\n" } ?? "\n"
        let t = candidate.tokens
        text += "  tokens        in \(Format.tokens(t.input)), cached \(Format.tokens(t.cachedInput)), cache write \(Format.tokens(t.cacheWrite)), out \(Format.tokens(t.output)), reasoning \(Format.tokens(t.reasoning))\n"
        text += "  turns         \(candidate.turns)\n"
        text += "  first attempt \(Format.duration(ms: candidate.firstAttemptMs))   duration \(Format.duration(ms: candidate.durationMs))"
        text += "   \(candidate.tokensPerSec.map { Format.number($0, decimals: 1) + " tok/s" } ?? "")\n"
        text += "  diff          \(candidate.diff.files) files, +\(candidate.diff.insertions) -\(candidate.diff.deletions)\n"
        text += "  checks        acceptance \(candidate.checks.acceptance.rawValue), holdout \(candidate.checks.holdout.rawValue), scope \(candidate.checks.scope.rawValue)\n"
        if let message = candidate.apiErrorMessage { text += "  error         \(TerminalText.sanitize(message))\n" }
        if candidate.malformedLines > 0 { text += "  note          \(candidate.malformedLines) malformed output lines skipped\n" }
        text += "  artifacts     \(workspace.relative(artifacts.path))/\n"
        if keep { text += "  worktree      \(worktrees.path(for: agent.id)) (branch \(worktrees.branch(for: agent.id)); `agon clean \(trialID)` removes it)\n" }
        let ok = candidate.outcome == .ok || candidate.outcome == .noChanges
        return CommandOutcome(output: CommandOutput(text: text, value: VersionedDocument(body)), exitCode: ok ? 0 : 1)
    }
}
