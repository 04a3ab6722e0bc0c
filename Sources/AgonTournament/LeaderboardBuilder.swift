import AgonConsensus
import AgonCore
import AgonLeaderboard
import AgonStore
import Foundation

/// Which runs a leaderboard covers and how its intervals are computed.
public struct LeaderboardQuery {
    /// `YYYY-MM-DD` (UTC): only runs created on or after that day.
    public var since: String?
    /// Glob on the spec path (SQLite GLOB: `*` also matches `/`, case-sensitive).
    public var specGlob: String?
    public var replicates: Int
    public var seed: UInt64
    /// What one row is (`--by agent|model|harness`).
    public var grouping: LeaderboardGrouping
    /// k of "success within k follow-ups" (`--followups`, default 1).
    public var followUps = 1

    public init(since: String?, specGlob: String?, replicates: Int, seed: UInt64, grouping: LeaderboardGrouping = .agent) {
        self.grouping = grouping
        self.since = since
        self.specGlob = specGlob
        self.replicates = replicates
        self.seed = seed
    }

    /// Every run, 1000 replicates, the CLI's default seed.
    public static let all = LeaderboardQuery(since: nil, specGlob: nil, replicates: 1000, seed: 1)

    /// The store filter; a malformed day or a negative replicate or follow-up count is a `LeaderboardQueryError`.
    func filter() throws -> RunFilter {
        guard replicates >= 0 else { throw LeaderboardQueryError.negativeReplicates(replicates) }
        guard followUps >= 0 else { throw LeaderboardQueryError.negativeFollowUps(followUps) }
        var filter = RunFilter(specGlob: specGlob)
        if let since { filter.since = try Self.parseDay(since) }
        return filter
    }

    /// Midnight UTC of a `YYYY-MM-DD` day; rejects impossible dates such as 2026-02-30.
    static func parseDay(_ text: String) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let isDay = trimmed.utf8.count == 10 && trimmed.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil
        guard isDay, let date = AgonJSON.parseDate(trimmed + "T00:00:00Z"),
              AgonJSON.formatDate(date).hasPrefix(trimmed) else {
            throw LeaderboardQueryError.invalidDay(text)
        }
        return date
    }
}

/// Why a leaderboard query cannot run (bad input: exit 2). `agon` names the flag.
public enum LeaderboardQueryError: AgonFailure, Equatable {
    case negativeReplicates(Int)
    /// `--followups K` below zero.
    case negativeFollowUps(Int)
    case invalidDay(String)

    public var exitCode: Int32 { 2 }

    public var message: String {
        switch self {
        case .negativeReplicates(let count): return "expected a number of bootstrap replicates >= 0, got \(count)"
        case .negativeFollowUps(let count): return "expected a number of follow-ups >= 0, got \(count)"
        case .invalidDay(let text): return "expected a date like 2026-01-31 (YYYY-MM-DD), got \"\(text)\""
        }
    }
}

/// Load time and computation time of the last `build`, for benchmarks.
public struct LeaderboardTimings: Sendable {
    public var loadSeconds: Double
    public var computeSeconds: Double
}

/// Builds the cross-run leaderboard: loads runs and picks from the store, computes the
/// statistics (`LeaderboardComputation`); `LeaderboardPresenter` (AgonReport) renders them.
public struct LeaderboardBuilder {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// The leaderboard's statistics for the runs `query` selects.
    public func compute(_ query: LeaderboardQuery) throws -> LeaderboardResult {
        try computeTimed(query).result
    }

    /// `compute`, also reporting where the time went.
    public func computeTimed(_ query: LeaderboardQuery) throws -> (result: LeaderboardResult, timings: LeaderboardTimings) {
        let started = DispatchTime.now().uptimeNanoseconds
        let (runs, picks) = try load(query)
        let serves = try cascadeServes(query)
        let loaded = DispatchTime.now().uptimeNanoseconds
        var result = compute(query, runs: runs, picks: picks)
        result.serveMix = SpecServeMix.compute(serves)
        let computed = DispatchTime.now().uptimeNanoseconds
        let timings = LeaderboardTimings(loadSeconds: Double(loaded - started) / 1e9,
                                         computeSeconds: Double(computed - loaded) / 1e9)
        return (result, timings)
    }

    func load(_ query: LeaderboardQuery) throws -> (runs: [LeaderboardRun], picks: [ApplyRecord]) {
        let filter = try query.filter()
        // No store yet: an empty leaderboard, without creating `.agon/` just to read it.
        guard workspace.storeExists else { return ([], []) }
        let store = try workspace.store()
        return (try store.leaderboardRuns(filter), try store.picks())
    }

    /// The cascade runs the query selects (none without a store).
    func cascadeServes(_ query: LeaderboardQuery) throws -> [CascadeServe] {
        guard workspace.storeExists else { return [] }
        return try workspace.store().cascadeServes(try query.filter())
    }

    func compute(_ query: LeaderboardQuery, runs: [LeaderboardRun], picks: [ApplyRecord]) -> LeaderboardResult {
        var settings = LeaderboardSettings(config: workspace.config, replicates: query.replicates, seed: query.seed,
                                           grouping: query.grouping)
        settings.followUpWindow = query.followUps
        return LeaderboardComputation(settings: settings).compute(runs: runs, picks: picks)
    }
}
