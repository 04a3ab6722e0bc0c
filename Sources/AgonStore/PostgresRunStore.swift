import AgonCore
import AgonLeaderboard
import Foundation
import GRDB

/// `RunStore`'s PostgreSQL backend: the same tables, records and queries as the SQLite one,
/// for a team whose machines share one store.
///
/// Every write is one transaction; read-modify-writes lock the run's row (`SELECT … FOR
/// UPDATE`), so writers on different machines never lose each other's updates, and child rows
/// are upserted by key (`INSERT … ON CONFLICT DO UPDATE`), so repeating a write is harmless.
/// Multi-query reads run in one REPEATABLE READ snapshot. One connection per store, used by
/// one thread at a time.
final class PostgresRunStore: @unchecked Sendable {
    /// The URL without its password, for messages.
    let displayURL: String
    private let connection: PostgresConnection
    private let lock = NSLock()

    init(url: String) throws {
        displayURL = StoreLocation.redacted(url)
        do {
            connection = try PostgresConnection(url: url)
        } catch let error as PostgresError {
            throw StoreError.serverUnreachable(url: displayURL, detail: error.message)
        }
        try migrate()
    }

    func close() {
        lock.lock(); defer { lock.unlock() }
        connection.close()
    }

    // MARK: Migrations

    /// Identifies the schema and applies missing migrations, all in one transaction under an
    /// advisory lock (concurrent first opens wait for each other). A schema that holds other
    /// tables and no migrations table is refused and left untouched.
    private func migrate() throws {
        try transaction { db in
            try db.execute("SELECT pg_advisory_xact_lock($1)", [String(PostgresSchema.migrationLock)])
            let tables = try db.execute("""
                SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name
                """)
            let names = (0..<tables.rowCount).compactMap { tables.string($0, 0) }
            var applied: [String] = []
            if names.contains(PostgresSchema.migrationsTable) {
                let rows = try db.execute("SELECT identifier FROM \(PostgresSchema.migrationsTable) ORDER BY identifier")
                applied = (0..<rows.rowCount).compactMap { rows.string($0, 0) }
                let unknown = Set(applied).subtracting(PostgresSchema.migrations.map(\.identifier))
                if !unknown.isEmpty { throw StoreError.newerDatabase(path: displayURL, unknownMigrations: unknown.sorted()) }
            } else if !names.isEmpty {
                let shown = names.prefix(5).joined(separator: ", ")
                throw StoreError.notAnAgonDatabase(path: displayURL, detail: "its schema holds other tables: \(shown)")
            } else {
                try db.execute("""
                    CREATE TABLE \(PostgresSchema.migrationsTable) (identifier TEXT PRIMARY KEY NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """)
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.identifier) {
                try db.execute(migration.sql)
                try db.execute("INSERT INTO \(PostgresSchema.migrationsTable) (identifier) VALUES ($1)", [migration.identifier])
            }
        }
    }

    /// Applied migration identifiers, in order.
    func appliedMigrations() throws -> [String] {
        try transaction(readOnly: true) { db in
            let rows = try db.execute("SELECT identifier FROM \(PostgresSchema.migrationsTable) ORDER BY identifier")
            return (0..<rows.rowCount).compactMap { rows.string($0, 0) }
        }
    }

    // MARK: Writing

    func createRun(_ record: RunRecord) throws {
        try transaction { db in
            let inserted = try db.execute("INSERT INTO runs (run_id, created_at, spec_path, spec_title, base_sha, status, record) VALUES ($1, 0, '', '', '', '', '') ON CONFLICT DO NOTHING", [record.runID])
            if inserted.affectedRows == 0 { throw StoreError.runAlreadyExists(record.runID) }
            try Self.writeFullRun(db, record)
        }
    }

    func saveRun(_ record: RunRecord) throws {
        try transaction { db in try Self.writeFullRun(db, record) }
    }

    func importRuns(_ records: [RunRecord]) throws {
        try transaction { db in
            for record in records { try Self.writeFullRun(db, record) }
        }
    }

