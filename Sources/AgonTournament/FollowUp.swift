import AgonAgents
import AgonCore
import AgonGit
import AgonStore
import Foundation

/// What a follow-up attempt changes in `Tournament.runCandidate`: the prompt, the attempt's own
/// artifacts directory, and the session the CLI resumes (nil: a fresh invocation).
struct FollowUpLaunch {
    var prompt: String
    var artifactsDir: URL
    var resume: SessionResume?
}

/// `agon followup RUN AGENT MESSAGE`: continues candidates of a finished run with a follow-up
/// prompt, as attempt 2, 3, … of the same candidate (`AttemptRecord`), in its own worktree,
/// sandbox and budget, through the same agent path as the run (`Tournament.runCandidate`).
public struct FollowUp {
    public let workspace: Workspace
    public var options: TournamentOptions

    public init(workspace: Workspace, options: TournamentOptions = TournamentOptions(review: false)) {
        self.workspace = workspace
        self.options = options
    }

    /// Whom to follow up.
    public enum Target: Equatable {
        case agent(String)
        /// Every candidate that failed acceptance but left a diff.
        case allNearMisses
    }

    /// One follow-up's result (`agon followup --json` encodes the coded keys).
    public struct Attempt: Codable, Equatable {
        public var agent: String
        /// The attempt just made.
        public var attempt: AttemptRecord
        /// The candidate after it: totals over all its attempts, the latest patch and checks.
        public var candidate: CandidateRecord
        /// Why a CLI with session resume was started fresh instead (nil when it resumed, or has no resume).
        public var note: String?
        enum CodingKeys: String, CodingKey { case agent, attempt, candidate, note }
    }

    /// Every follow-up of one command.
    public struct Result: Codable, Equatable {
        public var runID: String
        public var attempts: [Attempt]
        /// Whether the run's review and consensus now describe earlier patches (until `agon review`).
        public var reviewStale: Bool
        enum CodingKeys: String, CodingKey { case runID = "run_id", attempts, reviewStale = "review_stale" }
    }

    /// Runs the follow-ups; exit 0 when every followed-up candidate now passes its gate, else 1.
    public func run(runID reference: String, target: Target, message: String, budgetUSD: Double?) throws -> CommandResult<Result> {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw FollowUpError.emptyMessage }
        if let budgetUSD, !(budgetUSD > 0) || !budgetUSD.isFinite { throw FollowUpError.badBudget(budgetUSD) }
        let store = try workspace.store()
        let runID = try RunQueries.resolve(reference, in: store)
        guard let stored = try store.run(runID) else { throw RunLookupError.notFound(reference: reference) }
        let agents: [String]
        switch target {
        case .agent(let agent):
            guard stored.candidate(agent) != nil else {
                throw RunLookupError.noCandidate(runID: runID, agent: agent, candidates: stored.candidates.map(\.agent))
            }
            agents = [agent]
        case .allNearMisses:
            agents = stored.candidates.filter { $0.checks.acceptance == .failed && !$0.diff.isEmpty }.map(\.agent)
            guard !agents.isEmpty else { throw FollowUpError.noNearMisses(runID: runID) }
        }
        // Like every writer of a run, a follow-up holds its lease: never beside a run or another follow-up.
        let lease = try RunLease.acquire(workspace.layout, runID: runID)
        defer { lease.release() }
        guard var record = try store.run(runID) else { throw RunLookupError.notFound(reference: reference) }
        let unfinished = record.candidates.filter { $0.state != .finished }.map(\.agent)
        if !unfinished.isEmpty { throw RunLookupError.unfinishedCandidates(runID: runID, agents: unfinished) }
        let specCopy = workspace.layout.spec(runID)
        guard FileManager.default.fileExists(atPath: specCopy.path) else {
            throw RunLookupError.noSpecCopy(runID: runID, path: workspace.layout.relativePath(specCopy))
        }
        let spec = try Spec.load(path: specCopy.path, displayName: record.specPath)
        var (_, plan) = try Planner(workspace: workspace).plan(specPath: specCopy.path, agentFilter: agents, verifierFilter: [])
        plan.spec = record.specPath
        plan.baseSHA = record.baseSHA
        plan.baseRef = record.baseRef
        let tournament = Tournament(workspace: workspace, options: options)
        try tournament.preflight([plan])
        try tournament.ignoreAgonPaths(aider: plan.agents.contains { $0.harness == .aider })
        guard let base = ObjectID(hex: record.baseSHA) else { throw FollowUpError.noWorktree(runID: runID, agent: agents[0], reason: "bad base commit") }
        let worktrees = WorktreeSet(workspace: workspace, runID: runID, base: base)

