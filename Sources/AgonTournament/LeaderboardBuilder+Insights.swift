import AgonCore
import AgonLeaderboard
import Foundation

extension LeaderboardBuilder {
    /// The leaderboard and the report's insights (trend, cost–speed frontier, error codes,
    /// spend per applied patch) from one load of the runs `query` selects.
    public func computeWithInsights(_ query: LeaderboardQuery) throws -> (result: LeaderboardResult, insights: LeaderboardInsights) {
        let (runs, picks) = try load(query)
        var result = compute(query, runs: runs, picks: picks)
        result.serveMix = SpecServeMix.compute(try cascadeServes(query))
        return (result, LeaderboardInsights(runs: runs, picks: picks))
    }
}
