import Foundation
import AgonLeaderboard

extension LeaderboardGrouping {
    /// `agon leaderboard --by`'s value; anything else is an `UnknownLeaderboardGrouping`.
    public static func parse(_ text: String) throws -> LeaderboardGrouping {
        guard let grouping = LeaderboardGrouping(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw UnknownLeaderboardGrouping(value: text)
        }
        return grouping
    }
}

/// `--by` named no known row kind (bad input: exit 2). `agon` names the flag.
public struct UnknownLeaderboardGrouping: AgonFailure, Equatable {
    public var value: String
    public var exitCode: Int32 { 2 }
    public var message: String {
        "expected " + LeaderboardGrouping.allCases.map(\.rawValue).joined(separator: ", ") + " (one row per agent id, "
            + "per harness and model, per harness), got \"\(value)\""
    }
}
