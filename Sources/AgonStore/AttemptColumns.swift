import AgonCore
import AgonLeaderboard
import Foundation
import GRDB

/// Schema v5 ("v5-attempts"): a candidate's attempts (`agon followup`) as leaderboard columns.
/// The base columns `outcome`, `cost_usd`, `cost_source`, `duration_ms` keep the candidate's
/// latest outcome and its totals over every attempt; the leaderboard reads attempt 1 from the
/// `first_*` columns, and the follow-up columns from `attempts` and `success_attempt`.
extension LeaderboardColumns {
    static let candidateAttemptNames = [
        "attempts", "success_attempt", "first_outcome", "first_cost_usd", "first_cost_source", "first_duration_ms",
    ]

    static func candidateAttempts(_ c: CandidateRecord) -> [DatabaseValueConvertible?] {
        let first = c.attemptHistory[0]
        return [c.attemptHistory.count, c.successAttempt, first.outcome?.rawValue, first.costUSD, first.costSource.rawValue,
                first.durationMs]
    }

    /// Adds the columns, backfills them from the stored JSON, and rebuilds the candidates'
    /// covering index so the leaderboard's query still reads only the index.
    static func migrateAttempts(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE candidates ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE candidates ADD COLUMN success_attempt INTEGER;     -- first attempt that succeeded; null: none
            ALTER TABLE candidates ADD COLUMN first_outcome TEXT;
            ALTER TABLE candidates ADD COLUMN first_cost_usd REAL;
            ALTER TABLE candidates ADD COLUMN first_cost_source TEXT NOT NULL DEFAULT 'unpriced';
            ALTER TABLE candidates ADD COLUMN first_duration_ms INTEGER;
            DROP INDEX candidates_leaderboard;
            """)
        try backfill(db, table: "candidates", names: candidateAttemptNames, select: "record") { row in
            candidateAttempts(try decode(CandidateRecord.self, row["record"], table: "candidates", key: row["key"]))
        }
        try db.execute(sql: """
            CREATE INDEX candidates_leaderboard ON candidates(
                run_id, position, agent, harness, model, outcome, cost_usd, cost_source, duration_ms,
                \((candidateV2Names + candidateCacheNames + candidateAttemptNames).joined(separator: ", ")));
            """)
    }
}
