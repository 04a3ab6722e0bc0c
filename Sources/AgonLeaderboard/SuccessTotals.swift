import AgonCore
import Foundation

/// Success, cost and time totals over some of one agent's runs, for the report's trend and
/// cost–speed charts. Same definitions as the leaderboard: a run is a finished candidate
/// (`LeaderboardComputation.counts`), success is `CandidateRules.succeeded`, cost per success is
/// total cost / successes over priced runs.
public struct SuccessTotals: Equatable, Sendable {
    public var runs = 0
    public var successes = 0
    public var pricedRuns = 0
    public var pricedSuccesses = 0
    public var pricedCostUSD = 0.0
    /// Wall time of every run with a recorded duration, successful or not.
    public var totalSeconds = 0.0
    /// Runs without a recorded duration (they add nothing to `totalSeconds`).
    public var untimedRuns = 0
    /// Durations of the successful runs.
    public var successSeconds: [Double] = []

    public init() {}

    /// Adds one candidate if it counts as a run (finished, not interrupted).
    public mutating func add(_ candidate: LeaderboardCandidate) {
        guard LeaderboardComputation.counts(candidate) else { return }
        runs += 1
        let success = candidate.succeeded
        if success { successes += 1 }
        if candidate.costSource != .unpriced, let cost = candidate.costUSD, cost.isFinite {
            pricedRuns += 1
            pricedCostUSD += cost
            if success { pricedSuccesses += 1 }
        }
        if let ms = candidate.durationMs {
            totalSeconds += Double(ms) / 1000
            if success { successSeconds.append(Double(ms) / 1000) }
        } else {
            untimedRuns += 1
        }
    }

    /// Successes / runs (nil without a run).
    public var successRate: Double? { runs > 0 ? Double(successes) / Double(runs) : nil }

    /// Total priced cost / successes among priced runs; ∞ and "unpriced" kept apart.
    public var costPerSuccess: CostPerSuccess {
        if pricedRuns == 0 { return .unpriced }
        if pricedSuccesses == 0 { return .noSuccess }
        return .usd(pricedCostUSD / Double(pricedSuccesses))
    }

    /// Median duration of the successful runs.
    public var medianTimeToSuccessS: Double? { LeaderboardComputation.median(successSeconds) }

    /// Wall time of all runs (failed ones too) / successes: what one success costs in time.
    /// Nil with no success (∞) or when every run is untimed.
    public var secondsPerSuccess: Double? {
        guard successes > 0, runs > untimedRuns else { return nil }
        return totalSeconds / Double(successes)
    }
}
