import AgonCore
import AgonLeaderboard
import Foundation

extension LeaderboardBuilder {
    /// The leaderboard and the report's insights (trend, cost–speed frontier, error codes,
    /// spend per applied patch) from one load of the runs `query` selects.
    public func computeWithInsights(_ query: LeaderboardQuery) throws -> (result: LeaderboardResult, insights: LeaderboardInsights) {
        let (runs, picks) = try load(query)
        return (compute(query, runs: runs, picks: picks), LeaderboardInsights(runs: runs, picks: picks))
    }
}
