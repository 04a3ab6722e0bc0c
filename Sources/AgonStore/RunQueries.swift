import AgonCore
import Foundation
import GRDB

/// One line of `agon list`: a run's header and totals, without candidate details.
public struct RunSummary: Codable, Equatable, Sendable {
    public var runID: String
    public var specPath: String
    public var specTitle: String
    public var baseSHA: String
    public var status: RunStatus
    public var createdAt: Date
    public var finishedAt: Date?
    public var candidateCount: Int
    /// The consensus winner, once reviewed.
    public var winner: String?
    /// Known cost of the run's candidates and reviews (USD); see `unpricedCount`.
    public var costUSD: Double
    /// Finished candidates and saved reviews whose cost is unknown (not included in `costUSD`).
    public var unpricedCount: Int

    public init(runID: String, specPath: String, specTitle: String, baseSHA: String, status: RunStatus,
                createdAt: Date, finishedAt: Date?, candidateCount: Int, winner: String?, costUSD: Double,
                unpricedCount: Int) {
        self.runID = runID
        self.specPath = specPath
        self.specTitle = specTitle
        self.baseSHA = baseSHA
        self.status = status
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.candidateCount = candidateCount
        self.winner = winner
        self.costUSD = costUSD
        self.unpricedCount = unpricedCount
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", specPath = "spec", specTitle = "spec_title", baseSHA = "base_sha", status
        case createdAt = "created_at", finishedAt = "finished_at", candidateCount = "candidate_count", winner
        case costUSD = "cost_usd", unpricedCount = "unpriced_count"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runID, forKey: .runID)
        try c.encode(specPath, forKey: .specPath)
        try c.encode(specTitle, forKey: .specTitle)
        try c.encode(baseSHA, forKey: .baseSHA)
        try c.encode(status, forKey: .status)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(candidateCount, forKey: .candidateCount)
        try c.encode(winner, forKey: .winner)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(unpricedCount, forKey: .unpricedCount)
    }
}

/// Which runs a query covers. All filters are optional and combine with AND.
public struct RunFilter: Sendable, Equatable {
    /// Only runs created at or after this time.
    public var since: Date?
    /// Only runs whose spec path matches this SQLite GLOB (`*` also matches `/`; case-sensitive).
    public var specGlob: String?
    /// Only runs in one of these statuses.
    public var statuses: Set<RunStatus>?

    public init(since: Date? = nil, specGlob: String? = nil, statuses: Set<RunStatus>? = nil) {
        self.since = since
        self.specGlob = specGlob
        self.statuses = statuses
    }

    /// A SQL condition over the `runs` table aliased `r`, and its arguments.
    var sql: (condition: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let since {
            conditions.append("r.created_at >= ?")
            arguments += [AgonJSON.millisecondPrecision(since).timeIntervalSince1970]
        }
        if let specGlob {
            conditions.append("r.spec_path GLOB ?")
            arguments += [specGlob]
        }
        if let statuses {
            let sorted = statuses.map(\.rawValue).sorted()
            if sorted.isEmpty {
                conditions.append("0")
            } else {
                conditions.append("r.status IN (\(Array(repeating: "?", count: sorted.count).joined(separator: ", ")))")
                arguments += StatementArguments(sorted)
            }
        }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), arguments)
    }
}