    /// Only new runs (by id) from `records`, with their picks; returns the runs written. Runs already
    /// present are left as they are, which makes `agon store migrate` idempotent.
    func importNewRuns(_ records: [RunRecord], picks: [ApplyRecord]) throws -> (runs: Set<String>, picks: Int) {
        try transaction { db in
            var newRuns = Set<String>()
            for record in records {
                let inserted = try db.execute("INSERT INTO runs (run_id, created_at, spec_path, spec_title, base_sha, status, record) VALUES ($1, 0, '', '', '', '', '') ON CONFLICT DO NOTHING", [record.runID])
                guard inserted.affectedRows == 1 else { continue }
                try Self.writeFullRun(db, record)
                newRuns.insert(record.runID)
            }
            var pickCount = 0
            for pick in picks where newRuns.contains(pick.runID) {
                try Self.insertPick(db, pick)
                pickCount += 1
            }
            return (newRuns, pickCount)
        }
    }

    func updateRun(_ runID: String, _ change: (inout RunRecord) throws -> Void) throws -> RunRecord {
        try transaction { db in
            guard try Self.lockRun(db, runID) else { throw StoreError.runNotFound(runID) }
            guard var record = try Self.assembleRun(db, runID) else { throw StoreError.runNotFound(runID) }
            try change(&record)
            record.runID = runID
            try Self.writeFullRun(db, record)
            return record
        }
    }

    func upsertCandidate(runID: String, _ candidate: CandidateRecord) throws {
        try transaction { db in
            // The run's row lock also orders concurrent appends (each new agent gets its own position).
            guard try Self.lockRun(db, runID) else { throw StoreError.runNotFound(runID) }
            try Self.upsertCandidate(db, runID: runID, candidate, position: nil)
        }
    }

    func saveReview(runID: String, _ review: ReviewRecord) throws {
        try transaction { db in
            guard try Self.lockRun(db, runID) else { throw StoreError.runNotFound(runID) }
            try Self.upsertReview(db, runID: runID, review, position: nil)
        }
    }

    func deleteReview(runID: String, verifier: String) throws -> Bool {
        try transaction { db in
            try db.execute("DELETE FROM reviews WHERE run_id = $1 AND verifier = $2", [runID, verifier]).affectedRows > 0
        }
    }

    func saveConsensus(runID: String, _ consensus: ConsensusRecord?) throws {
        try transaction { db in
            let updated = try db.execute("""
                UPDATE runs SET consensus = $1, winner = $2, consensus_ranking = $3, consensus_gated = $4 WHERE run_id = $5
                """, [try consensus.map(Self.json), consensus?.winner] + LeaderboardColumns.consensus(consensus).map(Self.text) + [runID])
            if updated.affectedRows == 0 { throw StoreError.runNotFound(runID) }
        }
    }

    func recordPick(_ pick: ApplyRecord) throws {
        try transaction { db in
            guard try Self.lockRun(db, pick.runID) else { throw StoreError.runNotFound(pick.runID) }
            try Self.insertPick(db, pick)
        }
    }

    func deleteRun(_ runID: String) throws -> Bool {
        try transaction { db in try db.execute("DELETE FROM runs WHERE run_id = $1", [runID]).affectedRows > 0 }
    }

    // MARK: Reading

    func run(_ runID: String) throws -> RunRecord? {
        try transaction(readOnly: true) { db in try Self.assembleRun(db, runID) }
    }

    func resolveRunID(_ reference: String) throws -> String {
        try transaction(readOnly: true) { db in
            if reference == "latest" {
                let rows = try db.execute("SELECT run_id FROM runs ORDER BY created_at DESC, run_id COLLATE \"C\" DESC LIMIT 1")
                guard rows.rowCount == 1, let id = rows.string(0, 0) else { throw StoreError.noRuns }
                return id
            }
            guard !reference.isEmpty else { throw StoreError.runNotFound(reference) }
            if try db.execute("SELECT 1 FROM runs WHERE run_id = $1", [reference]).rowCount == 1 { return reference }
            let rows = try db.execute("SELECT run_id FROM runs WHERE starts_with(run_id, $1) ORDER BY run_id COLLATE \"C\"", [reference])
            let matches = (0..<rows.rowCount).compactMap { rows.string($0, 0) }
            switch matches.count {
            case 0: throw StoreError.runNotFound(reference)
            case 1: return matches[0]
            default: throw StoreError.ambiguousRunID(prefix: reference, matches: matches)
            }
        }
    }

