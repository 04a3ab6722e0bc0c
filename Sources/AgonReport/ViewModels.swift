import AgonCore
import AgonLeaderboard
import Foundation

// Plain view models the report renders. The tournament fills them from its records, so the
// renderers never depend on how runs are stored or scored.

/// One candidate of a run, as shown in tables and the HTML report.
public struct CandidateView: Equatable, Sendable {
    public var agent: String
    public var harness: Harness
    public var model: String
    public var outcome: Outcome
    /// Nil when unknown (unpriced or not yet metered).
    public var costUSD: Double?
    public var costSource: CostSource
    /// Nil or 0 means no enforced budget.
    public var budgetUSD: Double?
    public var tokens: TokenUsage
    public var turns: Int?
    public var durationMs: Int?
    public var checks: CheckSummary
    public var diff: DiffSummary
    /// Consensus rank (1 = best), nil before review.
    public var rank: Int?
    /// How the agent was contained (`CandidateRecord.sandbox`: `bwrap` or `none`); nil in records
    /// older than the sandbox.
    public var sandbox: String?
    /// Without a sandbox: what changed in the shared git dir while the agent or its checks ran.
    public var tampering: [String]

    /// Whether the record says the agent ran without a sandbox.
    public var unsandboxed: Bool { sandbox == SandboxMode.none.rawValue }

    public init(agent: String, harness: Harness, model: String, outcome: Outcome, costUSD: Double?,
                costSource: CostSource, budgetUSD: Double? = nil, tokens: TokenUsage = .zero, turns: Int? = nil,
                durationMs: Int? = nil, checks: CheckSummary = CheckSummary(), diff: DiffSummary = DiffSummary(),
                rank: Int? = nil, sandbox: String? = nil, tampering: [String] = []) {
        self.agent = agent
        self.harness = harness
        self.model = model
        self.outcome = outcome
        self.costUSD = costUSD
        self.costSource = costSource
        self.budgetUSD = budgetUSD
        self.tokens = tokens
        self.turns = turns
        self.durationMs = durationMs
        self.checks = checks
        self.diff = diff
        self.rank = rank
        self.sandbox = sandbox
        self.tampering = tampering
    }
}

/// The merged ranking of one run.
public struct ConsensusView: Equatable, Sendable {
    /// Agent ids, best first.
    public var ranking: [String]
    /// e.g. "kemeny" or "borda".
    public var method: String
    public var kendallW: Double?
    public var split: Bool
    /// Agents recommended for human review, best first.
    public var shortlist: [String]
    /// The reported alternative (e.g. Borda next to Kemeny), if any.
    public var alternativeMethod: String?
    public var alternativeRanking: [String]?

    public init(ranking: [String], method: String, kendallW: Double? = nil, split: Bool = false,
                shortlist: [String] = [], alternativeMethod: String? = nil, alternativeRanking: [String]? = nil) {
        self.ranking = ranking
        self.method = method
        self.kendallW = kendallW
        self.split = split
        self.shortlist = shortlist
        self.alternativeMethod = alternativeMethod
        self.alternativeRanking = alternativeRanking
    }
}

/// One verifier's verdict on a run, already de-blinded to agent ids.
public struct ReviewView: Equatable, Sendable {
    public var verifier: String
    public var harness: Harness
    public var model: String
    /// Agent ids, best first; empty when the verdict was excluded.
    public var ranking: [String]
    /// Why the verdict was excluded (malformed, self-preference bar, …); nil when valid.
    public var excludedReason: String?
    public var notes: String?
    public var weight: Double
    public var costUSD: Double?

    public init(verifier: String, harness: Harness, model: String, ranking: [String], excludedReason: String? = nil,
                notes: String? = nil, weight: Double = 1, costUSD: Double? = nil) {
        self.verifier = verifier
        self.harness = harness
        self.model = model
        self.ranking = ranking
        self.excludedReason = excludedReason
        self.notes = notes
        self.weight = weight
        self.costUSD = costUSD
    }

    /// 1-based rank this verifier gave `agent`, nil if absent.
    public func rank(of agent: String) -> Int? {
        ranking.firstIndex(of: agent).map { $0 + 1 }
    }
}

/// Everything the report shows about one run.
public struct RunView: Equatable, Sendable {
    public var runID: String
    public var specTitle: String
    public var specBody: String
    public var baseSHA: String
    public var status: String
    public var candidates: [CandidateView]
    public var consensus: ConsensusView?
    public var reviews: [ReviewView]
    /// Patch text keyed by agent id.
    public var diffs: [String: String]
    /// The pre-review screen's findings, one line each (`neat: leak tests/a.txt:1: … (gated)`).
    public var findings: [String] = []
    /// Cascade, cache-hit and slow-agent lines (`RunStrategyText`), shown as they are.
    public var strategyNotes: [String] = []
    /// Candidates changed after the review (`agon followup`): the reviews and consensus describe earlier patches.
    public var reviewStale = false
    /// Per followed-up candidate, its attempts in one line (`FollowUpPresenter.attemptLines`).
    public var attemptLines: [String] = []

    public init(runID: String, specTitle: String, specBody: String, baseSHA: String, status: String,
                candidates: [CandidateView], consensus: ConsensusView? = nil, reviews: [ReviewView] = [],
                diffs: [String: String] = [:]) {
        self.runID = runID
        self.specTitle = specTitle
        self.specBody = specBody
        self.baseSHA = baseSHA
        self.status = status
        self.candidates = candidates
        self.consensus = consensus
        self.reviews = reviews
        self.diffs = diffs
    }
}