        let interrupts = InterruptTrap(stopSignal: tournament.stopSignal)
        defer { interrupts.release() }
        var attempts: [Attempt] = []
        for planned in plan.agents {
            if tournament.stopSignal.isStopped { break }
            guard let candidate = record.candidate(planned.id) else { continue }
            let made = try followUp(candidate, planned: planned, message: trimmed, budgetUSD: budgetUSD, spec: spec,
                                    plan: plan, runID: runID, worktrees: worktrees, tournament: tournament)
            attempts.append(made)
            if let index = record.candidates.firstIndex(where: { $0.agent == planned.id }) { record.candidates[index] = made.candidate }
            try store.upsertCandidate(runID: runID, made.candidate)
        }
        try settleReview(&record, store: store)
        try? workspace.layout.writeRunSnapshot(record)
        if !workspace.config.defaults.keepWorktrees && record.status == .done {
            WorktreePool(workspace: workspace).retireFinishedRun(runID, progress: options.progress ?? SilentProgress())
        }
        let result = Result(runID: runID, attempts: attempts, reviewStale: record.reviewStale)
        if tournament.stopSignal.isStopped { return CommandResult(result, exitCode: 130) }
        return CommandResult(result, exitCode: attempts.allSatisfy { $0.candidate.passedGate } ? 0 : 1)
    }

    /// One follow-up attempt of one candidate.
    private func followUp(_ candidate: CandidateRecord, planned: PlannedAgent, message: String, budgetUSD: Double?,
                          spec: Spec, plan: RunPlan, runID: String, worktrees: WorktreeSet,
                          tournament: Tournament) throws -> Attempt {
        let layout = workspace.layout
        let history = candidate.attemptHistory
        let number = history.count + 1
        // The remainder of the candidate's cap unless --budget says otherwise.
        var planned = planned
        let cap: Double?
        if let budgetUSD {
            cap = budgetUSD
        } else if let total = candidate.budgetUSD, total > 0 {
            let remainder = total - (candidate.costUSD ?? 0)
            guard remainder > 0 else {
                throw FollowUpError.budgetSpent(agent: candidate.agent, spent: candidate.costUSD ?? 0, cap: total)
            }
            cap = remainder
        } else {
            cap = nil   // tally only, as the first attempt was
        }
        planned.budget.maxCostUSD = cap
        planned.budget.isTallyOnly = cap == nil
        try restoreWorktree(candidate, runID: runID, worktrees: worktrees)

        // Resume where the CLI can and the first attempts named a session; otherwise start fresh.
        let adapter = HarnessAdapters.adapter(for: planned.harness)
        var note: String?
        var resume: SessionResume?
        if adapter.resumesSessions {
            if let session = candidate.sessionID {
                let sameSession = history.filter { $0.sessionID == session }
                let previousDir = history.last(where: { $0.sessionID == session }).map { attemptDirectory(runID, agent: candidate.agent, number: $0.number) }
                resume = SessionResume(sessionID: session, usageSoFar: sameSession.reduce(TokenUsage.zero) { $0 + $1.tokens },
                                       artifactsDir: previousDir?.path,
                                       reportedCostSoFar: sameSession.reduce(0) { $0 + ($1.reportedCostUSD ?? 0) })
            } else {
                note = "no session id was recorded for \(candidate.agent); started a fresh \(planned.harness.rawValue) with the spec, its diff and the message"
            }
        }
        let prompt: String
        if resume != nil {
            prompt = message
        } else {
            let patch = (try? SealedPatch.read(candidate, runID: runID, baseSHA: plan.baseSHA, workspace: workspace)) ?? Data()
            prompt = FollowUpPrompt.fresh(spec: spec, budget: planned.budget, patch: patch, baseSHA: plan.baseSHA, message: message)
        }
        let directory = attemptDirectory(runID, agent: candidate.agent, number: number)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Sandboxed, a CLI keeps its sessions in its private HOME (Claude Code under
        // ~/.claude/projects): the resumed attempt starts from a copy of the earlier one's.
        if let earlier = resume?.artifactsDir, FileManager.default.fileExists(atPath: earlier + "/home") {
            try? FileManager.default.removeItem(atPath: directory.path + "/home")
            try FileManager.default.copyItem(atPath: earlier + "/home", toPath: directory.path + "/home")
        }
        let board = ProgressBoard(agents: [planned], sink: options.progress ?? SilentProgress())
        let startedAt = Date()
        var latest = tournament.runCandidate(planned, spec: spec, plan: plan, runID: runID, worktrees: worktrees, board: board,
                                             followUp: FollowUpLaunch(prompt: prompt, artifactsDir: directory, resume: resume))
        board.close()
        latest.state = .finished   // an interrupted follow-up is still a finished attempt
        if latest.sessionID == nil { latest.sessionID = resume?.sessionID }
        var attempt = AttemptRecord(number: number, kind: resume == nil ? .fresh : .resumed, message: message,
                                    startedAt: startedAt, candidate: latest)
        attempt.budgetUSD = cap
        var merged = candidate
        merged.recordFollowUp(attempt, latest: latest)
        return Attempt(agent: candidate.agent, attempt: attempt, candidate: merged, note: note)
    }

    /// Where attempt `number`'s transcript, prompt and CLI side files go (attempt 1: the candidate's directory).
    func attemptDirectory(_ runID: String, agent: String, number: Int) -> URL {
        let candidateDir = workspace.layout.candidateDirectory(runID, agent: agent)
        return number <= 1 ? candidateDir : candidateDir.appendingPathComponent("attempt-\(number)")
    }

    /// The candidate's worktree as its last attempt left it: the run's worktree when it is still
    /// there, else a fresh one at the base with its sealed patch applied.
    private func restoreWorktree(_ candidate: CandidateRecord, runID: String, worktrees: WorktreeSet) throws {
        let path = worktrees.path(for: candidate.agent)
        if FileManager.default.fileExists(atPath: path + "/.git") { return }
        guard candidate.snapshotSHA != nil || candidate.diff.patchPath != nil else {
            throw FollowUpError.noWorktree(runID: runID, agent: candidate.agent, reason: "it has no snapshot to restore it from")
        }
        let patch: Data
        do {
            patch = try SealedPatch.read(candidate, runID: runID, baseSHA: worktrees.base.hex, workspace: workspace)
        } catch {
            throw FollowUpError.noWorktree(runID: runID, agent: candidate.agent, reason: "\(error)")
        }
        try worktrees.create(agents: [candidate.agent])
        if !patch.isEmpty { try workspace.repository().apply(patch, toWorktree: path) }
    }

    /// After follow-ups the run's reviews and consensus describe earlier patches: with verifiers
    /// they are stale until `agon review RUN`; without, the checks-only consensus is remade now.
    private func settleReview(_ record: inout RunRecord, store: RunStore) throws {
        if record.reviews.isEmpty && record.verifiersPlanned.isEmpty {
            let config = workspace.config
            let consensus = try ReviewConsensus.make(candidates: record.candidates, reviews: []) { config.verifier($0)?.weight ?? 1 }
            record.consensus = consensus
            try store.saveConsensus(runID: record.runID, consensus)
            try workspace.layout.writeConsensus(consensus, runID: record.runID)
            record.reviewStale = false
        } else {
            record.reviewStale = true
        }
        try store.saveRun(record)
    }
}

