import Foundation

// The records Agon keeps about a run: what was planned, what each candidate did, what each
// verifier said, and the merged consensus. Pure Codable values; the JSON keys are snake_case
// and spelled out in explicit CodingKeys so they never drift with a Swift rename.
// Optional fields encode as `null` rather than being omitted, so `--json` consumers always
// see the same keys.

// MARK: - Run

/// Lifecycle of a run, as stored and shown by `agon status`.
public enum RunStatus: String, CaseIterable, Codable, Sendable {
    case planned, running, reviewing, done, interrupted, failed

    /// Whether the run has stopped changing (only `--resume` can move it again).
    public var isTerminal: Bool { self == .done || self == .interrupted || self == .failed }
}

/// Everything Agon knows about one run of one spec: the `run.json` snapshot and `agon show --json`.
public struct RunRecord: Codable, Equatable, Sendable {
    /// Version of this document's shape; see `AgonJSON.schemaVersion`.
    public var schemaVersion: Int
    public var runID: String
    /// The spec's path relative to the repository root.
    public var specPath: String
    public var specTitle: String
    /// Content hash of the spec as run (detects a spec edited between runs).
    public var specHash: String
    public var baseRef: String
    public var baseSHA: String
    public var status: RunStatus
    public var createdAt: Date
    public var finishedAt: Date?
    public var agentsPlanned: [String]
    public var verifiersPlanned: [String]
    public var manifestPath: String?
    /// Whether the repository had uncommitted changes when the run started (they are not in the base).
    public var dirtyAtStart: Bool
    public var candidates: [CandidateRecord]
    public var reviews: [ReviewRecord]
    public var consensus: ConsensusRecord?

    public init(schemaVersion: Int = AgonJSON.schemaVersion, runID: String, specPath: String, specTitle: String,
                specHash: String, baseRef: String, baseSHA: String, status: RunStatus = .planned,
                createdAt: Date, finishedAt: Date? = nil, agentsPlanned: [String] = [],
                verifiersPlanned: [String] = [], manifestPath: String? = nil, dirtyAtStart: Bool = false,
                candidates: [CandidateRecord] = [], reviews: [ReviewRecord] = [], consensus: ConsensusRecord? = nil) {
        self.schemaVersion = schemaVersion
        self.runID = runID
        self.specPath = specPath
        self.specTitle = specTitle
        self.specHash = specHash
        self.baseRef = baseRef
        self.baseSHA = baseSHA
        self.status = status
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.agentsPlanned = agentsPlanned
        self.verifiersPlanned = verifiersPlanned
        self.manifestPath = manifestPath
        self.dirtyAtStart = dirtyAtStart
        self.candidates = candidates
        self.reviews = reviews
        self.consensus = consensus
    }

    /// The candidate for `agent`, if it has been recorded.
    public func candidate(_ agent: String) -> CandidateRecord? { candidates.first { $0.agent == agent } }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", runID = "run_id", specPath = "spec", specTitle = "spec_title"
        case specHash = "spec_hash", baseRef = "base_ref", baseSHA = "base_sha", status
        case createdAt = "created_at", finishedAt = "finished_at", agentsPlanned = "agents_planned"
        case verifiersPlanned = "verifiers_planned", manifestPath = "manifest_path", dirtyAtStart = "dirty_at_start"
        case candidates, reviews, consensus
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion <= AgonJSON.schemaVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .schemaVersion, in: c,
                debugDescription: "schema_version \(schemaVersion) is newer than this agon understands (\(AgonJSON.schemaVersion)); upgrade agon")
        }
        runID = try c.decode(String.self, forKey: .runID)
        specPath = try c.decode(String.self, forKey: .specPath)
        specTitle = try c.decode(String.self, forKey: .specTitle)
        specHash = try c.decode(String.self, forKey: .specHash)
        baseRef = try c.decode(String.self, forKey: .baseRef)
        baseSHA = try c.decode(String.self, forKey: .baseSHA)
        status = try c.decode(RunStatus.self, forKey: .status)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        finishedAt = try c.decodeIfPresent(Date.self, forKey: .finishedAt)
        agentsPlanned = try c.decode([String].self, forKey: .agentsPlanned)
        verifiersPlanned = try c.decode([String].self, forKey: .verifiersPlanned)
        manifestPath = try c.decodeIfPresent(String.self, forKey: .manifestPath)
        dirtyAtStart = try c.decode(Bool.self, forKey: .dirtyAtStart)
        candidates = try c.decode([CandidateRecord].self, forKey: .candidates)
        reviews = try c.decode([ReviewRecord].self, forKey: .reviews)
        consensus = try c.decodeIfPresent(ConsensusRecord.self, forKey: .consensus)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(runID, forKey: .runID)
        try c.encode(specPath, forKey: .specPath)
        try c.encode(specTitle, forKey: .specTitle)
        try c.encode(specHash, forKey: .specHash)
        try c.encode(baseRef, forKey: .baseRef)
        try c.encode(baseSHA, forKey: .baseSHA)
        try c.encode(status, forKey: .status)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(agentsPlanned, forKey: .agentsPlanned)
        try c.encode(verifiersPlanned, forKey: .verifiersPlanned)
        try c.encode(manifestPath, forKey: .manifestPath)
        try c.encode(dirtyAtStart, forKey: .dirtyAtStart)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(reviews, forKey: .reviews)
        try c.encode(consensus, forKey: .consensus)
    }
}

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

