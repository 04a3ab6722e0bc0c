import Foundation
import Yams

// Cascades (`strategy: { cascade: [[cheap-a, cheap-b], [frontier]] }`): the input, the rule that
// decides whether a tier served the run, and what the run records about it.

/// A run's strategy: every agent at once (nil), or tiers that run in turn until one serves.
public struct CascadeStrategy: Equatable, Sendable, Codable {
    /// Agent ids per tier, cheapest first; no tier is empty and no id appears twice.
    public var tiers: [[String]]

    public init(tiers: [[String]]) { self.tiers = tiers }

    /// Every agent of every tier, in tier order.
    public var agents: [String] { tiers.flatMap { $0 } }

    /// The 1-based tier of `agent`, nil when it is in none.
    public func tier(of agent: String) -> Int? { tiers.firstIndex { $0.contains(agent) }.map { $0 + 1 } }

    /// Reads `strategy:` (a mapping whose only key is `cascade`, a list of lists of agent ids).
    static func read(_ fields: YAMLFields) throws -> CascadeStrategy {
        try fields.rejectUnknownKeys(["cascade"])
        guard let (keyNode, value) = fields.entry("cascade") else {
            throw fields.source.error(fields.node, fields.path, "expected { cascade: [[cheap-a, cheap-b], [frontier]] }")
        }
        let field = fields.fieldPath("cascade")
        guard case let .sequence(tierNodes) = value, !tierNodes.isEmpty else {
            throw fields.source.error(keyNode, field, "expected a list of tiers, each a list of agent ids, e.g. [[cheap-a, cheap-b], [frontier]]")
        }
        var tiers: [[String]] = []
        var seen: [String: Int] = [:]
        for (index, tierNode) in tierNodes.enumerated() {
            let tierField = "\(field)[\(index)]"
            guard case let .sequence(items) = tierNode else {
                throw fields.source.error(tierNode, tierField, "expected a list of agent ids, got \(tierNode.userDescription)")
            }
            guard !items.isEmpty else { throw fields.source.error(tierNode, tierField, "tier \(index + 1) is empty: name at least one agent") }
            var tier: [String] = []
            for (position, item) in items.enumerated() {
                guard case let .scalar(scalar) = item, !item.isNull else {
                    throw fields.source.error(item, "\(tierField)[\(position)]", "expected an agent id, got \(item.userDescription)")
                }
                if let earlier = seen[scalar.string] {
                    throw fields.source.error(item, "\(tierField)[\(position)]",
                                              "agent \"\(scalar.string)\" is already in tier \(earlier); each agent may be in one tier once")
                }
                seen[scalar.string] = index + 1
                tier.append(scalar.string)
            }
            tiers.append(tier)
        }
        return CascadeStrategy(tiers: tiers)
    }
}

/// Why a cascade went on to its next tier.
public enum EscalationReason: String, Codable, Sendable, CaseIterable {
    /// No candidate of the tier passed acceptance and scope (or ran to the end with a diff).
    case noCandidatePassed = "no_candidate_passed"
    /// Verifiers reviewed and the consensus winner's panel majority did not recommend `apply`.
    case panelDidNotRecommendApply = "panel_did_not_recommend_apply"
    /// Verifiers reviewed but the consensus named no winner (no usable verdict, a tie).
    case noConsensusWinner = "no_consensus_winner"
}

/// One step up a cascade.
public struct CascadeEscalation: Codable, Equatable, Sendable {
    /// The 1-based tier that did not serve the run.
    public var fromTier: Int
    public var reason: EscalationReason
    /// One line: what the tier's candidates or the panel did.
    public var detail: String
    /// What the reviews held after this tier cost once a later tier's review replaced them (their
    /// spend is kept here, so the run's verifier spend stays whole); nil when none were replaced.
    public var reviewCostUSD: Double?

    public init(fromTier: Int, reason: EscalationReason, detail: String, reviewCostUSD: Double? = nil) {
        self.fromTier = fromTier
        self.reason = reason
        self.detail = detail
        self.reviewCostUSD = reviewCostUSD
    }

    enum CodingKeys: String, CodingKey {
        case fromTier = "from_tier", reason, detail, reviewCostUSD = "review_cost_usd"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fromTier, forKey: .fromTier)
        try c.encode(reason, forKey: .reason)
        try c.encode(detail, forKey: .detail)
        try c.encode(reviewCostUSD, forKey: .reviewCostUSD)
    }
}

/// The tiers a cascade did not run, priced from the leaderboard's history: an estimate.
public struct CostAvoidedEstimate: Codable, Equatable, Sendable {
    /// Sum of `perAgentUSD`; an estimate, not a measurement.
    public var estimateUSD: Double
    /// Skipped agent → its leaderboard cost per task (mean cost of its priced runs).
    public var perAgentUSD: [String: Double]
    /// Skipped agents with no priced history: not in the estimate.
    public var agentsWithoutHistory: [String]

