import AgonCore
import AgonLeaderboard
import Foundation
import GRDB

/// The columns behind `LeaderboardRun` (schemas v2 and v3): their values for a record, the
/// backfill of rows written before each version, and the bulk read. Writes and the backfills
/// share the value functions, so a migrated row and a freshly written one hold the same columns.
enum LeaderboardColumns {
    // MARK: Values

    /// `spec_hash, consensus_ranking, consensus_gated` of a run.
    static func run(_ record: RunRecord) -> [DatabaseValueConvertible?] {
        [record.specHash] + consensus(record.consensus)
    }

    /// `consensus_ranking, consensus_gated` (both null without a consensus).
    static func consensus(_ consensus: ConsensusRecord?) -> [DatabaseValueConvertible?] {
        [consensus.map { StringListColumn.encode(LeaderboardConsensus($0).ranking) }, consensus.map { StringListColumn.encode($0.gated) }]
    }

    /// Every leaderboard column of `candidates`, in the order `candidate` returns their values.
    static let candidateNames = candidateV2Names + candidateAttemptNames

    static func candidate(_ c: CandidateRecord) -> [DatabaseValueConvertible?] {
        candidateV2(c) + candidateAttempts(c)
    }

    /// The candidate columns added by v2; frozen, since the v2 migration backfills exactly these.
    static let candidateV2Names = [
        "tokens_total", "turns", "first_attempt_ms", "tokens_per_sec", "diff_files",
        "check_acceptance", "check_holdout", "check_scope", "checks_run",
    ]

    /// Attempt 1's values (the leaderboard's columns keep their first-attempt meaning after follow-ups).
    static func candidateV2(_ c: CandidateRecord) -> [DatabaseValueConvertible?] {
        let first = c.attemptHistory[0]
        return [first.tokens.total, first.turns, c.firstAttemptMs, c.tokensPerSec, first.diffFiles, first.checks.acceptance.rawValue,
                first.checks.holdout.rawValue, first.checks.scope.rawValue, CheckKinds(first.checksRun).rawValue]
    }

    /// Every leaderboard column of `reviews`, in the order `review` returns their values.
    static let reviewNames = reviewV2Names + reviewV3Names

    static func review(_ r: ReviewRecord) -> [DatabaseValueConvertible?] {
        reviewV2(r) + reviewV3(r)
    }

    /// The review columns added by v2; frozen, since the v2 migration backfills exactly these.
    static let reviewV2Names = ["ranking", "display_order", "dropped_self_preference"]

    static func reviewV2(_ r: ReviewRecord) -> [DatabaseValueConvertible?] {
        [StringListColumn.encode(r.ranking), StringListColumn.encode(r.displayOrder), r.droppedSelfPreference.count]
    }

    /// The review columns added by v3 (the swap pass's consistency, for the verifier table).
    static let reviewV3Names = ["swap_consistency"]

    static func reviewV3(_ r: ReviewRecord) -> [DatabaseValueConvertible?] {
        [r.swapConsistency]
    }

    // MARK: Migration