/// Which check a result belongs to.
public enum CheckKind: String, CaseIterable, Codable, Sendable {
    case acceptance, holdout, scope
}

/// The overall status of each kind of check for one candidate.
public struct CheckSummary: Codable, Equatable, Sendable {
    public var acceptance: CheckStatus
    public var holdout: CheckStatus
    public var scope: CheckStatus

    public init(acceptance: CheckStatus = .skipped, holdout: CheckStatus = .skipped, scope: CheckStatus = .skipped) {
        self.acceptance = acceptance
        self.holdout = holdout
        self.scope = scope
    }

    public subscript(kind: CheckKind) -> CheckStatus {
        get {
            switch kind {
            case .acceptance: return acceptance
            case .holdout: return holdout
            case .scope: return scope
            }
        }
        set {
            switch kind {
            case .acceptance: acceptance = newValue
            case .holdout: holdout = newValue
            case .scope: scope = newValue
            }
        }
    }

    enum CodingKeys: String, CodingKey { case acceptance, holdout, scope }
}

/// One check command's result (its output is in the run directory at `outputPath`).
public struct CheckResult: Codable, Equatable, Sendable {
    public var kind: CheckKind
    public var command: String
    public var status: CheckStatus
    public var exitCode: Int32?
    public var durationMs: Int
    public var outputPath: String?

    public init(kind: CheckKind, command: String, status: CheckStatus, exitCode: Int32? = nil,
                durationMs: Int = 0, outputPath: String? = nil) {
        self.kind = kind
        self.command = command
        self.status = status
        self.exitCode = exitCode
        self.durationMs = durationMs
        self.outputPath = outputPath
    }

    enum CodingKeys: String, CodingKey {
        case kind, command, status, exitCode = "exit_code", durationMs = "duration_ms", outputPath = "output_path"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(command, forKey: .command)
        try c.encode(status, forKey: .status)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(outputPath, forKey: .outputPath)
    }
}

// MARK: - Review

/// How a verifier's review ended.
public enum ReviewStatus: String, CaseIterable, Codable, Sendable {
    /// A usable ranking was returned.
    case ok
    /// The verdict was unusable (malformed after the retry) and is left out of consensus.
    case excluded
    /// The packet failed the leak scan (or policy) and was never sent.
    case blocked
    /// The verifier process itself failed (crash, timeout, API error).
    case failed
}

/// A verifier's comments on one candidate.
public struct ReviewNote: Codable, Equatable, Sendable {
    public var summary: String
    public var risks: [String]
    public var recommendation: String

    public init(summary: String, risks: [String] = [], recommendation: String = "") {
        self.summary = summary
        self.risks = risks
        self.recommendation = recommendation
    }

    enum CodingKeys: String, CodingKey { case summary, risks, recommendation }
}

