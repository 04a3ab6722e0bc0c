import AgonCore
import Foundation

/// What one applied patch cost: all agent and verifier spend of the runs with a pick, over
/// the number of those runs.
///
/// "Applied" means the store holds a pick for the run (`agon apply RUN AGENT`, committed or
/// left in the working tree), whichever candidate was picked; a run picked twice counts once.
/// Its spend is every candidate's cost (losers included: they were the price of choosing) plus
/// every review's cost. Unpriced candidates or reviews make the figure a lower bound.
public struct SpendPerAppliedPatch: Equatable, Sendable {
    public var appliedRuns: Int
    public var agentSpendUSD: Double
    public var verifierSpendUSD: Double
    /// Candidates and reviews of applied runs whose cost is unknown (left out of the spend).
    public var unpricedCandidates: Int
    public var unpricedReviews: Int

    /// Total spend / applied runs; nil when nothing was applied.
    public var perPatchUSD: Double? {
        appliedRuns > 0 ? (agentSpendUSD + verifierSpendUSD) / Double(appliedRuns) : nil
    }

    /// Some spend is unknown, so `perPatchUSD` is at least this much.
    public var isLowerBound: Bool { unpricedCandidates + unpricedReviews > 0 }

    /// Over `runs` (picks for runs outside them, e.g. filtered out, are ignored).
    public init(runs: [LeaderboardRun], picks: [ApplyRecord]) {
        let picked = Set(picks.map(\.runID))
        appliedRuns = 0
        agentSpendUSD = 0
        verifierSpendUSD = 0
        unpricedCandidates = 0
        unpricedReviews = 0
        for run in runs where picked.contains(run.runID) {
            appliedRuns += 1
            for c in run.candidates {
                if c.costSource != .unpriced, let cost = c.costUSD, cost.isFinite { agentSpendUSD += cost } else { unpricedCandidates += 1 }
            }
            for r in run.reviews {
                if let cost = r.costUSD, cost.isFinite {
                    verifierSpendUSD += cost
                } else if r.status != .blocked {   // a blocked packet was never sent: nothing spent
                    unpricedReviews += 1
                }
            }
        }
    }
}