    /// Adds the columns (schema v2).
    static func addColumns(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE runs ADD COLUMN spec_hash TEXT NOT NULL DEFAULT '';
            ALTER TABLE runs ADD COLUMN consensus_ranking TEXT;  -- JSON array of agent ids; null without consensus
            ALTER TABLE runs ADD COLUMN consensus_gated TEXT;    -- JSON array of agent ids
            ALTER TABLE candidates ADD COLUMN tokens_total INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE candidates ADD COLUMN turns INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE candidates ADD COLUMN first_attempt_ms INTEGER;
            ALTER TABLE candidates ADD COLUMN tokens_per_sec REAL;
            ALTER TABLE candidates ADD COLUMN diff_files INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE candidates ADD COLUMN check_acceptance TEXT NOT NULL DEFAULT 'skipped';
            ALTER TABLE candidates ADD COLUMN check_holdout TEXT NOT NULL DEFAULT 'skipped';
            ALTER TABLE candidates ADD COLUMN check_scope TEXT NOT NULL DEFAULT 'skipped';
            ALTER TABLE candidates ADD COLUMN checks_run INTEGER NOT NULL DEFAULT 0;  -- CheckKinds bits
            ALTER TABLE reviews ADD COLUMN ranking TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE reviews ADD COLUMN display_order TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE reviews ADD COLUMN dropped_self_preference INTEGER NOT NULL DEFAULT 0;
            """)
    }

    /// Covering indexes for `load`: its queries read only these small b-trees, never the table
    /// rows, whose record JSON (overflow pages) makes up nearly all of the file.
    static func addIndexes(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX runs_leaderboard ON runs(
                created_at, run_id, spec_path, status, spec_hash, consensus_ranking, consensus_gated);
            CREATE INDEX candidates_leaderboard ON candidates(
                run_id, position, agent, harness, model, outcome, cost_usd, cost_source, duration_ms,
                \(candidateV2Names.joined(separator: ", ")));
            \(reviewsIndexSQL(reviewV2Names))
            """)
    }

    /// The covering index of the review query over the leaderboard columns `names`.
    private static func reviewsIndexSQL(_ names: [String]) -> String {
        """
        CREATE INDEX reviews_leaderboard ON reviews(
            run_id, position, verifier, harness, model, status, cost_usd, \(names.joined(separator: ", ")));
        """
    }

    /// Schema v3: `reviews.swap_consistency`, backfilled from the stored JSON, and the review
    /// index rebuilt to cover it.
    static func migrateV3(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE reviews ADD COLUMN swap_consistency REAL;  -- ReviewRecord.swapConsistency; null without a swap pass
            DROP INDEX reviews_leaderboard;
            """)
        try backfill(db, table: "reviews", names: reviewV3Names, select: "record") { row in
            reviewV3(try decode(ReviewRecord.self, row["record"], table: "reviews", key: row["key"]))
        }
        try db.execute(sql: reviewsIndexSQL(reviewNames))
    }

    /// Fills the v2 columns of rows written before v2 from their stored JSON, in batches so a
    /// large store is never held in memory at once.
    static func backfill(_ db: Database) throws {
        try backfill(db, table: "runs", names: ["spec_hash", "consensus_ranking", "consensus_gated"],
                     select: "record, consensus") { row in
            let key: String = row["key"]
            let record = try decode(RunRecord.self, row["record"], table: "runs", key: key)
            let consensus = try (row["consensus"] as Data?).map { try decode(ConsensusRecord.self, $0, table: "runs.consensus", key: key) }
            return [record.specHash] + Self.consensus(consensus)
        }
        try backfill(db, table: "candidates", names: candidateV2Names, select: "record") { row in
            candidateV2(try decode(CandidateRecord.self, row["record"], table: "candidates", key: row["key"]))
        }
        try backfill(db, table: "reviews", names: reviewV2Names, select: "record") { row in
            reviewV2(try decode(ReviewRecord.self, row["record"], table: "reviews", key: row["key"]))
        }
    }

    static func backfill(_ db: Database, table: String, names: [String], select: String,
                                 values: (Row) throws -> [DatabaseValueConvertible?]) throws {
        let update = try db.makeStatement(sql: """
            UPDATE \(table) SET \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE rowid = ?
            """)
        var after: Int64 = 0
        while true {
            let rows = try Row.fetchAll(db, sql: """
                SELECT rowid, run_id AS key, \(select) FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT 500
                """, arguments: [after])
            guard let last = rows.last else { return }
            for row in rows {
                let rowid: Int64 = row["rowid"]
                try update.execute(arguments: StatementArguments(try values(row) + [rowid]))
            }
            after = last["rowid"]
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, table: String, key: String) throws -> T {
        do {
            return try AgonJSON.decoder.decode(type, from: data)
        } catch {
            throw StoreError.corruptRecord(table: table, key: key, detail: StoreError.describe(error))
        }
    }

    // MARK: Reading

    /// Every run matching `filter`, oldest first, with candidates and reviews in stored order.
    ///
    /// Three queries in one snapshot, each in the same run order, so children are attached by
    /// walking the runs alongside (no lookups by id).
    static func load(_ db: Database, filter: RunFilter) throws -> [LeaderboardRun] {
        let (condition, arguments) = filter.sql
        var runs: [LeaderboardRun] = []
        var rowids: [Int64] = []
        let runCursor = try Row.fetchCursor(db, sql: runsSQL(condition), arguments: arguments)
        while let row = try runCursor.next() {
            let runID: String = row[1]
            var consensus: LeaderboardConsensus?
            if let ranking = try list(row, 4, table: "runs", key: runID) {
                consensus = LeaderboardConsensus(ranking: ranking, gated: try list(row, 5, table: "runs", key: runID) ?? [])
            }
            rowids.append(row[0])
            runs.append(LeaderboardRun(runID: runID, specHash: row[2], createdAt: Date(timeIntervalSince1970: row[3]),
                                       consensus: consensus, candidates: [], reviews: []))
        }
        guard !runs.isEmpty else { return runs }

        var strings = StringInterner()
        var i = 0
        let candidateCursor = try Row.fetchCursor(db, sql: candidatesSQL(condition), arguments: arguments)
        while let row = try candidateCursor.next() {
            i = try advance(to: row[0], from: i, rowids)
            let key = runs[i].runID
            let candidate = LeaderboardCandidate(
                agent: strings.intern(row[1]), harness: try value(row, 2, table: "candidates", key: key),
                model: (row[3] as String?).map { strings.intern($0) },
                outcome: try (row[4] as String?).map { try parse($0, table: "candidates", key: key) },
                costUSD: row[5], costSource: try value(row, 6, table: "candidates", key: key), tokens: row[8], turns: row[9],
                firstAttemptMs: row[10], durationMs: row[7], tokensPerSec: row[11], diffFiles: row[12],
                checks: CheckSummary(acceptance: try value(row, 13, table: "candidates", key: key),
                                     holdout: try value(row, 14, table: "candidates", key: key),
                                     scope: try value(row, 15, table: "candidates", key: key)),
                checksRun: CheckKinds(rawValue: row[16]), cacheHit: (row[21] as String?) != nil,
                attempts: AttemptSummary(count: row[17], successAttempt: row[18],
                                         totalCostUSD: (row[20] as String?) == CostSource.unpriced.rawValue ? nil : row[19]))
            runs[i].candidates.append(candidate)
        }

        i = 0
        let reviewCursor = try Row.fetchCursor(db, sql: reviewsSQL(condition), arguments: arguments)
        while let row = try reviewCursor.next() {
            i = try advance(to: row[0], from: i, rowids)
            let key = runs[i].runID
            let review = LeaderboardReview(
                verifier: strings.intern(row[1]), harness: try value(row, 2, table: "reviews", key: key),
                model: (row[3] as String?).map { strings.intern($0) }, status: try value(row, 4, table: "reviews", key: key),
                costUSD: row[5], ranking: try list(row, 6, table: "reviews", key: key, strings: &strings) ?? [],
                displayOrder: try list(row, 7, table: "reviews", key: key, strings: &strings) ?? [],
                droppedSelfPreference: row[8], swapConsistency: row[9])
            runs[i].reviews.append(review)
        }
        return runs
    }

    static func runsSQL(_ condition: String) -> String {
        """
        SELECT r.rowid, r.run_id, r.spec_hash, r.created_at, r.consensus_ranking, r.consensus_gated
        FROM runs r WHERE \(condition) ORDER BY r.created_at, r.run_id
        """
    }

    static func candidatesSQL(_ condition: String) -> String {
        """
        SELECT r.rowid, t.agent, t.harness, t.model, t.first_outcome, t.first_cost_usd, t.first_cost_source, t.first_duration_ms,
               t.tokens_total, t.turns, t.first_attempt_ms, t.tokens_per_sec, t.diff_files,
               t.check_acceptance, t.check_holdout, t.check_scope, t.checks_run,
               t.attempts, t.success_attempt, t.cost_usd, t.cost_source, t.cache_source_run
        FROM runs r JOIN candidates t ON t.run_id = r.run_id
        WHERE \(condition) ORDER BY r.created_at, r.run_id, t.position
        """
    }

    static func reviewsSQL(_ condition: String) -> String {
        """
        SELECT r.rowid, t.verifier, t.harness, t.model, t.status, t.cost_usd, t.ranking, t.display_order,
               t.dropped_self_preference, t.swap_consistency
        FROM runs r JOIN reviews t ON t.run_id = r.run_id
        WHERE \(condition) ORDER BY r.created_at, r.run_id, t.position
        """
    }

    /// The index of the run with `rowid`, at or after `from` (child rows come in run order).
    private static func advance(to rowid: Int64, from: Int, _ rowids: [Int64]) throws -> Int {
        var i = from
        while i < rowids.count, rowids[i] != rowid { i += 1 }
        // Only possible if the two queries saw different runs, which one snapshot rules out.
        guard i < rowids.count else { throw StoreError.corruptRecord(table: "runs", key: "rowid \(rowid)", detail: "rows out of order") }
        return i
    }

    private static func value<T: RawRepresentable>(_ row: Row, _ index: Int, table: String, key: String) throws -> T
    where T.RawValue == String {
        try parse(row[index], table: table, key: key)
    }

    static func parse<T: RawRepresentable>(_ text: String, table: String, key: String) throws -> T
    where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw StoreError.corruptRecord(table: table, key: key, detail: "unknown \(T.self) \"\(text)\"")
        }
        return value
    }

    private static func list(_ row: Row, _ index: Int, table: String, key: String) throws -> [String]? {
        var strings = StringInterner()
        return try list(row, index, table: table, key: key, strings: &strings)
    }

    private static func list(_ row: Row, _ index: Int, table: String, key: String,
                             strings: inout StringInterner) throws -> [String]? {
        try row.withUnsafeData(atIndex: index) { (data: Data?) -> [String]? in
            guard let data else { return nil }
            do {
                return try StringListColumn.decode(data, strings: &strings)
            } catch {
                throw StoreError.corruptRecord(table: table, key: key, detail: "\(Array(row.columnNames)[index]): \(StoreError.describe(error))")
            }
        }
    }
}

/// Shares one `String` per distinct id (agent and verifier ids repeat in every run), which
/// saves an allocation per value read and memory for the whole load.
struct StringInterner {
    private var known: [String: String] = [:]

    mutating func intern(_ text: String) -> String {
        if let existing = known[text] { return existing }
        known[text] = text
        return text
    }

    /// The interned string of UTF-8 `bytes`, created only the first time.
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> String {
        intern(String(decoding: bytes, as: UTF8.self))
    }
}

/// A list of ids stored as a JSON array of strings (readable in the sqlite3 shell).
enum StringListColumn {
    static func encode(_ list: [String]) -> String {
        var out = "["
        for (i, text) in list.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        }
        return out + "]"
    }

    /// Decodes what `encode` wrote: a plain scan when no string has escapes, a JSON decoder otherwise.
    static func decode(_ data: Data, strings: inout StringInterner) throws -> [String] {
        let fast: [String]? = data.withUnsafeBytes { raw in
            var result: [String] = []
            let n = raw.count
            guard n >= 2, raw[0] == UInt8(ascii: "["), raw[n - 1] == UInt8(ascii: "]") else { return nil }
            var i = 1
            if i == n - 1 { return result }
            while true {
                guard raw[i] == UInt8(ascii: "\"") else { return nil }
                let start = i + 1
                var end = start
                while end < n - 1, raw[end] != UInt8(ascii: "\""), raw[end] != UInt8(ascii: "\\") { end += 1 }
                guard end < n - 1, raw[end] == UInt8(ascii: "\"") else { return nil }
                result.append(strings.intern(UnsafeRawBufferPointer(rebasing: raw[start..<end])))
                i = end + 1
                if i == n - 1 { return result }
                guard raw[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        }
        if let fast { return fast }
        return try AgonJSON.decoder.decode([String].self, from: data)
    }
}
