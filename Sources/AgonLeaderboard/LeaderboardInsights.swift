import AgonCore
import Foundation

/// Everything the report adds to the leaderboard to answer "is it worth it?".
public struct LeaderboardInsights: Equatable, Sendable {
    public var trend: TrendSeries
    public var costSpeed: CostSpeedFrontier
    public var errorCodes: [ErrorCodeCount]
    public var spendPerAppliedPatch: SpendPerAppliedPatch

    public init(runs: [LeaderboardRun], picks: [ApplyRecord], trendPeriod: TrendPeriod? = nil) {
        // Cache hits repeat a result already counted, as in the leaderboard: no observations.
        let observed = runs.map { run -> LeaderboardRun in
            var run = run
            run.candidates.removeAll { $0.cacheHit }
            return run
        }.filter { !$0.candidates.isEmpty }
        trend = TrendSeries(runs: observed, period: trendPeriod)
        costSpeed = CostSpeedFrontier(runs: observed)
        errorCodes = ErrorCodes.top(runs: observed)
        spendPerAppliedPatch = SpendPerAppliedPatch(runs: runs, picks: picks)
    }
}
