import Foundation

// Part of the run record; RunRecord.swift states the JSON conventions all records follow.

// MARK: - Candidate

/// Where a candidate is in its own lifecycle (independent of how it ended, see `Outcome`).
public enum CandidateState: String, CaseIterable, Codable, Sendable {
    case pending, running, finished
}

/// What one agent produced in one run: its outcome, cost, usage, diff and checks.
public struct CandidateRecord: Codable, Equatable, Sendable {
    public var agent: String
    public var harness: Harness
    public var model: String?
    /// How the agent run ended; nil until it has.
    public var outcome: Outcome?
    public var state: CandidateState
    /// The cost Agon stands behind (reported or computed, per `costSource`); nil when unpriced.
    public var costUSD: Double?
    public var computedCostUSD: Double?
    public var reportedCostUSD: Double?
    public var costSource: CostSource
    /// The metered cost (USD) at the moment the budget killed the agent; nil unless cost-killed.
    public var costKilledAt: Double?
    /// The budget enforced (nil or 0: tally only).
    public var budgetUSD: Double?
    public var tokens: TokenUsage
    public var turns: Int
    public var firstAttemptMs: Int?
    public var durationMs: Int?
    public var tokensPerSec: Double?
    /// How the process ended, e.g. `exit 0` or `signal 9`.
    public var exitStatus: String?
    public var diff: DiffSummary
    public var checks: CheckSummary
    public var checkResults: [CheckResult]
    /// Changed paths outside the spec's `paths`.
    public var scopeViolations: [String]
    public var worktree: String
    public var branch: String
    /// The commit Agon made of what the agent left in its worktree.
    public var snapshotSHA: String?
    public var transcriptPath: String?
    public var stderrPath: String?
    /// Lines of the agent's output stream that could not be parsed (counted and skipped).
    public var malformedLines: Int
    public var apiErrorMessage: String?
    /// What the pre-review screen found in the diff (injection, leak); a gating finding keeps
    /// the candidate out of review.
    public var findings: [ReviewFinding] = []

    /// Whether a review finding gates this candidate.
    public var gatedByFinding: Bool { findings.contains { $0.gates } }
    /// How the agent was contained: `bwrap` or `none` (nil in records older than the sandbox).
    public var sandbox: String?
    /// Without a sandbox: what changed in the shared git dir while the agent or its checks ran.
    public var tampering: [String] = []
    // Issue 14 (cascade, exact-repeat cache, slow flag): encoded only when set, so older
    // records and their JSON stay as they were.
    /// The exact-repeat cache key (`CacheKey.make`) of what this candidate was asked; nil in older records.
    public var cacheKey: String?
    /// Set when this candidate reused a finished one instead of running its agent ($0 spent).
    public var cacheHit: CacheHit?
    /// Expectations (`expected_ttft`, `expected_time_to_solution`) the agent exceeded; advisory.
    public var slow: [SlowFlag] = []
    /// Milliseconds from start to the agent's first reported usage (its time to first output).
    public var firstOutputMs: Int?
    /// The cascade tier (1-based) this candidate ran in; nil outside cascades.
    public var tier: Int?
    /// The CLI's session or thread id from its latest attempt (what `agon followup` resumes).
    public var sessionID: String?
    /// Every attempt once the candidate had a follow-up (see `AttemptRecord`); empty for a
    /// candidate with one attempt, which `attemptHistory` presents as attempt 1.
    public var attempts: [AttemptRecord] = []
    /// The host whose `agon worker` produced this record (nil when the coordinator ran it in-process).
    public var workerHost: String?
    /// Which attempt of the candidate's job this record is from: 1, or 2 after a retry (nil in-process).
    public var attempt: Int?

