import Foundation

// Part of the run record; RunRecord.swift states the JSON conventions all records follow.

// MARK: - Picks

/// A human's pick: `agon apply RUN CANDIDATE` (the leaderboard counts these).
public struct ApplyRecord: Codable, Equatable, Sendable {
    public var runID: String
    public var agent: String
    public var appliedAt: Date
    /// Whether `agon apply` committed the patch (otherwise it left it in the working tree).
    public var committed: Bool
    public var commitSHA: String?

    public init(runID: String, agent: String, appliedAt: Date, committed: Bool, commitSHA: String? = nil) {
        self.runID = runID
        self.agent = agent
        self.appliedAt = appliedAt
        self.committed = committed
        self.commitSHA = commitSHA
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", agent, appliedAt = "applied_at", committed, commitSHA = "commit_sha"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runID, forKey: .runID)
        try c.encode(agent, forKey: .agent)
        try c.encode(appliedAt, forKey: .appliedAt)
        try c.encode(committed, forKey: .committed)
        try c.encode(commitSHA, forKey: .commitSHA)
    }
}
