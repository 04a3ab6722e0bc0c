import AgonCore
import Foundation

/// One run as the leaderboard reads it: only the fields its statistics use, so a store of
/// tens of thousands of runs loads from indexed columns without decoding any record JSON
/// (`RunStore.leaderboardRuns`). `init(_:)` projects a full record the same way.
public struct LeaderboardRun: Equatable, Sendable {
    public var runID: String
    public var specHash: String
    public var createdAt: Date
    public var consensus: LeaderboardConsensus?
    public var candidates: [LeaderboardCandidate]
    public var reviews: [LeaderboardReview]

    public init(runID: String, specHash: String, createdAt: Date, consensus: LeaderboardConsensus?,
                candidates: [LeaderboardCandidate], reviews: [LeaderboardReview]) {
        self.runID = runID
        self.specHash = specHash
        self.createdAt = createdAt
        self.consensus = consensus
        self.candidates = candidates
        self.reviews = reviews
    }

    /// The projection of a full record (what the store returns for it once saved).
    public init(_ record: RunRecord) {
        self.init(runID: record.runID, specHash: record.specHash, createdAt: AgonJSON.millisecondPrecision(record.createdAt),
                  consensus: record.consensus.map(LeaderboardConsensus.init), candidates: record.candidates.map(LeaderboardCandidate.init),
                  reviews: record.reviews.map(LeaderboardReview.init))
    }
}

/// The parts of a run's consensus the leaderboard uses.
public struct LeaderboardConsensus: Equatable, Sendable {
    /// Agent ids, best first.
    public var ranking: [String]
    /// Candidates that failed the gate (ranked below every passing one).
    public var gated: [String]

    public var winner: String? { ranking.first.flatMap { gated.contains($0) ? nil : $0 } }

    public init(ranking: [String], gated: [String]) {
        self.ranking = ranking
        self.gated = gated
    }

    /// An undecided consensus keeps only its gated candidates (its order says nothing about who won).
    public init(_ record: ConsensusRecord) {
        self.init(ranking: record.isDecided ? record.ranking : record.ranking.filter(record.gated.contains), gated: record.gated)
    }
}

/// Which kinds of check actually ran (a `CheckResult` of that kind exists).
public struct CheckKinds: OptionSet, Equatable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let acceptance = CheckKinds(rawValue: 1)
    public static let holdout = CheckKinds(rawValue: 2)
    public static let scope = CheckKinds(rawValue: 4)

    public init(_ kind: CheckKind) {
        switch kind {
        case .acceptance: self = .acceptance
        case .holdout: self = .holdout
        case .scope: self = .scope
        }
    }

    /// The kinds of `results`.
    public init(_ results: [CheckResult]) {
        self = results.reduce(into: CheckKinds()) { $0.insert(CheckKinds($1.kind)) }
    }

    /// The set of `kinds`.
    public init(_ kinds: [CheckKind]) {
        self = kinds.reduce(into: CheckKinds()) { $0.insert(CheckKinds($1)) }
    }

    public func contains(_ kind: CheckKind) -> Bool { contains(CheckKinds(kind)) }
}

/// The parts of a candidate the leaderboard uses.
public struct LeaderboardCandidate: Equatable, Sendable {
    public var agent: String
    public var harness: Harness
    public var model: String?
    public var outcome: Outcome?
    public var costUSD: Double?
    public var costSource: CostSource
    /// `TokenUsage.total`.
    public var tokens: Int
    public var turns: Int
    public var firstAttemptMs: Int?
    public var durationMs: Int?
    public var tokensPerSec: Double?
    /// Files the diff changes (0: no changes).
    public var diffFiles: Int
    public var checks: CheckSummary
    public var checksRun: CheckKinds
    /// The candidate reused an exact repeat's result (`CandidateRecord.cacheHit`): not an observation.
    public var cacheHit: Bool
    /// Its attempts (`agon followup`); every field above is attempt 1's.
    public var attempts: AttemptSummary

