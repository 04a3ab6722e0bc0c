import Foundation

// Part of the run record; RunRecord.swift states the JSON conventions all records follow.

/// How an attempt was started.
public enum AttemptLaunchKind: String, Codable, Sendable {
    /// The run's own invocation (attempt 1).
    case initial
    /// `agon followup` through the CLI's own session resume.
    case resumed
    /// `agon followup` as a fresh invocation given the spec, the current diff and the message.
    case fresh
}

/// One attempt of a candidate: the run's first invocation, or one `agon followup`. Its cost,
/// tokens and time are its own; the candidate's are the sums over its attempts.
public struct AttemptRecord: Codable, Equatable, Sendable {
    /// 1 for the run's own invocation, 2, 3, … for follow-ups.
    public var number: Int
    public var kind: AttemptLaunchKind
    /// The follow-up message (nil for attempt 1).
    public var message: String?
    /// The CLI's session or thread id, when its output named one (what a later follow-up resumes).
    public var sessionID: String?
    public var startedAt: Date?
    public var outcome: Outcome?
    /// This attempt's cost (nil when unpriced).
    public var costUSD: Double?
    public var costSource: CostSource
    /// The metered cost at the moment the budget killed it; nil unless cost-killed.
    public var costKilledAt: Double?
    /// The budget enforced on this attempt (nil: tally only).
    public var budgetUSD: Double?
    public var tokens: TokenUsage
    public var turns: Int
    public var durationMs: Int?
    /// Files changed against the base after this attempt (the candidate's diff at that point).
    public var diffFiles: Int
    public var checks: CheckSummary
    /// Which check kinds ran (a check that ran and was skipped does not count as passed).
    public var checksRun: [CheckKind]
    public var snapshotSHA: String?
    public var patchSHA256: String?
    public var transcriptPath: String?
    /// The cost the CLI itself reported for this attempt (nil when it reported none).
    public var reportedCostUSD: Double?

    public init(number: Int, kind: AttemptLaunchKind, message: String? = nil, sessionID: String? = nil,
                startedAt: Date? = nil, outcome: Outcome? = nil, costUSD: Double? = nil,
                costSource: CostSource = .unpriced, costKilledAt: Double? = nil, budgetUSD: Double? = nil,
                tokens: TokenUsage = .zero, turns: Int = 0, durationMs: Int? = nil, diffFiles: Int = 0,
                checks: CheckSummary = CheckSummary(), checksRun: [CheckKind] = [], snapshotSHA: String? = nil,
                patchSHA256: String? = nil, transcriptPath: String? = nil) {
        self.number = number
        self.kind = kind
        self.message = message
        self.sessionID = sessionID
        self.startedAt = startedAt
        self.outcome = outcome
        self.costUSD = costUSD
        self.costSource = costSource
        self.costKilledAt = costKilledAt
        self.budgetUSD = budgetUSD
        self.tokens = tokens
        self.turns = turns
        self.durationMs = durationMs
        self.diffFiles = diffFiles
        self.checks = checks
        self.checksRun = checksRun
        self.snapshotSHA = snapshotSHA
        self.patchSHA256 = patchSHA256
        self.transcriptPath = transcriptPath
    }

    enum CodingKeys: String, CodingKey {
        case number, kind, message, sessionID = "session_id", startedAt = "started_at", outcome
        case costUSD = "cost_usd", costSource = "cost_source", costKilledAt = "cost_killed_at", budgetUSD = "budget_usd"
        case tokens, turns, durationMs = "duration_ms", diffFiles = "diff_files", checks, checksRun = "checks_run"
        case snapshotSHA = "snapshot_sha", patchSHA256 = "patch_sha256", transcriptPath = "transcript_path"
        case reportedCostUSD = "reported_cost_usd"
    }