    func listRuns(_ filter: RunFilter, limit: Int?) throws -> [RunSummary] {
        let (condition, arguments) = filter.postgresSQL
        var sql = """
            SELECT r.run_id, r.spec_path, r.spec_title, r.base_sha, r.status, r.created_at, r.finished_at, r.winner,
                   (SELECT COUNT(*) FROM candidates c WHERE c.run_id = r.run_id) AS candidate_count,
                   (SELECT COALESCE(SUM(c.cost_usd), 0) FROM candidates c WHERE c.run_id = r.run_id)
                     + (SELECT COALESCE(SUM(v.cost_usd), 0) FROM reviews v WHERE v.run_id = r.run_id) AS cost,
                   (SELECT COUNT(*) FROM candidates c WHERE c.run_id = r.run_id AND c.cost_usd IS NULL AND c.outcome IS NOT NULL)
                     + (SELECT COUNT(*) FROM reviews v WHERE v.run_id = r.run_id AND v.cost_usd IS NULL) AS unpriced
            FROM runs r WHERE \(condition) ORDER BY r.created_at DESC, r.run_id COLLATE "C" DESC
            """
        var args = arguments
        if let limit {
            sql += " LIMIT $\(args.count + 1)"
            args.append(String(max(0, limit)))
        }
        return try transaction(readOnly: true) { db in
            let rows = try db.execute(sql, args)
            return try (0..<rows.rowCount).map { i in
                let runID = rows.string(i, 0) ?? ""
                let statusText = rows.string(i, 4) ?? ""
                guard let status = RunStatus(rawValue: statusText) else {
                    throw StoreError.corruptRecord(table: "runs", key: runID, detail: "unknown status \"\(statusText)\"")
                }
                return RunSummary(
                    runID: runID, specPath: rows.string(i, 1) ?? "", specTitle: rows.string(i, 2) ?? "",
                    baseSHA: rows.string(i, 3) ?? "", status: status,
                    createdAt: Date(timeIntervalSince1970: rows.double(i, 5) ?? 0),
                    finishedAt: rows.double(i, 6).map { Date(timeIntervalSince1970: $0) },
                    candidateCount: rows.int(i, 8) ?? 0, winner: rows.string(i, 7), costUSD: rows.double(i, 9) ?? 0,
                    unpricedCount: rows.int(i, 10) ?? 0)
            }
        }
    }

    func allRunsForLeaderboard(_ filter: RunFilter, includeReviews: Bool) throws -> [RunRecord] {
        let (condition, arguments) = filter.postgresSQL
        struct Rows { var runs: [(String, Data, Data?)] = []; var candidates: [(String, Data)] = []; var reviews: [(String, Data)] = [] }
        let rows: Rows = try transaction(readOnly: true) { db in
            var rows = Rows()
            let runs = try db.execute("""
                SELECT r.run_id, r.record, r.consensus FROM runs r WHERE \(condition) ORDER BY r.created_at, r.run_id COLLATE "C"
                """, arguments)
            for i in 0..<runs.rowCount {
                rows.runs.append((runs.string(i, 0) ?? "", Data((runs.string(i, 1) ?? "").utf8), runs.string(i, 2).map { Data($0.utf8) }))
            }
            for table in includeReviews ? ["candidates", "reviews"] : ["candidates"] {
                let children = try db.execute("""
                    SELECT t.run_id, t.record FROM \(table) t JOIN runs r ON r.run_id = t.run_id
                    WHERE \(condition) ORDER BY t.run_id, t.position
                    """, arguments)
                for i in 0..<children.rowCount {
                    let row = (children.string(i, 0) ?? "", Data((children.string(i, 1) ?? "").utf8))
                    if table == "candidates" { rows.candidates.append(row) } else { rows.reviews.append(row) }
                }
            }
            return rows
        }
        return try RunStore.assemble(runs: rows.runs, candidates: rows.candidates, reviews: rows.reviews)
    }

