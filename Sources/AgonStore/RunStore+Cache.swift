import AgonCore
import AgonLeaderboard
import Foundation
import GRDB

extension RunStore {
    /// Runs of one spec version on one base commit, newest first (the exact-repeat cache's candidates).
    public func runIDs(specHash: String, baseSHA: String) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT run_id FROM runs WHERE spec_hash = ? AND base_sha = ? ORDER BY created_at DESC, run_id DESC
                """, arguments: [specHash, baseSHA])
        }
    }
}

extension RunStore {
    /// Every matching finished cascade run's spec and serving tier, oldest first (read from the
    /// run header's JSON; runs without a cascade, and unfinished ones, are left out).
    public func cascadeServes(_ filter: RunFilter = RunFilter()) throws -> [CascadeServe] {
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