/// One verifier's blinded review of a run's candidates, unblinded back to agent ids.
public struct ReviewRecord: Codable, Equatable, Sendable {
    public var verifier: String
    public var harness: Harness
    public var model: String?
    public var status: ReviewStatus
    /// Why the review is not `ok` (one line).
    public var reason: String?
    /// Seed of the random display order and labels (reproducible packets).
    public var seed: UInt64
    /// Agent ids in the order the verifier saw them.
    public var displayOrder: [String]
    /// Packet label ("A", "B", …) → agent id.
    public var labels: [String: String]
    /// Agent ids best first; may be partial (e.g. self-preference dropped).
    public var ranking: [String]
    /// Agents removed from this ranking because they share the verifier's model family.
    public var droppedSelfPreference: [String]
    /// Agent id → the verifier's note on that candidate.
    public var notes: [String: ReviewNote]
    public var costUSD: Double?
    public var costSource: CostSource
    public var tokens: TokenUsage
    /// With `swap: true`: the ranking of the second pass, shown in reversed order (empty otherwise).
    public var swapRanking: [String] = []
    /// With `swap: true`: the share of candidate pairs ordered the same in both passes (1 = no
    /// position effect); nil without a usable second pass.
    public var swapConsistency: Double?
    public var durationMs: Int
    public var packetPath: String?
    public var verdictPath: String?

    public init(verifier: String, harness: Harness, model: String? = nil, status: ReviewStatus,
                reason: String? = nil, seed: UInt64, displayOrder: [String] = [], labels: [String: String] = [:],
                ranking: [String] = [], droppedSelfPreference: [String] = [], notes: [String: ReviewNote] = [:],
                costUSD: Double? = nil, costSource: CostSource = .unpriced, tokens: TokenUsage = .zero,
                durationMs: Int = 0, packetPath: String? = nil, verdictPath: String? = nil) {
        self.verifier = verifier
        self.harness = harness
        self.model = model
        self.status = status
        self.reason = reason
        self.seed = seed
        self.displayOrder = displayOrder
        self.labels = labels
        self.ranking = ranking
        self.droppedSelfPreference = droppedSelfPreference
        self.notes = notes
        self.costUSD = costUSD
        self.costSource = costSource
        self.tokens = tokens
        self.durationMs = durationMs
        self.packetPath = packetPath
        self.verdictPath = verdictPath
    }

    enum CodingKeys: String, CodingKey {
        case verifier, harness, model, status, reason, seed, displayOrder = "display_order", labels, ranking
        case droppedSelfPreference = "dropped_self_preference", notes, costUSD = "cost_usd"
        case costSource = "cost_source", tokens, durationMs = "duration_ms", packetPath = "packet_path"
        case verdictPath = "verdict_path", swapRanking = "swap_ranking", swapConsistency = "swap_consistency"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        verifier = try c.decode(String.self, forKey: .verifier)
        harness = try c.decode(Harness.self, forKey: .harness)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        status = try c.decode(ReviewStatus.self, forKey: .status)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        seed = try c.decode(UInt64.self, forKey: .seed)
        displayOrder = try c.decode([String].self, forKey: .displayOrder)
        labels = try c.decode([String: String].self, forKey: .labels)
        ranking = try c.decode([String].self, forKey: .ranking)
        droppedSelfPreference = try c.decode([String].self, forKey: .droppedSelfPreference)
        notes = try c.decode([String: ReviewNote].self, forKey: .notes)
        costUSD = try c.decodeIfPresent(Double.self, forKey: .costUSD)
        costSource = try c.decode(CostSource.self, forKey: .costSource)
        tokens = try c.decode(TokenUsage.self, forKey: .tokens)
        durationMs = try c.decode(Int.self, forKey: .durationMs)
        packetPath = try c.decodeIfPresent(String.self, forKey: .packetPath)
        verdictPath = try c.decodeIfPresent(String.self, forKey: .verdictPath)
        swapRanking = try c.decodeIfPresent([String].self, forKey: .swapRanking) ?? []
        swapConsistency = try c.decodeIfPresent(Double.self, forKey: .swapConsistency)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(verifier, forKey: .verifier)
        try c.encode(harness, forKey: .harness)
        try c.encode(model, forKey: .model)
        try c.encode(status, forKey: .status)
        try c.encode(reason, forKey: .reason)
        try c.encode(seed, forKey: .seed)
        try c.encode(displayOrder, forKey: .displayOrder)
        try c.encode(labels, forKey: .labels)
        try c.encode(ranking, forKey: .ranking)
        try c.encode(droppedSelfPreference, forKey: .droppedSelfPreference)
        try c.encode(notes, forKey: .notes)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(costSource, forKey: .costSource)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(packetPath, forKey: .packetPath)
        try c.encode(verdictPath, forKey: .verdictPath)
        try c.encode(swapRanking, forKey: .swapRanking)
        try c.encode(swapConsistency, forKey: .swapConsistency)
    }
}

