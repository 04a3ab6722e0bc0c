import AgonLeaderboard
@testable import AgonReport
import AgonTestSupport
import AgonTournament
import Foundation
import Testing

extension GoldenOutputTests {
    /// `agon leaderboard --by model` and `--by harness` in every format.
    @Test func groupedLeaderboardInEveryFormat() throws {
        for grouping in [LeaderboardGrouping.model, .harness] {
            let query = LeaderboardQuery(since: nil, specGlob: nil, replicates: 20, seed: 3, grouping: grouping)
            let settings = LeaderboardSettings(replicates: 20, seed: 3, parallel: false, grouping: grouping)
            let result = LeaderboardComputation(settings: settings).compute(runs: LeaderboardRecords.groupingRuns(), picks: [])
            let board = LeaderboardPresenter.render(result, query: query, generatedAt: GoldenRuns.created)
            let name = "leaderboard-by-\(grouping.rawValue)"
            try Self.expectGolden(board.text, name + ".txt")
            try Self.expectGolden(board.json, name + ".json")
            try Self.expectGolden(board.csv, name + ".csv")
            #expect(board.json.contains("\"by\" : \"\(grouping.rawValue)\""))
        }
    }
}
