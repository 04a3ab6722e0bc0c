import Foundation

/// Which runs a leaderboard covers and how its intervals are computed.
public struct LeaderboardQuery {
    public var since: String?
    public var specGlob: String?
    public var replicates: Int
    public var seed: UInt64
    public init(since: String?, specGlob: String?, replicates: Int, seed: UInt64) {
        self.since = since
        self.specGlob = specGlob
        self.replicates = replicates
        self.seed = seed
    }
}

/// A rendered leaderboard in the three output formats.
public struct RenderedLeaderboard {
    public var text: String
    public var json: String
    public var csv: String
}

/// Builds the cross-run leaderboard. (Being written.)
public struct LeaderboardBuilder {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }
    public func build(_ query: LeaderboardQuery) throws -> RenderedLeaderboard {
        throw WorkError("leaderboard is not available yet")
    }
}

/// Writes HTML reports. (Being written.)
public struct ReportWriter {
    public let workspace: Workspace
    public init(workspace: Workspace) { self.workspace = workspace }
    public func write(runID: String?, leaderboard: Bool, output: String?) throws -> String {
        throw WorkError("report is not available yet")
    }
}