    /// The leaderboard's columns, as `LeaderboardColumns.load` reads them from SQLite.
    func leaderboardRuns(_ filter: RunFilter) throws -> [LeaderboardRun] {
        let (condition, arguments) = filter.postgresSQL
        return try transaction(readOnly: true) { db in
            var runs: [LeaderboardRun] = []
            let runRows = try db.execute("""
                SELECT r.run_id, r.spec_hash, r.created_at, r.consensus_ranking, r.consensus_gated
                FROM runs r WHERE \(condition) ORDER BY r.created_at, r.run_id COLLATE "C"
                """, arguments)
            var strings = StringInterner()
            runs.reserveCapacity(runRows.rowCount)
            for i in 0..<runRows.rowCount {
                let runID = runRows.string(i, 0) ?? ""
                var consensus: LeaderboardConsensus?
                if let ranking = try Self.list(runRows, i, 3, table: "runs", key: runID, strings: &strings) {
                    consensus = LeaderboardConsensus(ranking: ranking,
                                                     gated: try Self.list(runRows, i, 4, table: "runs", key: runID, strings: &strings) ?? [])
                }
                runs.append(LeaderboardRun(runID: runID, specHash: runRows.string(i, 1) ?? "",
                                           createdAt: Date(timeIntervalSince1970: runRows.double(i, 2) ?? 0),
                                           consensus: consensus, candidates: [], reviews: []))
            }
            guard !runs.isEmpty else { return runs }

            let candidates = try db.execute("""
                SELECT t.run_id, t.agent, t.harness, t.model, t.first_outcome, t.first_cost_usd, t.first_cost_source,
                       t.first_duration_ms, t.tokens_total, t.turns, t.first_attempt_ms, t.tokens_per_sec, t.diff_files,
                       t.check_acceptance, t.check_holdout, t.check_scope, t.checks_run,
                       t.attempts, t.success_attempt, t.cost_usd, t.cost_source, t.cache_source_run
                FROM runs r JOIN candidates t ON t.run_id = r.run_id
                WHERE \(condition) ORDER BY r.created_at, r.run_id COLLATE "C", t.position
                """, arguments)
            var run = 0
            for i in 0..<candidates.rowCount {
                run = try Self.advance(to: candidates, row: i, from: run, runs)
                let key = runs[run].runID
                let c = candidates
                runs[run].candidates.append(LeaderboardCandidate(
                    agent: strings.intern(c.string(i, 1) ?? ""), harness: try Self.value(c, i, 2, table: "candidates", key: key),
                    model: c.string(i, 3).map { strings.intern($0) },
                    outcome: try c.string(i, 4).map { try LeaderboardColumns.parse($0, table: "candidates", key: key) },
                    costUSD: c.double(i, 5), costSource: try Self.value(c, i, 6, table: "candidates", key: key),
                    tokens: c.int(i, 8) ?? 0, turns: c.int(i, 9) ?? 0, firstAttemptMs: c.int(i, 10), durationMs: c.int(i, 7),
                    tokensPerSec: c.double(i, 11), diffFiles: c.int(i, 12) ?? 0,
                    checks: CheckSummary(acceptance: try Self.value(c, i, 13, table: "candidates", key: key),
                                         holdout: try Self.value(c, i, 14, table: "candidates", key: key),
                                         scope: try Self.value(c, i, 15, table: "candidates", key: key)),
                    checksRun: CheckKinds(rawValue: c.int(i, 16) ?? 0), cacheHit: c.string(i, 21) != nil,
                    attempts: AttemptSummary(count: c.int(i, 17) ?? 1, successAttempt: c.int(i, 18),
                                             totalCostUSD: c.string(i, 20) == CostSource.unpriced.rawValue ? nil : c.double(i, 19))))
            }

            let reviews = try db.execute("""
                SELECT t.run_id, t.verifier, t.harness, t.model, t.status, t.cost_usd, t.ranking, t.display_order,
                       t.dropped_self_preference, t.swap_consistency
                FROM runs r JOIN reviews t ON t.run_id = r.run_id
                WHERE \(condition) ORDER BY r.created_at, r.run_id COLLATE "C", t.position
                """, arguments)
            run = 0
            for i in 0..<reviews.rowCount {
                run = try Self.advance(to: reviews, row: i, from: run, runs)
                let key = runs[run].runID
                let r = reviews
                runs[run].reviews.append(LeaderboardReview(
                    verifier: strings.intern(r.string(i, 1) ?? ""), harness: try Self.value(r, i, 2, table: "reviews", key: key),
                    model: r.string(i, 3).map { strings.intern($0) }, status: try Self.value(r, i, 4, table: "reviews", key: key),
                    costUSD: r.double(i, 5), ranking: try Self.list(r, i, 6, table: "reviews", key: key, strings: &strings) ?? [],
                    displayOrder: try Self.list(r, i, 7, table: "reviews", key: key, strings: &strings) ?? [],
                    droppedSelfPreference: r.int(i, 8) ?? 0, swapConsistency: r.double(i, 9)))
            }
            return runs
        }
    }

