import Foundation

// Part of the run record; RunRecord.swift states the JSON conventions all records follow.

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