// MARK: - Consensus

/// The panel's merged ranking for one run (`consensus.json`).
public struct ConsensusRecord: Codable, Equatable, Sendable {
    /// Agent ids, best first (gated candidates last).
    public var ranking: [String]
    /// How `ranking` was computed, e.g. `kemeny` or `borda`.
    public var method: String
    /// Kendall's W over the verifiers' rankings; nil with fewer than two usable verdicts.
    public var kendallW: Double?
    public var split: Bool
    public var splitReasons: [String]
    /// The Borda ranking, reported alongside whatever `method` chose.
    public var bordaRanking: [String]
    /// Verifier → Kendall's tau between its ranking and the consensus (nil when undefined).
    public var perVerifierTau: [String: Double?]
    /// Agents ranked below the rest because they were gated (no diff, killed, acceptance failed).
    public var gated: [String]
    /// `ranking` cut into groups of equal standing, best first: candidates no evidence orders
    /// (no verdict, the same gate failure) share a group, and `ranking`'s order within a group
    /// means nothing. Empty in records written before it existed.
    public var tiers: [[String]]

    public init(ranking: [String], method: String, kendallW: Double? = nil, split: Bool = false,
                splitReasons: [String] = [], bordaRanking: [String] = [], perVerifierTau: [String: Double?] = [:],
                gated: [String] = [], tiers: [[String]] = []) {
        self.tiers = tiers
        self.ranking = ranking
        self.method = method
        self.kendallW = kendallW
        self.split = split
        self.splitReasons = splitReasons
        self.bordaRanking = bordaRanking
        self.perVerifierTau = perVerifierTau
        self.gated = gated
    }

    /// `method` of a consensus made without verifiers because only one candidate passed.
    public static let onePassingMethod = "unreviewed: only one candidate passed its checks"
    /// `method` when no candidate passed: the ranking is the gate order only.
    public static let nonePassingMethod = "unreviewed: no candidate passed its checks (all gated)"
    /// `method` when no verdict was usable: the passing candidates are tied (listed in run order
    /// only because a list needs some order) and there is no winner.
    public static let noVerdictsMethod = "unreviewed: no usable verdict (passing candidates tied, no winner)"
    /// The same method as recorded by earlier versions, which called the tie "run order".
    static let legacyNoVerdictsMethod = "unreviewed: no usable verdict (passing candidates in run order)"

    /// Whether the ranking says who is best (not when nobody passed or no verdict was usable).
    public var isDecided: Bool {
        method != Self.nonePassingMethod && method != Self.noVerdictsMethod && method != Self.legacyNoVerdictsMethod
    }

    /// The passing candidates that share first place because no verdict ordered them (empty when decided).
    public var tied: [String] {
        method == Self.noVerdictsMethod || method == Self.legacyNoVerdictsMethod ? ranking.filter { !gated.contains($0) } : []
    }

    /// The consensus winner: the top candidate of a decided ranking when it passed the gate.
    public var winner: String? {
        guard isDecided, let first = ranking.first, !gated.contains(first) else { return nil }
        return first
    }

    enum CodingKeys: String, CodingKey {
        case ranking, method, kendallW = "kendall_w", split, splitReasons = "split_reasons"
        case bordaRanking = "borda_ranking", perVerifierTau = "per_verifier_tau", gated, tiers
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ranking = try c.decode([String].self, forKey: .ranking)
        method = try c.decode(String.self, forKey: .method)
        kendallW = try c.decodeIfPresent(Double.self, forKey: .kendallW)
        split = try c.decode(Bool.self, forKey: .split)
        splitReasons = try c.decode([String].self, forKey: .splitReasons)
        bordaRanking = try c.decode([String].self, forKey: .bordaRanking)
        perVerifierTau = try c.decode([String: Double?].self, forKey: .perVerifierTau)
        gated = try c.decode([String].self, forKey: .gated)
        tiers = try c.decodeIfPresent([[String]].self, forKey: .tiers) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ranking, forKey: .ranking)
        try c.encode(method, forKey: .method)
        try c.encode(kendallW, forKey: .kendallW)
        try c.encode(split, forKey: .split)
        try c.encode(splitReasons, forKey: .splitReasons)
        try c.encode(bordaRanking, forKey: .bordaRanking)
        try c.encode(perVerifierTau, forKey: .perVerifierTau)
        try c.encode(gated, forKey: .gated)
        try c.encode(tiers, forKey: .tiers)
    }
}