    public init(agent: String, harness: Harness, model: String? = nil, outcome: Outcome? = nil,
                state: CandidateState = .pending, costUSD: Double? = nil, computedCostUSD: Double? = nil,
                reportedCostUSD: Double? = nil, costSource: CostSource = .unpriced, costKilledAt: Double? = nil,
                budgetUSD: Double? = nil, tokens: TokenUsage = .zero, turns: Int = 0, firstAttemptMs: Int? = nil,
                durationMs: Int? = nil, tokensPerSec: Double? = nil, exitStatus: String? = nil,
                diff: DiffSummary = DiffSummary(), checks: CheckSummary = CheckSummary(),
                checkResults: [CheckResult] = [], scopeViolations: [String] = [], worktree: String,
                branch: String, snapshotSHA: String? = nil, transcriptPath: String? = nil,
                stderrPath: String? = nil, malformedLines: Int = 0, apiErrorMessage: String? = nil) {
        self.agent = agent
        self.harness = harness
        self.model = model
        self.outcome = outcome
        self.state = state
        self.costUSD = costUSD
        self.computedCostUSD = computedCostUSD
        self.reportedCostUSD = reportedCostUSD
        self.costSource = costSource
        self.costKilledAt = costKilledAt
        self.budgetUSD = budgetUSD
        self.tokens = tokens
        self.turns = turns
        self.firstAttemptMs = firstAttemptMs
        self.durationMs = durationMs
        self.tokensPerSec = tokensPerSec
        self.exitStatus = exitStatus
        self.diff = diff
        self.checks = checks
        self.checkResults = checkResults
        self.scopeViolations = scopeViolations
        self.worktree = worktree
        self.branch = branch
        self.snapshotSHA = snapshotSHA
        self.transcriptPath = transcriptPath
        self.stderrPath = stderrPath
        self.malformedLines = malformedLines
        self.apiErrorMessage = apiErrorMessage
    }

    enum CodingKeys: String, CodingKey {
        case agent, harness, model, outcome, state
        case costUSD = "cost_usd", computedCostUSD = "computed_cost_usd", reportedCostUSD = "reported_cost_usd"
        case costSource = "cost_source", costKilledAt = "cost_killed_at", budgetUSD = "budget_usd"
        case tokens, turns, firstAttemptMs = "first_attempt_ms", durationMs = "duration_ms"
        case tokensPerSec = "tokens_per_sec", exitStatus = "exit_status", diff, checks
        case checkResults = "check_results", scopeViolations = "scope_violations", worktree, branch
        case snapshotSHA = "snapshot_sha", transcriptPath = "transcript_path", stderrPath = "stderr_path"
        case malformedLines = "malformed_lines", apiErrorMessage = "api_error_message", findings
        case sandbox, tampering
        case cacheKey = "cache_key", cacheHit = "cache_hit", slow, firstOutputMs = "first_output_ms", tier
        case sessionID = "session_id", attempts
        case workerHost = "worker_host", attempt
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agent = try c.decode(String.self, forKey: .agent)
        harness = try c.decode(Harness.self, forKey: .harness)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        outcome = try c.decodeIfPresent(Outcome.self, forKey: .outcome)
        state = try c.decode(CandidateState.self, forKey: .state)
        costUSD = try c.decodeIfPresent(Double.self, forKey: .costUSD)
        computedCostUSD = try c.decodeIfPresent(Double.self, forKey: .computedCostUSD)
        reportedCostUSD = try c.decodeIfPresent(Double.self, forKey: .reportedCostUSD)
        costSource = try c.decode(CostSource.self, forKey: .costSource)
        costKilledAt = try c.decodeIfPresent(Double.self, forKey: .costKilledAt)
        budgetUSD = try c.decodeIfPresent(Double.self, forKey: .budgetUSD)
        tokens = try c.decode(TokenUsage.self, forKey: .tokens)
        turns = try c.decode(Int.self, forKey: .turns)
        firstAttemptMs = try c.decodeIfPresent(Int.self, forKey: .firstAttemptMs)
        durationMs = try c.decodeIfPresent(Int.self, forKey: .durationMs)
        tokensPerSec = try c.decodeIfPresent(Double.self, forKey: .tokensPerSec)
        exitStatus = try c.decodeIfPresent(String.self, forKey: .exitStatus)
        diff = try c.decode(DiffSummary.self, forKey: .diff)
        checks = try c.decode(CheckSummary.self, forKey: .checks)
        checkResults = try c.decode([CheckResult].self, forKey: .checkResults)
        scopeViolations = try c.decode([String].self, forKey: .scopeViolations)
        worktree = try c.decode(String.self, forKey: .worktree)
        branch = try c.decode(String.self, forKey: .branch)
        snapshotSHA = try c.decodeIfPresent(String.self, forKey: .snapshotSHA)
        transcriptPath = try c.decodeIfPresent(String.self, forKey: .transcriptPath)
        stderrPath = try c.decodeIfPresent(String.self, forKey: .stderrPath)
        malformedLines = try c.decode(Int.self, forKey: .malformedLines)
        apiErrorMessage = try c.decodeIfPresent(String.self, forKey: .apiErrorMessage)
        findings = try c.decodeIfPresent([ReviewFinding].self, forKey: .findings) ?? []
        sandbox = try c.decodeIfPresent(String.self, forKey: .sandbox)
        tampering = try c.decodeIfPresent([String].self, forKey: .tampering) ?? []
        cacheKey = try c.decodeIfPresent(String.self, forKey: .cacheKey)
        cacheHit = try c.decodeIfPresent(CacheHit.self, forKey: .cacheHit)
        slow = try c.decodeIfPresent([SlowFlag].self, forKey: .slow) ?? []
        firstOutputMs = try c.decodeIfPresent(Int.self, forKey: .firstOutputMs)
        tier = try c.decodeIfPresent(Int.self, forKey: .tier)
        sessionID = try c.decodeIfPresent(String.self, forKey: .sessionID)
        attempts = try c.decodeIfPresent([AttemptRecord].self, forKey: .attempts) ?? []
        workerHost = try c.decodeIfPresent(String.self, forKey: .workerHost)
        attempt = try c.decodeIfPresent(Int.self, forKey: .attempt)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(agent, forKey: .agent)
        try c.encode(harness, forKey: .harness)
        try c.encode(model, forKey: .model)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(state, forKey: .state)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(computedCostUSD, forKey: .computedCostUSD)
        try c.encode(reportedCostUSD, forKey: .reportedCostUSD)
        try c.encode(costSource, forKey: .costSource)
        try c.encode(costKilledAt, forKey: .costKilledAt)
        try c.encode(budgetUSD, forKey: .budgetUSD)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(turns, forKey: .turns)
        try c.encode(firstAttemptMs, forKey: .firstAttemptMs)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(tokensPerSec, forKey: .tokensPerSec)
        try c.encode(exitStatus, forKey: .exitStatus)
        try c.encode(diff, forKey: .diff)
        try c.encode(checks, forKey: .checks)
        try c.encode(checkResults, forKey: .checkResults)
        try c.encode(scopeViolations, forKey: .scopeViolations)
        try c.encode(worktree, forKey: .worktree)
        try c.encode(branch, forKey: .branch)
        try c.encode(snapshotSHA, forKey: .snapshotSHA)
        try c.encode(transcriptPath, forKey: .transcriptPath)
        try c.encode(stderrPath, forKey: .stderrPath)
        try c.encode(malformedLines, forKey: .malformedLines)
        try c.encode(apiErrorMessage, forKey: .apiErrorMessage)
        try c.encode(findings, forKey: .findings)
        try c.encodeIfPresent(sandbox, forKey: .sandbox)
        if !tampering.isEmpty { try c.encode(tampering, forKey: .tampering) }
        try c.encodeIfPresent(cacheKey, forKey: .cacheKey)
        try c.encodeIfPresent(cacheHit, forKey: .cacheHit)
        if !slow.isEmpty { try c.encode(slow, forKey: .slow) }
        try c.encodeIfPresent(firstOutputMs, forKey: .firstOutputMs)
        try c.encodeIfPresent(tier, forKey: .tier)
        try c.encodeIfPresent(sessionID, forKey: .sessionID)
        if !attempts.isEmpty { try c.encode(attempts, forKey: .attempts) }
        try c.encodeIfPresent(workerHost, forKey: .workerHost)
        try c.encodeIfPresent(attempt, forKey: .attempt)
    }
}

