import AgonCore
import AgonLeaderboard
import Foundation
import GRDB

extension RunStore {
    /// Runs of one spec version on one base commit with a finished `ok` candidate whose cache key
    /// is `cacheKey`, newest first (the exact-repeat cache's possible sources; the caller checks
    /// the rest of `CacheKey.isCacheable` on the decoded record). `CROSS JOIN` and `+outcome` keep
    /// SQLite on `runs_spec_base` then each run's candidates (0.2 ms on 5,000 runs, against
    /// 120 ms when it scans every `ok` candidate through the outcome index).
    public func runIDs(specHash: String, baseSHA: String, cacheKey: String) throws -> [String] {
        if let postgres { return try postgres.runIDs(specHash: specHash, baseSHA: baseSHA, cacheKey: cacheKey) }
        return try read { db in
            try String.fetchAll(db, sql: """
                SELECT DISTINCT r.run_id FROM runs r CROSS JOIN candidates c ON c.run_id = r.run_id
                WHERE r.spec_hash = ? AND r.base_sha = ? AND +c.outcome = 'ok' AND c.cache_source_run IS NULL AND c.attempts = 1
                  AND json_extract(c.record, '$.cache_key') = ?
                ORDER BY r.created_at DESC, r.run_id DESC
                """, arguments: [specHash, baseSHA, cacheKey])
        }
    }
}

extension RunStore {
    /// Every matching finished cascade run's spec and serving tier, oldest first (read from the
    /// run header's JSON; runs without a cascade, and unfinished ones, are left out).
    public func cascadeServes(_ filter: RunFilter = RunFilter()) throws -> [CascadeServe] {
        if let postgres { return try postgres.cascadeServes(filter) }
        let (condition, arguments) = filter.sql
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.spec_path, json_extract(r.record, '$.cascade.served_by_tier') AS tier,
                       json_array_length(r.record, '$.cascade.tiers') AS tiers
                FROM runs r WHERE (\(condition)) AND r.status = 'done' AND json_type(r.record, '$.cascade') = 'object'
                ORDER BY r.created_at, r.run_id
                """, arguments: arguments).map { row in
                CascadeServe(specPath: row["spec_path"], servedByTier: row["tier"], tierCount: row["tiers"] ?? 0)
            }
        }
    }
}