    public init(estimateUSD: Double, perAgentUSD: [String: Double], agentsWithoutHistory: [String]) {
        self.estimateUSD = estimateUSD
        self.perAgentUSD = perAgentUSD
        self.agentsWithoutHistory = agentsWithoutHistory
    }

    /// The estimate from `costPerTask` (nil = no history for that agent); nil when no skipped agent has history.
    public static func estimate(skipped: [String], costPerTask: (String) -> Double?) -> CostAvoidedEstimate? {
        var known: [String: Double] = [:]
        var unknown: [String] = []
        for agent in skipped {
            if let cost = costPerTask(agent) { known[agent] = cost } else { unknown.append(agent) }
        }
        guard !known.isEmpty else { return nil }
        return CostAvoidedEstimate(estimateUSD: known.values.reduce(0, +), perAgentUSD: known, agentsWithoutHistory: unknown)
    }

    enum CodingKeys: String, CodingKey {
        case estimateUSD = "estimate_usd", perAgentUSD = "per_agent_usd", agentsWithoutHistory = "agents_without_history"
    }
}

/// What a cascade did in one run (`RunRecord.cascade`).
public struct CascadeRecord: Codable, Equatable, Sendable {
    /// The configured tiers (agent ids).
    public var tiers: [[String]]
    /// The 1-based tier that served the run; nil when every tier ran and none served.
    public var servedByTier: Int?
    /// One entry per tier that did not serve, in order.
    public var escalations: [CascadeEscalation]
    /// Tiers after the serving one, never started.
    public var skippedAgents: [String]
    /// The skipped agents' expected cost; nil when nothing was skipped or none has history.
    public var costAvoided: CostAvoidedEstimate?

    public init(tiers: [[String]], servedByTier: Int? = nil, escalations: [CascadeEscalation] = [],
                skippedAgents: [String] = [], costAvoided: CostAvoidedEstimate? = nil) {
        self.tiers = tiers
        self.servedByTier = servedByTier
        self.escalations = escalations
        self.skippedAgents = skippedAgents
        self.costAvoided = costAvoided
    }

    enum CodingKeys: String, CodingKey {
        case tiers, servedByTier = "served_by_tier", escalations, skippedAgents = "skipped_agents", costAvoided = "cost_avoided"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tiers, forKey: .tiers)
        try c.encode(servedByTier, forKey: .servedByTier)
        try c.encode(escalations, forKey: .escalations)
        try c.encode(skippedAgents, forKey: .skippedAgents)
        try c.encode(costAvoided, forKey: .costAvoided)
    }
}

/// The one rule for whether a cascade tier served the run.
public enum CascadeRules {
    /// A candidate clears the cascade's gates: it passed the review gate (ran to the end, left a
    /// diff, acceptance did not fail, no gating finding) and its scope did not fail. The holdout
    /// is never a gate: it stays a score, so a cascade cannot leak it.
    public static func clearsGates(_ candidate: CandidateRecord) -> Bool {
        candidate.passedGate && candidate.checks.scope != .failed
    }

    /// Whether the candidates so far serve the run, or why not. With verifiers configured and a
    /// review held (`reviews` non-empty), the consensus winner must clear the gates and a strict
    /// majority of the usable reviews' notes on it must recommend `apply`. With no review held
    /// (no verifiers, or only one candidate cleared the gates, which the panel cannot compare),
    /// the gates alone decide.
    public static func decide(candidates: [CandidateRecord], consensus: ConsensusRecord?,
                              reviews: [ReviewRecord]) -> (served: Bool, reason: EscalationReason?, detail: String) {
        let clearing = candidates.filter(clearsGates).map(\.agent)
        guard !clearing.isEmpty else {
            let scopeOnly = candidates.filter { $0.passedGate && $0.checks.scope == .failed }.map(\.agent)
            let detail = scopeOnly.isEmpty ? "no candidate passed acceptance"
                : "no candidate passed acceptance and scope (outside scope: \(scopeOnly.joined(separator: ", ")))"
            return (false, .noCandidatePassed, detail)
        }
        let usable = reviews.filter { $0.status == .ok }
        guard !reviews.isEmpty else {
            return (true, nil, "\(clearing.joined(separator: ", ")) passed the gates" + (clearing.count == 1 ? "" : " (no review)"))
        }
        guard let winner = consensus?.winner, clearing.contains(winner) else {
            return (false, .noConsensusWinner, "the panel named no winner among \(clearing.joined(separator: ", "))")
        }
        let notes = usable.compactMap { $0.notes[winner]?.recommendation.lowercased() }
        let applies = notes.filter { $0 == "apply" }.count
        if !notes.isEmpty && applies * 2 > notes.count {
            return (true, nil, "panel recommends apply for \(winner) (\(applies) of \(notes.count))")
        }
        let said = notes.isEmpty ? "no recommendation" : notes.joined(separator: ", ")
        return (false, .panelDidNotRecommendApply, "panel on \(winner): \(said)")
    }
}
