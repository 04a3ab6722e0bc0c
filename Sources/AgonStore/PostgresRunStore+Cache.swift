import AgonCore
import AgonLeaderboard
import Foundation

// The exact-repeat cache's lookup and the cascade serve mix on PostgreSQL: the same questions as
// `RunStore+Cache.swift`, with PostgreSQL's JSON operators in place of SQLite's json_extract.
extension PostgresRunStore {
    func runIDs(specHash: String, baseSHA: String, cacheKey: String) throws -> [String] {
        try transaction(readOnly: true) { db in
            let result = try db.execute("""
                SELECT r.run_id, MAX(r.created_at) AS created FROM runs r JOIN candidates c ON c.run_id = r.run_id
                WHERE r.spec_hash = $1 AND r.base_sha = $2 AND c.outcome = 'ok' AND c.cache_source_run IS NULL
                  AND c.attempts = 1 AND (c.record::jsonb)->>'cache_key' = $3
                GROUP BY r.run_id
                ORDER BY created DESC, r.run_id COLLATE "C" DESC
                """, [specHash, baseSHA, cacheKey])
            return (0..<result.rowCount).compactMap { result.string($0, 0) }
        }
    }

    func cascadeServes(_ filter: RunFilter) throws -> [CascadeServe] {
        let (condition, arguments) = filter.postgresSQL
        return try transaction(readOnly: true) { db in
            let result = try db.execute("""
                SELECT r.spec_path, (r.record::jsonb)#>>'{cascade,served_by_tier}',
                       COALESCE(jsonb_array_length((r.record::jsonb)#>'{cascade,tiers}'), 0)
                FROM runs r
                WHERE (\(condition)) AND r.status = 'done' AND jsonb_typeof((r.record::jsonb)->'cascade') = 'object'
                ORDER BY r.created_at, r.run_id COLLATE "C"
                """, arguments)
            return (0..<result.rowCount).map { i in
                CascadeServe(specPath: result.string(i, 0) ?? "", servedByTier: result.int(i, 1), tierCount: result.int(i, 2) ?? 0)
            }
        }
    }
}