    func picks(runID: String?) throws -> [ApplyRecord] {
        try transaction(readOnly: true) { db in
            let rows = try runID.map { try db.execute("SELECT record FROM picks WHERE run_id = $1 ORDER BY applied_at, id", [$0]) }
                ?? db.execute("SELECT record FROM picks ORDER BY applied_at, id")
            return try (0..<rows.rowCount).map {
                try Self.decode(ApplyRecord.self, Data((rows.string($0, 0) ?? "").utf8), table: "picks", key: runID ?? "")
            }
        }
    }

    func runCount() throws -> Int {
        try transaction(readOnly: true) { db in try db.execute("SELECT COUNT(*) FROM runs").int(0, 0) ?? 0 }
    }

    // MARK: Transactions

    /// Runs `body` in one transaction on the store's connection, again (up to five times) when
    /// the server aborts it as a deadlock or serialisation failure; rolls back on any error.
    func transaction<T>(readOnly: Bool = false, _ body: (PostgresConnection) throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        connection.resetIfBroken()
        var attempt = 1
        while true {
            do {
                try begin(readOnly: readOnly)
                let value = try body(connection)
                try connection.execute("COMMIT")
                return value
            } catch let error as PostgresError {
                _ = try? connection.execute("ROLLBACK")
                if error.isRetryable, attempt < 5 {
                    attempt += 1
                    continue
                }
                throw StoreError.database(path: displayURL, detail: error.message)
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Starts a transaction, reconnecting once when the server dropped the connection since
    /// the last one (a restart, an idle timeout). Only BEGIN is ever retried this way: a write
    /// cut off later may or may not have committed, and is reported instead.
    private func begin(readOnly: Bool) throws {
        let sql = readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN"
        do {
            try connection.execute(sql)
        } catch let error as PostgresError where connection.isBroken {
            connection.resetIfBroken()
            guard !connection.isBroken else { throw error }
            try connection.execute(sql)
        }
    }

    // MARK: SQL

    /// Locks the run's row until the transaction ends; false when there is no such run.
    static func lockRun(_ db: PostgresConnection, _ runID: String) throws -> Bool {
        try db.execute("SELECT 1 FROM runs WHERE run_id = $1 FOR UPDATE", [runID]).rowCount == 1
    }

    private static func writeFullRun(_ db: PostgresConnection, _ record: RunRecord) throws {
        var header = record
        header.candidates = []
        header.reviews = []
        header.consensus = nil
        try db.execute("""
            INSERT INTO runs (run_id, created_at, finished_at, spec_path, spec_title, base_sha, status, winner, record, consensus,
                              spec_hash, consensus_ranking, consensus_gated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (run_id) DO UPDATE SET
                created_at = excluded.created_at, finished_at = excluded.finished_at, spec_path = excluded.spec_path,
                spec_title = excluded.spec_title, base_sha = excluded.base_sha, status = excluded.status,
                winner = excluded.winner, record = excluded.record, consensus = excluded.consensus,
                spec_hash = excluded.spec_hash, consensus_ranking = excluded.consensus_ranking,
                consensus_gated = excluded.consensus_gated
            """, [
                record.runID, text(AgonJSON.millisecondPrecision(record.createdAt).timeIntervalSince1970),
                record.finishedAt.map { text(AgonJSON.millisecondPrecision($0).timeIntervalSince1970) } ?? nil,
                record.specPath, record.specTitle, record.baseSHA, record.status.rawValue,
                record.consensus?.winner, try json(header), try record.consensus.map(json),
            ] + LeaderboardColumns.run(record).map(text))
        try db.execute("DELETE FROM candidates WHERE run_id = $1", [record.runID])
        try db.execute("DELETE FROM reviews WHERE run_id = $1", [record.runID])
        for (position, candidate) in record.candidates.enumerated() {
            try upsertCandidate(db, runID: record.runID, candidate, position: position)
        }
        for (position, review) in record.reviews.enumerated() {
            try upsertReview(db, runID: record.runID, review, position: position)
        }
    }

    static func upsertCandidate(_ db: PostgresConnection, runID: String, _ c: CandidateRecord, position: Int?) throws {
        try db.execute(candidateUpsertSQL, [
            runID, c.agent, position.map(String.init), c.harness.rawValue, c.model, c.outcome?.rawValue, text(c.costUSD),
            c.costSource.rawValue, c.durationMs.map(String.init), try json(c),
        ] + LeaderboardColumns.candidateColumns(c).map(text))
    }

    private static let candidateUpsertSQL = UpsertSQL.candidate(.postgres)

    private static func upsertReview(_ db: PostgresConnection, runID: String, _ r: ReviewRecord, position: Int?) throws {
        try db.execute(reviewUpsertSQL, [
            runID, r.verifier, position.map(String.init), r.harness.rawValue, r.model, r.status.rawValue, text(r.costUSD),
            r.costSource.rawValue, try json(r),
        ] + LeaderboardColumns.review(r).map(text))
    }

    private static let reviewUpsertSQL = UpsertSQL.review(.postgres)

    private static func insertPick(_ db: PostgresConnection, _ pick: ApplyRecord) throws {
        try db.execute("""
            INSERT INTO picks (run_id, agent, applied_at, committed, commit_sha, record) VALUES ($1, $2, $3, $4, $5, $6)
            """, [pick.runID, pick.agent, text(AgonJSON.millisecondPrecision(pick.appliedAt).timeIntervalSince1970),
                  pick.committed ? "1" : "0", pick.commitSHA, try json(pick)])
    }

    private static func assembleRun(_ db: PostgresConnection, _ runID: String) throws -> RunRecord? {
        let header = try db.execute("SELECT record, consensus FROM runs WHERE run_id = $1", [runID])
        guard header.rowCount == 1 else { return nil }
        var record = try decode(RunRecord.self, Data((header.string(0, 0) ?? "").utf8), table: "runs", key: runID)
        if let consensus = header.string(0, 1) {
            record.consensus = try decode(ConsensusRecord.self, Data(consensus.utf8), table: "runs.consensus", key: runID)
        }
        let candidates = try db.execute("SELECT record FROM candidates WHERE run_id = $1 ORDER BY position", [runID])
        record.candidates = try (0..<candidates.rowCount).map {
            try decode(CandidateRecord.self, Data((candidates.string($0, 0) ?? "").utf8), table: "candidates", key: runID)
        }
        let reviews = try db.execute("SELECT record FROM reviews WHERE run_id = $1 ORDER BY position", [runID])
        record.reviews = try (0..<reviews.rowCount).map {
            try decode(ReviewRecord.self, Data((reviews.string($0, 0) ?? "").utf8), table: "reviews", key: runID)
        }
        return record
    }

    /// The index of the run `result`'s row `row` belongs to, at or after `from` (rows come in run order).
    private static func advance(to result: PostgresResult, row: Int, from: Int, _ runs: [LeaderboardRun]) throws -> Int {
        let runID = result.string(row, 0) ?? ""
        var i = from
        while i < runs.count, runs[i].runID != runID { i += 1 }
        guard i < runs.count else { throw StoreError.corruptRecord(table: "runs", key: runID, detail: "rows out of order") }
        return i
    }

    private static func value<T: RawRepresentable>(_ result: PostgresResult, _ row: Int, _ column: Int, table: String,
                                                   key: String) throws -> T where T.RawValue == String {
        try LeaderboardColumns.parse(result.string(row, column) ?? "", table: table, key: key)
    }

    private static func list(_ result: PostgresResult, _ row: Int, _ column: Int, table: String, key: String,
                             strings: inout StringInterner) throws -> [String]? {
        guard let text = result.string(row, column) else { return nil }
        do {
            return try StringListColumn.decode(Data(text.utf8), strings: &strings)
        } catch {
            throw StoreError.corruptRecord(table: table, key: key, detail: "\(result.columnName(column)): \(StoreError.describe(error))")
        }
    }

    /// A column value as PostgreSQL text (the value functions in `LeaderboardColumns` are shared with SQLite).
    static func text(_ value: DatabaseValueConvertible?) -> String? {
        guard let value else { return nil }
        switch value.databaseValue.storage {
        case .null: return nil
        case let .int64(number): return String(number)
        case let .double(number): return "\(number)"
        case let .string(string): return string
        case let .blob(data): return String(decoding: data, as: UTF8.self)
        }
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try AgonJSON.compactEncoder.encode(value), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ data: Data, table: String, key: String) throws -> T {
        do {
            return try AgonJSON.decoder.decode(type, from: data)
        } catch {
            throw StoreError.corruptRecord(table: table, key: key, detail: StoreError.describe(error))
        }
    }
}