/// Size of a candidate's change against the base, and where its patch is stored.
public struct DiffSummary: Codable, Equatable, Sendable {
    public var files: Int
    public var insertions: Int
    public var deletions: Int
    public var patchPath: String?
    public var changedPaths: [String]
    /// SHA-256 (hex) of `patch.diff` when Agon wrote it: review and apply refuse a file that differs.
    public var patchSHA256: String?
    /// Size of the diff in bytes.
    public var patchBytes: Int?

    public init(files: Int = 0, insertions: Int = 0, deletions: Int = 0, patchPath: String? = nil,
                changedPaths: [String] = [], patchSHA256: String? = nil, patchBytes: Int? = nil) {
        self.files = files
        self.insertions = insertions
        self.deletions = deletions
        self.patchPath = patchPath
        self.changedPaths = changedPaths
        self.patchSHA256 = patchSHA256
        self.patchBytes = patchBytes
    }

    /// Whether the agent changed nothing.
    public var isEmpty: Bool { files == 0 }

    enum CodingKeys: String, CodingKey {
        case files, insertions, deletions, patchPath = "patch_path", changedPaths = "changed_paths"
        case patchSHA256 = "patch_sha256", patchBytes = "patch_bytes"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(files, forKey: .files)
        try c.encode(insertions, forKey: .insertions)
        try c.encode(deletions, forKey: .deletions)
        try c.encode(patchPath, forKey: .patchPath)
        try c.encode(changedPaths, forKey: .changedPaths)
        try c.encodeIfPresent(patchSHA256, forKey: .patchSHA256)
        try c.encodeIfPresent(patchBytes, forKey: .patchBytes)
    }
}