// MARK: - Picks

/// A human's pick: `agon apply RUN CANDIDATE` (the leaderboard counts these).
public struct ApplyRecord: Codable, Equatable, Sendable {
    public var runID: String
    public var agent: String
    public var appliedAt: Date
    /// Whether `agon apply` committed the patch (otherwise it left it in the working tree).
    public var committed: Bool
    public var commitSHA: String?

    public init(runID: String, agent: String, appliedAt: Date, committed: Bool, commitSHA: String? = nil) {
        self.runID = runID
        self.agent = agent
        self.appliedAt = appliedAt
        self.committed = committed
        self.commitSHA = commitSHA
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", agent, appliedAt = "applied_at", committed, commitSHA = "commit_sha"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runID, forKey: .runID)
        try c.encode(agent, forKey: .agent)
        try c.encode(appliedAt, forKey: .appliedAt)
        try c.encode(committed, forKey: .committed)
        try c.encode(commitSHA, forKey: .commitSHA)
    }
}

// MARK: - JSON

/// A top-level JSON document: `body`'s keys plus `"schema_version"` (for files such as `consensus.json`).
public struct VersionedDocument<Body: Codable>: Codable {
    public var schemaVersion: Int
    public var body: Body

    public init(_ body: Body, schemaVersion: Int = AgonJSON.schemaVersion) {
        self.schemaVersion = schemaVersion
        self.body = body
    }

    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion <= AgonJSON.schemaVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .schemaVersion, in: c,
                debugDescription: "schema_version \(schemaVersion) is newer than this agon understands (\(AgonJSON.schemaVersion)); upgrade agon")
        }
        body = try Body(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        // Both write into the same keyed container, so the document is one flat object.
        try body.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
    }
}

/// The one JSON dialect Agon writes: sorted keys, ISO-8601 UTC dates with milliseconds.
///
/// Dates carry millisecond precision; `AgonJSON.millisecondPrecision(_:)` gives the value a
/// date will have after a round trip.
public enum AgonJSON {
    /// The `schema_version` of every document this build writes.
    public static let schemaVersion = 1

    /// Pretty, sorted-key encoder for files and `--json` output.
    public static let encoder: JSONEncoder = makeEncoder(pretty: true)
    /// Single-line, sorted-key encoder (database columns, JSONL).
    public static let compactEncoder: JSONEncoder = makeEncoder(pretty: false)
    public static let decoder: JSONDecoder = makeDecoder()

    public static func makeEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(formatDate(date))
        }
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "expected an ISO-8601 date like 2026-01-31T12:00:00.000Z, got \"\(text)\"")
            }
            return date
        }
        return decoder
    }

    /// `date` rounded to the millisecond: what it will be after a JSON or database round trip.
    public static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    /// `2026-01-31T12:00:00.123Z`.
    public static func formatDate(_ date: Date) -> String {
        let ms = milliseconds(date)
        var seconds = time_t(floorDiv(ms, 1000))
        let millis = Int(ms - floorDiv(ms, 1000) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900,
                      Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
                      Int(parts.tm_sec), millis)
    }

    /// Parses ISO-8601 with or without fractional seconds, `Z` or a `±HH:MM` offset.
    public static func parseDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[from..<(from + count)] {
                guard b >= 48, b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 116,
              bytes[13] == 58, bytes[16] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if index < bytes.count, bytes[index] == 46 { // '.'
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        var offsetSeconds = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == 90 || bytes[index] == 122 { // 'Z'
            index += 1
        } else if bytes[index] == 43 || bytes[index] == 45 { // '+' / '-'
            guard let oh = number(index + 1, 2), index + 3 < bytes.count, bytes[index + 3] == 58,
                  let om = number(index + 4, 2) else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (bytes[index] == 43 ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = Int64(timegm(&parts)) - Int64(offsetSeconds)
        return Date(timeIntervalSince1970: Double(epoch * 1000 + Int64(millis)) / 1000)
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
