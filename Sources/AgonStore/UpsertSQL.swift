/// The candidate and review upserts, written once for both backends: a row keyed by (run, agent)
/// or (run, verifier) is inserted at the next position (unless one is given) or updated in place,
/// so repeating a write is harmless. Only the placeholder style differs between SQLite and PostgreSQL.
enum UpsertSQL {
    /// How a backend spells parameter `n` and the type of the position parameter.
    enum Dialect {
        case sqlite, postgres

        func parameter(_ n: Int) -> String { self == .sqlite ? "?\(n)" : "$\(n)" }
        /// PostgreSQL cannot infer a type for a parameter that may be NULL inside COALESCE.
        var position: String { self == .sqlite ? "?3" : "$3::bigint" }
    }

    static func candidate(_ dialect: Dialect) -> String {
        upsert(dialect, table: "candidates", key: "agent",
               columns: ["harness", "model", "outcome", "cost_usd", "cost_source", "duration_ms", "record"],
               leaderboardColumns: LeaderboardColumns.candidateColumnNames)
    }

    static func review(_ dialect: Dialect) -> String {
        upsert(dialect, table: "reviews", key: "verifier",
               columns: ["harness", "model", "status", "cost_usd", "cost_source", "record"],
               leaderboardColumns: LeaderboardColumns.reviewNames)
    }

    /// Parameters: 1 run_id, 2 key, 3 position (NULL = next), then `columns`, then `leaderboardColumns`.
    private static func upsert(_ d: Dialect, table: String, key: String, columns: [String], leaderboardColumns: [String]) -> String {
        let updated = columns + leaderboardColumns
        let values = updated.indices.map { d.parameter($0 + 4) }
        return """
            INSERT INTO \(table) (run_id, \(key), position, \(updated.joined(separator: ", ")))
            VALUES (\(d.parameter(1)), \(d.parameter(2)),
                    COALESCE(\(d.position), (SELECT COALESCE(MAX(position), -1) + 1 FROM \(table) WHERE run_id = \(d.parameter(1)))),
                    \(values.joined(separator: ", ")))
            ON CONFLICT (run_id, \(key)) DO UPDATE SET
                \(updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            """
    }
}