    /// Every key, `null` where a value does not exist (the records' convention).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encode(kind, forKey: .kind)
        try c.encode(message, forKey: .message)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(costSource, forKey: .costSource)
        try c.encode(costKilledAt, forKey: .costKilledAt)
        try c.encode(budgetUSD, forKey: .budgetUSD)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(turns, forKey: .turns)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(diffFiles, forKey: .diffFiles)
        try c.encode(checks, forKey: .checks)
        try c.encode(checksRun, forKey: .checksRun)
        try c.encode(snapshotSHA, forKey: .snapshotSHA)
        try c.encode(patchSHA256, forKey: .patchSHA256)
        try c.encode(transcriptPath, forKey: .transcriptPath)
        try c.encode(reportedCostUSD, forKey: .reportedCostUSD)
    }

    /// `CandidateRules.succeeded` for the candidate as this attempt left it.
    public var succeeded: Bool {
        CandidateRules.succeeded(outcome: outcome, diffFiles: diffFiles, checks: checks) { checksRun.contains($0) }
    }

    /// Attempt `number` as the candidate record stands now (its totals, diff and checks).
    public init(number: Int, kind: AttemptLaunchKind, message: String? = nil, startedAt: Date? = nil,
                candidate c: CandidateRecord) {
        self.init(number: number, kind: kind, message: message, sessionID: c.sessionID, startedAt: startedAt,
                  outcome: c.outcome, costUSD: c.costUSD, costSource: c.costSource, costKilledAt: c.costKilledAt,
                  budgetUSD: c.budgetUSD, tokens: c.tokens, turns: c.turns, durationMs: c.durationMs,
                  diffFiles: c.diff.files, checks: c.checks, checksRun: CheckKind.allCases.filter { kind in
                      c.checkResults.contains { $0.kind == kind }
                  }, snapshotSHA: c.snapshotSHA, patchSHA256: c.diff.patchSHA256, transcriptPath: c.transcriptPath)
        reportedCostUSD = c.reportedCostUSD
    }
}

extension CandidateRecord {
    /// Every attempt, oldest first: the recorded ones, or — for a record without follow-ups,
    /// including every record written before attempts existed — the candidate itself as attempt 1.
    public var attemptHistory: [AttemptRecord] {
        attempts.isEmpty ? [AttemptRecord(number: 1, kind: .initial, candidate: self)] : attempts
    }

    /// The number of the first attempt after which the candidate succeeded; nil when none did.
    public var successAttempt: Int? { attemptHistory.first(where: \.succeeded)?.number }

    /// Adds a follow-up attempt: `attempt` carries only that attempt's cost, tokens and time;
    /// the candidate keeps the sums, and takes the attempt's outcome, diff, checks and snapshot
    /// (`latest` is the candidate as the follow-up's agent run and checks left it). Time to first
    /// edit and tokens/sec stay attempt 1's.
    public mutating func recordFollowUp(_ attempt: AttemptRecord, latest: CandidateRecord) {
        var history = attemptHistory
        history.append(attempt)
        attempts = history
        outcome = latest.outcome
        costSource = history.contains { $0.costSource == .unpriced } ? .unpriced : latest.costSource
        costUSD = costSource == .unpriced ? nil : history.reduce(0) { $0 + ($1.costUSD ?? 0) }
        computedCostUSD = Self.sum(computedCostUSD, latest.computedCostUSD)
        reportedCostUSD = Self.sum(reportedCostUSD, latest.reportedCostUSD)
        costKilledAt = latest.costKilledAt
        tokens = history.reduce(TokenUsage.zero) { $0 + $1.tokens }
        turns = history.reduce(0) { $0 + $1.turns }
        durationMs = history.reduce(0) { $0 + ($1.durationMs ?? 0) }
        exitStatus = latest.exitStatus
        diff = latest.diff
        checks = latest.checks
        checkResults = latest.checkResults
        scopeViolations = latest.scopeViolations
        snapshotSHA = latest.snapshotSHA
        transcriptPath = latest.transcriptPath
        stderrPath = latest.stderrPath
        malformedLines += latest.malformedLines
        apiErrorMessage = latest.apiErrorMessage
        tampering = latest.tampering
        if latest.sessionID != nil { sessionID = latest.sessionID }
        state = latest.state
    }

    private static func sum(_ a: Double?, _ b: Double?) -> Double? {
        a == nil && b == nil ? nil : (a ?? 0) + (b ?? 0)
    }
}
