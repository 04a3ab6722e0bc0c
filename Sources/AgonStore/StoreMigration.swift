import AgonCore
import Foundation

/// What `agon store migrate` copied: runs and picks written to the target, and runs it
/// already held (left untouched, so running the copy again copies nothing twice).
public struct StoreMigrationResult: Codable, Equatable, Sendable {
    public var source: String
    public var target: String
    public var runsCopied: Int
    public var runsAlreadyPresent: Int
    public var candidatesCopied: Int
    public var reviewsCopied: Int
    public var picksCopied: Int

    public init(source: String, target: String, runsCopied: Int, runsAlreadyPresent: Int, candidatesCopied: Int,
                reviewsCopied: Int, picksCopied: Int) {
        self.source = source
        self.target = target
        self.runsCopied = runsCopied
        self.runsAlreadyPresent = runsAlreadyPresent
        self.candidatesCopied = candidatesCopied
        self.reviewsCopied = reviewsCopied
        self.picksCopied = picksCopied
    }

    enum CodingKeys: String, CodingKey {
        case source, target, runsCopied = "runs_copied", runsAlreadyPresent = "runs_already_present"
        case candidatesCopied = "candidates_copied", reviewsCopied = "reviews_copied", picksCopied = "picks_copied"
    }
}

extension RunStore {
    /// Copies every run (with candidates, reviews, consensus and picks) of `source` that this
    /// PostgreSQL store lacks, in batches of `batchSize` runs per transaction. A run already
    /// here (same id) is never overwritten: it may have moved on since.
    public func copyNewRuns(from source: RunStore, batchSize: Int = 500) throws -> StoreMigrationResult {
        guard let postgres else {
            throw StoreError.badStoreURL(url: path, detail: "the target of a migration must be a PostgreSQL store")
        }
        let runs = try source.allRunsForLeaderboard()
        let picks = Dictionary(grouping: try source.picks(), by: \.runID)
        var result = StoreMigrationResult(source: source.path, target: path, runsCopied: 0, runsAlreadyPresent: 0,
                                          candidatesCopied: 0, reviewsCopied: 0, picksCopied: 0)
        var start = 0
        while start < runs.count {
            let batch = Array(runs[start..<min(runs.count, start + max(1, batchSize))])
            let written = try postgres.importNewRuns(batch, picks: batch.flatMap { picks[$0.runID] ?? [] })
            result.runsCopied += written.runs.count
            result.picksCopied += written.picks
            for record in batch where written.runs.contains(record.runID) {
                result.candidatesCopied += record.candidates.count
                result.reviewsCopied += record.reviews.count
            }
            start += batch.count
        }
        result.runsAlreadyPresent = runs.count - result.runsCopied
        return result
    }
}