/// One agent's row of the cross-run leaderboard.
public struct LeaderboardRowView: Equatable, Sendable {
    public var agent: String
    public var harness: Harness
    public var model: String
    /// Elo-like rating; nil when the agent has no ranking observations.
    public var rating: Double?
    public var ratingLow: Double?
    public var ratingHigh: Double?
    public var rankLow: Int?
    public var rankHigh: Int?
    public var provisional: Bool
    public var runs: Int
    public var successRate: Double
    public var winRate: Double
    public var firstAttemptSuccess: Double
    /// Nil when unpriced.
    public var costPerTask: Double?
    public var costPerSuccess: CostPerSuccess
    public var tokensPerTask: Double
    public var verifierSpend: Double?
    public var medianTimeToFirstAttemptS: Double?
    /// Nil when the agent never succeeded.
    public var medianTimeToSuccessS: Double?
    public var medianTurns: Double?
    public var tokensPerSec: Double?
    public var costKilled: Int
    public var topErrors: [String]
    public var speedEfficiency: Double
    public var onFrontier: Bool
    /// Share of bootstrap replicates in which the agent was on the frontier (0…1).
    public var frontierFrequency: Double
    /// The follow-up columns (`AttemptStanding`); nil in views made without them.
    public var attempts: AttemptStanding?

    public init(agent: String, harness: Harness, model: String, rating: Double?, ratingLow: Double? = nil,
                ratingHigh: Double? = nil, rankLow: Int? = nil, rankHigh: Int? = nil, provisional: Bool = false,
                runs: Int, successRate: Double, winRate: Double = 0, firstAttemptSuccess: Double = 0,
                costPerTask: Double?, costPerSuccess: CostPerSuccess, tokensPerTask: Double = 0,
                verifierSpend: Double? = nil, medianTimeToFirstAttemptS: Double? = nil,
                medianTimeToSuccessS: Double? = nil, medianTurns: Double? = nil, tokensPerSec: Double? = nil,
                costKilled: Int = 0, topErrors: [String] = [], speedEfficiency: Double = 0,
                onFrontier: Bool = false, frontierFrequency: Double = 0, attempts: AttemptStanding? = nil) {
        self.attempts = attempts
        self.agent = agent
        self.harness = harness
        self.model = model
        self.rating = rating
        self.ratingLow = ratingLow
        self.ratingHigh = ratingHigh
        self.rankLow = rankLow
        self.rankHigh = rankHigh
        self.provisional = provisional
        self.runs = runs
        self.successRate = successRate
        self.winRate = winRate
        self.firstAttemptSuccess = firstAttemptSuccess
        self.costPerTask = costPerTask
        self.costPerSuccess = costPerSuccess
        self.tokensPerTask = tokensPerTask
        self.verifierSpend = verifierSpend
        self.medianTimeToFirstAttemptS = medianTimeToFirstAttemptS
        self.medianTimeToSuccessS = medianTimeToSuccessS
        self.medianTurns = medianTurns
        self.tokensPerSec = tokensPerSec
        self.costKilled = costKilled
        self.topErrors = topErrors
        self.speedEfficiency = speedEfficiency
        self.onFrontier = onFrontier
        self.frontierFrequency = frontierFrequency
    }
}

/// One verifier's row of the verifier-quality table.
public struct VerifierRowView: Equatable, Sendable {
    public var verifier: String
    public var harness: Harness
    public var model: String
    public var reviews: Int
    public var validVerdictRate: Double
    /// Mean Kendall's tau against the consensus.
    public var agreementTau: Double?
    /// Correlation of display position with given rank (0 = no bias).
    public var positionBias: Double?
    /// Mean share of candidate pairs a reversed-order second pass ordered alike (1 = no position
    /// effect); nil without `swap: true` reviews.
    public var swapConsistency: Double?
    /// How much better the verifier ranks its own model family than the panel does.
    public var selfPreference: Double?
    public var costUSD: Double?

    public init(verifier: String, harness: Harness, model: String, reviews: Int, validVerdictRate: Double,
                agreementTau: Double? = nil, positionBias: Double? = nil, swapConsistency: Double? = nil,
                selfPreference: Double? = nil, costUSD: Double? = nil) {
        self.verifier = verifier
        self.harness = harness
        self.model = model
        self.reviews = reviews
        self.validVerdictRate = validVerdictRate
        self.agreementTau = agreementTau
        self.positionBias = positionBias
        self.swapConsistency = swapConsistency
        self.selfPreference = selfPreference
        self.costUSD = costUSD
    }
}

/// The cross-run leaderboard.
public struct LeaderboardView: Equatable, Sendable {
    public var generatedAt: Date
    public var runs: Int
    /// Best first.
    public var rows: [LeaderboardRowView]
    public var verifiers: [VerifierRowView]
    public var bootstrapReplicates: Int
    public var seed: UInt64
    /// The report's trend, cost–speed frontier, error codes and spend per applied patch (nil: not computed).
    public var insights: LeaderboardInsights?

    public init(generatedAt: Date, runs: Int, rows: [LeaderboardRowView], verifiers: [VerifierRowView] = [],
                bootstrapReplicates: Int = 1000, seed: UInt64 = 0) {
        self.generatedAt = generatedAt
        self.runs = runs
        self.rows = rows
        self.verifiers = verifiers
        self.bootstrapReplicates = bootstrapReplicates
        self.seed = seed
    }
}
