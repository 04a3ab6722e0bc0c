import Foundation

// Part of the run record; RunRecord.swift states the JSON conventions all records follow.

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
