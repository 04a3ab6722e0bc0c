import AgonCore
import Foundation

/// Everything the report adds to the leaderboard to answer "is it worth it?".
public struct LeaderboardInsights: Equatable, Sendable {
    public var trend: TrendSeries
    public var costSpeed: CostSpeedFrontier
    public var errorCodes: [ErrorCodeCount]
    public var spendPerAppliedPatch: SpendPerAppliedPatch

    public init(runs: [LeaderboardRun], picks: [ApplyRecord], trendPeriod: TrendPeriod? = nil) {
        trend = TrendSeries(runs: runs, period: trendPeriod)
        costSpeed = CostSpeedFrontier(runs: runs)
        errorCodes = ErrorCodes.top(runs: runs)
        spendPerAppliedPatch = SpendPerAppliedPatch(runs: runs, picks: picks)
    }
}