    public init(agent: String, harness: Harness, model: String?, outcome: Outcome?, costUSD: Double?, costSource: CostSource,
                tokens: Int, turns: Int, firstAttemptMs: Int?, durationMs: Int?, tokensPerSec: Double?, diffFiles: Int,
                checks: CheckSummary, checksRun: CheckKinds, cacheHit: Bool = false, attempts: AttemptSummary? = nil) {
        self.cacheHit = cacheHit
        self.attempts = attempts ?? AttemptSummary(
            count: 1, successAttempt: CandidateRules.succeeded(outcome: outcome, diffFiles: diffFiles, checks: checks,
                                                               ran: checksRun.contains) ? 1 : nil,
            totalCostUSD: costSource == .unpriced ? nil : costUSD)
        self.agent = agent
        self.harness = harness
        self.model = model
        self.outcome = outcome
        self.costUSD = costUSD
        self.costSource = costSource
        self.tokens = tokens
        self.turns = turns
        self.firstAttemptMs = firstAttemptMs
        self.durationMs = durationMs
        self.tokensPerSec = tokensPerSec
        self.diffFiles = diffFiles
        self.checks = checks
        self.checksRun = checksRun
    }

    /// Attempt 1 of a full record, and its attempts.
    public init(_ c: CandidateRecord) {
        let first = c.attemptHistory[0]
        self.init(agent: c.agent, harness: c.harness, model: c.model, outcome: first.outcome, costUSD: first.costUSD,
                  costSource: first.costSource, tokens: first.tokens.total, turns: first.turns, firstAttemptMs: c.firstAttemptMs,
                  durationMs: first.durationMs, tokensPerSec: c.tokensPerSec, diffFiles: first.diffFiles, checks: first.checks,
                  checksRun: CheckKinds(first.checksRun), cacheHit: c.cacheHit != nil, attempts: AttemptSummary(c))
    }
}

/// The parts of a review the leaderboard uses.
public struct LeaderboardReview: Equatable, Sendable {
    public var verifier: String
    public var harness: Harness
    public var model: String?
    public var status: ReviewStatus
    public var costUSD: Double?
    /// Agent ids, best first.
    public var ranking: [String]
    /// Agent ids in the order the packet showed them.
    public var displayOrder: [String]
    /// How many candidates were left out of its ranking for self-preference.
    public var droppedSelfPreference: Int
    /// With `swap: true`: the share of candidate pairs its two passes ordered alike (nil without one).
    public var swapConsistency: Double?

    public init(verifier: String, harness: Harness, model: String?, status: ReviewStatus, costUSD: Double?,
                ranking: [String], displayOrder: [String], droppedSelfPreference: Int, swapConsistency: Double? = nil) {
        self.verifier = verifier
        self.harness = harness
        self.model = model
        self.status = status
        self.costUSD = costUSD
        self.ranking = ranking
        self.displayOrder = displayOrder
        self.droppedSelfPreference = droppedSelfPreference
        self.swapConsistency = swapConsistency
    }

    public init(_ r: ReviewRecord) {
        self.init(verifier: r.verifier, harness: r.harness, model: r.model, status: r.status, costUSD: r.costUSD,
                  ranking: r.ranking, displayOrder: r.displayOrder, droppedSelfPreference: r.droppedSelfPreference.count,
                  swapConsistency: r.swapConsistency)
    }
}

extension LeaderboardCandidate {
    /// `CandidateRules.passedGate` on the projection.
    public var passedGate: Bool {
        CandidateRules.passedGate(outcome: outcome, diffFiles: diffFiles, acceptance: checks.acceptance)
    }

    /// `CandidateRules.succeeded` on the projection.
    public var succeeded: Bool {
        CandidateRules.succeeded(outcome: outcome, diffFiles: diffFiles, checks: checks, ran: checksRun.contains)
    }
}