/// The prompt of a follow-up that cannot resume a session: the task again, what the candidate
/// changed so far, and the message.
enum FollowUpPrompt {
    /// Diffs larger than this are left for the agent to read from its worktree.
    static let inlineDiffLimit = 60_000

    static func fresh(spec: Spec, budget: ResolvedBudget, patch: Data, baseSHA: String, message: String) -> String {
        var text = AgentPrompt.render(spec: spec, budget: budget)
        text += "\n\n## Follow-up\n\n"
        text += "You already worked on this task in this worktree. "
        if patch.isEmpty {
            text += "Your earlier attempt left no changes.\n"
        } else if patch.count > inlineDiffLimit {
            text += "Your changes so far are too large to quote here; `git diff \(baseSHA)` in the worktree shows them.\n"
        } else {
            text += "Your changes so far, as a diff against the base:\n\n```diff\n"
            text += String(decoding: patch, as: UTF8.self)
            text += "\n```\n"
        }
        text += "\nFollow-up request:\n\n\(message)\n"
        return text
    }
}

/// A follow-up cannot be made as asked.
public enum FollowUpError: HintedFailure, Equatable {
    case emptyMessage
    case badBudget(Double)
    /// The candidate's cap is spent and no `--budget` was given.
    case budgetSpent(agent: String, spent: Double, cap: Double)
    /// `--all-near-misses` found no candidate that failed acceptance with a diff.
    case noNearMisses(runID: String)
    /// The candidate's worktree is gone and cannot be rebuilt.
    case noWorktree(runID: String, agent: String, reason: String)

    public var exitCode: Int32 {
        switch self {
        case .noWorktree: return 1
        default: return 2
        }
    }

    public var headline: String {
        switch self {
        case .emptyMessage: return "the follow-up message is empty"
        case .badBudget(let usd): return "a follow-up's budget must be more than $0 (got \(usd))"
        case let .budgetSpent(agent, spent, cap):
            return "\(agent) has spent \(Format.usd(spent)) of its \(Format.usd(cap)) cap"
        case .noNearMisses(let runID): return "run \(runID) has no candidate that failed acceptance with a diff"
        case let .noWorktree(runID, agent, reason): return "cannot restore the worktree of \(agent) in run \(runID): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .emptyMessage: return "give the message as an argument or in a file"
        case .badBudget: return nil
        case .budgetSpent: return "give this follow-up its own cap"
        case .noNearMisses: return "name an agent to follow it up"
        case .noWorktree: return nil
        }
    }
}
