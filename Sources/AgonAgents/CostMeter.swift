import AgonCore

/// What the supervisor should do after the meter took one event.
public enum MeterDecision: Equatable, Sendable {
    case `continue`
    /// The budget was just crossed; `costAtCross` is the enforcement cost at that event.
    case kill(costAtCross: Double)
}

/// Tallies one agent run's usage and cost from its `AgentEvent`s and decides when the budget is crossed.
///
/// - Usage: `.usage` deltas add up; `.usageSnapshot` (cumulative totals) raises each component to
///   at least the snapshot (component-wise max), so snapshots and deltas from one stream never
///   double-count.
/// - Computed cost: `price.cost(of: usage)`. One price per agent run: a model id changing
///   mid-stream does not switch prices.
/// - Reported cost: the highest cumulative total seen plus the sum of reported deltas.
/// - `costUSD`: reported when available and `preferReported`, else computed, else reported; nil
///   (`costSource == .unpriced`) when there is neither a price nor a reported cost.
/// - Enforcement: `cap` nil or ≤ 0 means tally only. Otherwise the meter kills when the HIGHER of
///   computed and reported cost becomes strictly greater than `cap` (spending exactly the budget
///   is allowed). It returns `.kill` exactly once; the overshoot is at most the one event that
///   crossed the cap.
public struct CostMeter: Sendable {
    public let price: ModelPrice?
    public let cap: Double?
    public let preferReported: Bool
    /// Usage an earlier process of the same session already reported: cumulative snapshots
    /// (`codex exec resume` continues the thread's running total) are counted above it only.
    public let snapshotBaseline: TokenUsage
    /// Likewise for a cumulative reported cost (Claude Code's `total_cost_usd` after `--resume`).
    public let reportedCostBaseline: Double

    public private(set) var usage = TokenUsage.zero
    public private(set) var model: String?
    public private(set) var sessionID: String?
    public private(set) var turns = 0
    public private(set) var fileEdits = 0
    /// The cost at which the budget was crossed, once it was.
    public private(set) var killedAt: Double?
    private var reportedCumulative: Double?
    private var reportedDeltas: Double?

    public init(price: ModelPrice?, cap: Double?, preferReported: Bool = true, snapshotBaseline: TokenUsage = .zero,
                reportedCostBaseline: Double = 0) {
        self.snapshotBaseline = snapshotBaseline
        self.reportedCostBaseline = reportedCostBaseline
        self.price = price
        self.cap = cap.flatMap { $0 > 0 ? $0 : nil }
        self.preferReported = preferReported
    }

    /// The cost from the price table, nil when the model is unpriced.
    public var computedUSD: Double? { price?.cost(of: usage) }

    /// The cost the CLI reported, nil when it reported none.
    public var reportedUSD: Double? {
        switch (reportedCumulative, reportedDeltas) {
        case (nil, nil): return nil
        case let (c, d): return (c ?? 0) + (d ?? 0)
        }
    }

    /// The cost Agon records for the candidate (see `costSource`).
    public var costUSD: Double? {
        switch costSource {
        case .reported: return reportedUSD
        case .computed: return computedUSD
        case .unpriced: return nil
        }
    }

    public var costSource: CostSource {
        if reportedUSD != nil && (preferReported || price == nil) { return .reported }
        if price != nil { return .computed }
        return .unpriced
    }

    /// The cost the budget is enforced against: the higher of computed and reported.
    public var enforcementUSD: Double? {
        switch (computedUSD, reportedUSD) {
        case (nil, nil): return nil
        case let (c, r): return max(c ?? 0, r ?? 0)
        }
    }

    public var isEnforcing: Bool { cap != nil }

    public mutating func apply(_ event: AgentEvent) -> MeterDecision {
        switch event {
        case .session(let id): sessionID = id
        case .model(let m): model = m
        case .usage(let delta, let m):
            usage += delta
            if model == nil { model = m }
        case .usageSnapshot(let total, let m):
            usage = UsageNormalisation.max(usage, total - snapshotBaseline)
            if model == nil { model = m }
        case .reportedCost(let usd, let cumulative):
            guard usd.isFinite, usd >= 0 else { return .continue }
            if cumulative {
                reportedCumulative = max(reportedCumulative ?? 0, usd - reportedCostBaseline)
            } else {
                reportedDeltas = (reportedDeltas ?? 0) + usd
            }
        case .fileEdit: fileEdits += 1
        case .turn: turns += 1
        case .result, .apiError, .modelCall: break
        }
        guard killedAt == nil, let cap, let cost = enforcementUSD, cost > cap else { return .continue }
        killedAt = cost
        return .kill(costAtCross: cost)
    }

    /// Applies events in order; returns the kill decision if one of them crossed the cap.
    @discardableResult
    public mutating func apply(_ events: [AgentEvent]) -> MeterDecision {
        var decision = MeterDecision.continue
        for e in events {
            let d = apply(e)
            if case .kill = d { decision = d }
        }
        return decision
    }
}
