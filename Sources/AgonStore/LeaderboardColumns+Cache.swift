import AgonCore
import Foundation
import GRDB

// Schema v4 (issue 14): `candidates.cache_source_run`, so the leaderboard can leave cache hits
// out without decoding record JSON. Older rows have no cache hits, so nothing is backfilled.
extension LeaderboardColumns {
    /// The candidate columns added by v4.
    static let candidateCacheNames = ["cache_source_run"]

    static func candidateCache(_ c: CandidateRecord) -> [DatabaseValueConvertible?] {
        [c.cacheHit?.sourceRunID]
    }

    /// Every leaderboard column a candidate row is written with, in `candidateColumns` order.
    static let candidateColumnNames = candidateNames + candidateCacheNames

    static func candidateColumns(_ c: CandidateRecord) -> [DatabaseValueConvertible?] {
        candidate(c) + candidateCache(c)
    }

    /// Adds the column, rebuilds the candidates' covering index to include it, and indexes runs
    /// by spec and base for the cache's lookup (`RunStore.runIDs(specHash:baseSHA:cacheKey:)`).
    static func migrateCacheColumn(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE candidates ADD COLUMN cache_source_run TEXT;  -- CacheHit.sourceRunID; null unless a cache hit
            DROP INDEX candidates_leaderboard;
            CREATE INDEX candidates_leaderboard ON candidates(
                run_id, position, agent, harness, model, outcome, cost_usd, cost_source, duration_ms,
                \((candidateV2Names + candidateCacheNames).joined(separator: ", ")));
            CREATE INDEX runs_spec_base ON runs(spec_hash, base_sha);
            """)
    }
}
