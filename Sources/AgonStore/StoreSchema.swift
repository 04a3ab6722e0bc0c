import GRDB

/// The database schema, one GRDB migration per version. Never edit a shipped migration; add one.
enum StoreSchema {
    /// `PRAGMA application_id` of an Agon store ("AGON"), how a foreign SQLite file is told apart.
    static let applicationID: Int32 = 0x4147_4F4E

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            // `record` columns hold the exact JSON of the record; the other columns are copies
            // of fields queries filter or sort on. Dates are Unix seconds (millisecond precision).
            try db.execute(sql: """
                CREATE TABLE runs (
                    run_id      TEXT PRIMARY KEY NOT NULL,
                    created_at  REAL NOT NULL,
                    finished_at REAL,
                    spec_path   TEXT NOT NULL,
                    spec_title  TEXT NOT NULL,
                    base_sha    TEXT NOT NULL,
                    status      TEXT NOT NULL,
                    winner      TEXT,
                    record      TEXT NOT NULL,   -- RunRecord without candidates, reviews, consensus
                    consensus   TEXT             -- ConsensusRecord
                );
                CREATE INDEX runs_created_at ON runs(created_at);
                CREATE INDEX runs_spec_path ON runs(spec_path);

                CREATE TABLE candidates (
                    run_id      TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                    agent       TEXT NOT NULL,
                    position    INTEGER NOT NULL,
                    harness     TEXT NOT NULL,
                    model       TEXT,
                    outcome     TEXT,
                    cost_usd    REAL,
                    cost_source TEXT NOT NULL,
                    duration_ms INTEGER,
                    record      TEXT NOT NULL,
                    PRIMARY KEY (run_id, agent)
                );
                CREATE INDEX candidates_agent ON candidates(agent);
                CREATE INDEX candidates_outcome ON candidates(outcome);
                CREATE INDEX candidates_cost ON candidates(cost_usd);

                CREATE TABLE reviews (
                    run_id      TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                    verifier    TEXT NOT NULL,
                    position    INTEGER NOT NULL,
                    harness     TEXT NOT NULL,
                    model       TEXT,
                    status      TEXT NOT NULL,
                    cost_usd    REAL,
                    cost_source TEXT NOT NULL,
                    record      TEXT NOT NULL,
                    PRIMARY KEY (run_id, verifier)
                );
                CREATE INDEX reviews_verifier ON reviews(verifier);

                CREATE TABLE picks (
                    id          INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id      TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                    agent       TEXT NOT NULL,
                    applied_at  REAL NOT NULL,
                    committed   INTEGER NOT NULL,
                    commit_sha  TEXT,
                    record      TEXT NOT NULL
                );
                CREATE INDEX picks_run_id ON picks(run_id);
                CREATE INDEX picks_agent ON picks(agent);
                """)
        }
        // v2: copies of the fields the leaderboard reads, so it never decodes record JSON.
        migrator.registerMigration("v2", foreignKeyChecks: .immediate) { db in
            try LeaderboardColumns.addColumns(db)
            try LeaderboardColumns.backfill(db)
            try LeaderboardColumns.addIndexes(db)
        }
        // v3: each review's swap consistency, for the verifier table.
        migrator.registerMigration("v3", foreignKeyChecks: .immediate) { db in
            try LeaderboardColumns.migrateV3(db)
        }
        // v4 (issue 14): which candidates are cache hits, so the leaderboard leaves them out.
        migrator.registerMigration("v4-cache-hits", foreignKeyChecks: .immediate) { db in
            try LeaderboardColumns.migrateCacheColumn(db)
        }
        // v5: each candidate's attempts (agon followup) and its first attempt's outcome, cost and time.
        migrator.registerMigration("v5-attempts", foreignKeyChecks: .immediate) { db in
            try LeaderboardColumns.migrateAttempts(db)
        }
        // v6-jobs: candidates run as cluster jobs (`agon worker`), one row per job and its current attempt.
        migrator.registerMigration("v6-jobs", foreignKeyChecks: .immediate) { db in
            try JobTable.create(db)
        }
        return migrator
    }
}
