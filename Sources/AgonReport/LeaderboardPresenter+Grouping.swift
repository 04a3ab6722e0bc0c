import AgonLeaderboard

extension LeaderboardPresenter {
    /// The table's heading after "Leaderboard": how many rows and, with `--by`, what a row is.
    static func rowsHeading(_ count: Int, _ grouping: LeaderboardGrouping) -> String {
        switch grouping {
        case .agent:
            return ": \(count) agent\(count == 1 ? "" : "s")"
        case .model:
            return " by model: \(count) row\(count == 1 ? "" : "s") (agent ids that ran the same harness and model share one)"
        case .harness:
            return " by harness: \(count) row\(count == 1 ? "" : "s") (one per CLI, every model it ran)"
        }
    }
}
