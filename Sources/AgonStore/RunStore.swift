import AgonCore
import AgonLeaderboard
import Foundation
import GRDB

/// Agon's run index in `.agon/agon.sqlite` (SQLite in WAL mode through GRDB), or on a shared
/// PostgreSQL server (`init(postgresURL:)`, the backend in `PostgresRunStore`): the same
/// records, schema versions and queries either way.
///
/// Several `agon` processes may use one store at once: every write is a short IMMEDIATE
/// transaction and waits (busy timeout) for the others. Each record is stored as its exact
/// JSON next to indexed copies of the fields queries use, so reads return exactly what was
/// written. A file that is not an Agon store is refused and never modified.
public final class RunStore: Sendable {
    /// The database file (for PostgreSQL, the URL without its password).
    public let path: String
    /// The SQLite database; nil when the store is PostgreSQL (every method then goes to `postgres` first).
    private let writer: (any DatabaseWriter)!
    let postgres: PostgresRunStore?

    /// Opens (creating if needed) the store of the repository `layout` describes.
    public convenience init(layout: ArtifactLayout, busyTimeout: TimeInterval = 60) throws {
        do {
            try FileManager.default.createDirectory(at: layout.agonDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.io(path: layout.agonDirectory.path, detail: "cannot create directory: \(error.localizedDescription)")
        }
        try self.init(url: layout.databaseURL, busyTimeout: busyTimeout)
    }

    /// Opens (creating if needed) the store at `url`.
    public init(url: URL, busyTimeout: TimeInterval = 60) throws {
        let path = url.path
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = "agon-store"
        // Identify an existing file read-only first: opening a pool switches the file to WAL,
        // which rewrites its header, and a foreign file must stay byte-for-byte untouched.
        postgres = nil
        if try Self.checkFileHeader(path) {
            var readOnly = config
            readOnly.readonly = true
            do {
                let probe = try DatabaseQueue(path: path, configuration: readOnly)
                defer { try? probe.close() }
                try probe.read { db in try Self.verifyIdentity(db, path: path) }
            } catch let error as DatabaseError {
                throw Self.openError(path, error)
            }
        }
        do {
            writer = try DatabasePool(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw Self.openError(path, error)
        }
        try migrate()
    }

    /// A store on `writer`, migrated on open: tests use an in-memory `DatabaseQueue` (as GRDB
    /// recommends); `agon` opens a WAL `DatabasePool` on a file through `init(url:)`.
    public init(writer: any DatabaseWriter) throws {
        path = writer.path
        self.writer = writer
        postgres = nil
        try migrate()
    }

    /// Opens (migrating if needed) the PostgreSQL store at `postgresURL` (a libpq URI).
    public init(postgresURL: String) throws {
        try StoreLocation.validatePostgresURL(postgresURL)
        let backend = try PostgresRunStore(url: postgresURL)
        path = backend.displayURL
        writer = nil
        postgres = backend
    }

    /// Opens the store at `location`.
    public convenience init(location: StoreLocation) throws {
        switch location {
        case let .sqlite(url): try self.init(url: url)
        case let .postgres(url): try self.init(postgresURL: url)
        }
    }

    /// Whether this store is on a PostgreSQL server.
    public var isPostgres: Bool { postgres != nil }

    /// Closes the database connections (also done on deinit).
    public func close() throws {
        if let postgres { return postgres.close() }
        try writer.close()
    }

    // MARK: Opening

    /// Refuses a non-empty file that is not SQLite before SQLite ever opens it; returns
    /// whether there is an existing database to identify.
    private static func checkFileHeader(_ path: String) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false } // absent: will be created
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return false } // empty file: SQLite treats it as a fresh database
        guard header == Data("SQLite format 3\0".utf8) else {
            throw StoreError.notAnAgonDatabase(path: path, detail: "not an SQLite database file")
        }
        return true
    }

    private static func openError(_ path: String, _ error: DatabaseError) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notAnAgonDatabase(path: path, detail: error.message ?? "\(error.resultCode)")
        default:
            return .database(path: path, detail: error.message ?? "\(error.resultCode)")
        }
    }

    private static func verifyIdentity(_ db: Database, path: String) throws {
        let migrator = StoreSchema.migrator
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name
            """)
        if applicationID == StoreSchema.applicationID {
            let applied = try db.tableExists("grdb_migrations") ? try migrator.appliedIdentifiers(db) : []
            let unknown = applied.subtracting(migrator.migrations)
            if !unknown.isEmpty { throw StoreError.newerDatabase(path: path, unknownMigrations: unknown.sorted()) }
        } else if applicationID != 0 {
            throw StoreError.notAnAgonDatabase(path: path, detail: String(format: "application id 0x%08X", applicationID))
        } else if !tables.isEmpty {
            let shown = tables.prefix(5).joined(separator: ", ")
            throw StoreError.notAnAgonDatabase(path: path, detail: "it holds other tables: \(shown)")
        }
    }

    private func migrate() throws {
        let migrator = StoreSchema.migrator
        // Two processes opening a store at once race: GRDB reads the applied migrations before
        // each migration's transaction, so the loser fails (duplicate table or column) while the
        // winner may still be applying later versions. The loser waits and tries again; each try
        // re-reads what is applied, so it ends once the winner is done or nothing is left to do.
        var attempt = 0
        while true {
            do {
                try migrator.migrate(writer)
                return
            } catch {
                let completed = (try? writer.read { try migrator.completedMigrations($0) }) ?? []
                if Set(completed).isSuperset(of: migrator.migrations) { return }
                attempt += 1
                guard attempt < 100, error is DatabaseError else {
                    throw (error as? DatabaseError).map { Self.openError(path, $0) } ?? error
                }
                usleep(50_000)
            }
        }
    }

    // MARK: Writing

    /// Records a new run (and whatever candidates, reviews and consensus it already carries).
    public func createRun(_ record: RunRecord) throws {
        if let postgres { return try postgres.createRun(record) }
        try write { db in
            if try Self.runExists(db, record.runID) { throw StoreError.runAlreadyExists(record.runID) }
            try Self.writeFullRun(db, record)
        }
    }

    /// Stores `record` as the complete truth for its run, creating or replacing it
    /// (candidates and reviews not in `record` are removed).
    public func saveRun(_ record: RunRecord) throws {
        if let postgres { return try postgres.saveRun(record) }
        try write { db in try Self.writeFullRun(db, record) }
    }

    /// Stores many complete runs in one transaction (imports, benchmarks).
    public func importRuns(_ records: [RunRecord]) throws {
        if let postgres { return try postgres.importRuns(records) }
        try write { db in
            for record in records { try Self.writeFullRun(db, record) }
        }
    }

    /// Reads, changes and writes back one run atomically; returns the updated record.
    @discardableResult
    public func updateRun(_ runID: String, _ change: (inout RunRecord) throws -> Void) throws -> RunRecord {
        if let postgres { return try postgres.updateRun(runID, change) }
        return try write { db in
            guard var record = try Self.assembleRun(db, runID) else { throw StoreError.runNotFound(runID) }
            try change(&record)
            record.runID = runID // the key is not changeable
            try Self.writeFullRun(db, record)
            return record
        }
    }

    /// Sets a run's status (and, when given, when it finished).
    @discardableResult
    public func updateRun(_ runID: String, status: RunStatus, finishedAt: Date? = nil) throws -> RunRecord {
        try updateRun(runID) { record in
            record.status = status
            if let finishedAt { record.finishedAt = finishedAt }
        }
    }

    /// Inserts or replaces one candidate; a new agent is appended after the run's others.
    public func upsertCandidate(runID: String, _ candidate: CandidateRecord) throws {
        if let postgres { return try postgres.upsertCandidate(runID: runID, candidate) }
        try write { db in
            guard try Self.runExists(db, runID) else { throw StoreError.runNotFound(runID) }
            try Self.upsertCandidate(db, runID: runID, candidate, position: nil)
        }
    }

    /// Inserts or replaces one verifier's review; a new verifier is appended after the others.
    public func saveReview(runID: String, _ review: ReviewRecord) throws {
        if let postgres { return try postgres.saveReview(runID: runID, review) }
        try write { db in
            guard try Self.runExists(db, runID) else { throw StoreError.runNotFound(runID) }
            try Self.upsertReview(db, runID: runID, review, position: nil)
        }
    }

    /// Removes one verifier's review (before redoing it); returns whether there was one.
    @discardableResult
    public func deleteReview(runID: String, verifier: String) throws -> Bool {
        if let postgres { return try postgres.deleteReview(runID: runID, verifier: verifier) }
        return try write { db in
            try db.execute(sql: "DELETE FROM reviews WHERE run_id = ? AND verifier = ?", arguments: [runID, verifier])
            return db.changesCount > 0
        }
    }

    /// Sets (or with nil, clears) a run's consensus.
    public func saveConsensus(runID: String, _ consensus: ConsensusRecord?) throws {
        if let postgres { return try postgres.saveConsensus(runID: runID, consensus) }
        try write { db in
            guard try Self.runExists(db, runID) else { throw StoreError.runNotFound(runID) }
            try db.execute(sql: """
                UPDATE runs SET consensus = ?, winner = ?, consensus_ranking = ?, consensus_gated = ? WHERE run_id = ?
                """, arguments: StatementArguments([try consensus.map(Self.json), consensus?.winner]
                                                   + LeaderboardColumns.consensus(consensus) + [runID]))
        }
    }

    /// Records a human pick (`agon apply`).
    public func recordPick(_ pick: ApplyRecord) throws {
        if let postgres { return try postgres.recordPick(pick) }
        try write { db in
            guard try Self.runExists(db, pick.runID) else { throw StoreError.runNotFound(pick.runID) }
            try db.execute(sql: """
                INSERT INTO picks (run_id, agent, applied_at, committed, commit_sha, record) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [pick.runID, pick.agent, AgonJSON.millisecondPrecision(pick.appliedAt).timeIntervalSince1970,
                                 pick.committed, pick.commitSHA, try Self.json(pick)])
        }
    }

    /// Deletes a run with its candidates, reviews and picks (artifacts are the caller's:
    /// `ArtifactLayout.removeRunDirectory`). Returns whether the run existed.
    @discardableResult
    public func deleteRun(_ runID: String) throws -> Bool {
        if let postgres { return try postgres.deleteRun(runID) }
        return try write { db in
            try db.execute(sql: "DELETE FROM runs WHERE run_id = ?", arguments: [runID])
            return db.changesCount > 0
        }
    }

    // MARK: Reading

    /// The fully assembled run, or nil if there is none with this exact id.
    public func run(_ runID: String) throws -> RunRecord? {
        if let postgres { return try postgres.run(runID) }
        return try read { db in try Self.assembleRun(db, runID) }
    }

    /// Resolves what a user typed to a run id: `latest`, an exact id, or a unique id prefix.
    public func resolveRunID(_ reference: String) throws -> String {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        if let postgres { return try postgres.resolveRunID(reference) }
        return try read { db in
            if reference == "latest" {
                guard let id = try String.fetchOne(db, sql: "SELECT run_id FROM runs ORDER BY created_at DESC, run_id DESC LIMIT 1")
                else { throw StoreError.noRuns }
                return id
            }
            guard !reference.isEmpty else { throw StoreError.runNotFound(reference) }
            if try Self.runExists(db, reference) { return reference }
            let matches = try String.fetchAll(db, sql: """
                SELECT run_id FROM runs WHERE substr(run_id, 1, length(?1)) = ?1 ORDER BY run_id
                """, arguments: [reference])
            switch matches.count {
            case 0: throw StoreError.runNotFound(reference)
            case 1: return matches[0]
            default: throw StoreError.ambiguousRunID(prefix: reference, matches: matches)
            }
        }
    }

    /// Runs newest first, with totals, for `agon list`.
    public func listRuns(_ filter: RunFilter = RunFilter(), limit: Int? = nil) throws -> [RunSummary] {
        if let postgres { return try postgres.listRuns(filter, limit: limit) }
        let (condition, arguments) = filter.sql
        var sql = """
            SELECT r.run_id, r.spec_path, r.spec_title, r.base_sha, r.status, r.created_at, r.finished_at, r.winner,
                   (SELECT COUNT(*) FROM candidates c WHERE c.run_id = r.run_id) AS candidate_count,
                   (SELECT TOTAL(c.cost_usd) FROM candidates c WHERE c.run_id = r.run_id)
                     + (SELECT TOTAL(v.cost_usd) FROM reviews v WHERE v.run_id = r.run_id) AS cost,
                   (SELECT COUNT(*) FROM candidates c WHERE c.run_id = r.run_id AND c.cost_usd IS NULL AND c.outcome IS NOT NULL)
                     + (SELECT COUNT(*) FROM reviews v WHERE v.run_id = r.run_id AND v.cost_usd IS NULL) AS unpriced
            FROM runs r WHERE \(condition) ORDER BY r.created_at DESC, r.run_id DESC
            """
        var args = arguments
        if let limit {
            sql += " LIMIT ?"
            args += [max(0, limit)]
        }
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: args).map { row in
                let statusText: String = row["status"]
                guard let status = RunStatus(rawValue: statusText) else {
                    throw StoreError.corruptRecord(table: "runs", key: row["run_id"], detail: "unknown status \"\(statusText)\"")
                }
                return RunSummary(
                    runID: row["run_id"], specPath: row["spec_path"], specTitle: row["spec_title"],
                    baseSHA: row["base_sha"], status: status,
                    createdAt: Date(timeIntervalSince1970: row["created_at"]),
                    finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
                    candidateCount: row["candidate_count"], winner: row["winner"], costUSD: row["cost"],
                    unpricedCount: row["unpriced"])
            }
        }
    }

    /// Every matching run, fully assembled, oldest first — the leaderboard's input.
    ///
    /// One query per table inside one snapshot, then JSON decoding spread over the cores.
    /// Decoding dominates (roughly 30 µs per candidate or review per core), so callers that
    /// only need candidates and consensus pass `includeReviews: false` (runs keep `reviews` empty).
    public func allRunsForLeaderboard(_ filter: RunFilter = RunFilter(), includeReviews: Bool = true) throws -> [RunRecord] {
        if let postgres { return try postgres.allRunsForLeaderboard(filter, includeReviews: includeReviews) }
        let (condition, arguments) = filter.sql
        let join = condition == "1" ? "" : "JOIN runs r ON r.run_id = t.run_id WHERE \(condition)"
        struct Rows { var runs: [(String, Data, Data?)] = []; var candidates: [(String, Data)] = []; var reviews: [(String, Data)] = [] }
        let rows: Rows = try read { db in
            var rows = Rows()
            let runCursor = try Row.fetchCursor(db, sql: """
                SELECT r.run_id, r.record, r.consensus FROM runs r WHERE \(condition) ORDER BY r.created_at, r.run_id
                """, arguments: arguments)
            while let row = try runCursor.next() { rows.runs.append((row[0], row[1], row[2])) }
            for table in includeReviews ? ["candidates", "reviews"] : ["candidates"] {
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT t.run_id, t.record FROM \(table) t \(join) ORDER BY t.run_id, t.position
                    """, arguments: arguments)
                while let row = try cursor.next() {
                    if table == "candidates" { rows.candidates.append((row[0], row[1])) } else { rows.reviews.append((row[0], row[1])) }
                }
            }
            return rows
        }
        return try Self.assemble(runs: rows.runs, candidates: rows.candidates, reviews: rows.reviews)
    }

    /// Full records from the stored JSON of runs `(id, record, consensus)` and of their
    /// children `(run id, record)` in stored order (shared by both backends).
    static func assemble(runs runRows: [(String, Data, Data?)], candidates candidateRows: [(String, Data)],
                         reviews reviewRows: [(String, Data)]) throws -> [RunRecord] {
        let rows = (runs: runRows, candidates: candidateRows, reviews: reviewRows)
        var runs = try Self.decodeConcurrently(RunRecord.self, rows.runs.map(\.1), table: "runs") { rows.runs[$0].0 }
        let consensusRows = rows.runs.enumerated().compactMap { i, row in row.2.map { (i, $0) } }
        let consensus = try Self.decodeConcurrently(ConsensusRecord.self, consensusRows.map(\.1), table: "runs.consensus") {
            rows.runs[consensusRows[$0].0].0
        }
        for (k, (i, _)) in consensusRows.enumerated() { runs[i].consensus = consensus[k] }
        var index: [String: Int] = [:]
        index.reserveCapacity(runs.count)
        for (i, run) in runs.enumerated() { index[run.runID] = i }
        let candidates = try Self.decodeConcurrently(CandidateRecord.self, rows.candidates.map(\.1), table: "candidates") {
            rows.candidates[$0].0
        }
        for (k, candidate) in candidates.enumerated() {
            if let i = index[rows.candidates[k].0] { runs[i].candidates.append(candidate) }
        }
        let reviews = try Self.decodeConcurrently(ReviewRecord.self, rows.reviews.map(\.1), table: "reviews") {
            rows.reviews[$0].0
        }
        for (k, review) in reviews.enumerated() {
            if let i = index[rows.reviews[k].0] { runs[i].reviews.append(review) }
        }
        return runs
    }

    /// Every matching run as the leaderboard reads it, oldest first: the same runs, candidates
    /// and reviews as `allRunsForLeaderboard` (projected by `LeaderboardRun.init`), read from
    /// indexed columns without decoding any record JSON.
    public func leaderboardRuns(_ filter: RunFilter = RunFilter()) throws -> [LeaderboardRun] {
        if let postgres { return try postgres.leaderboardRuns(filter) }
        return try read { db in try LeaderboardColumns.load(db, filter: filter) }
    }

    /// Human picks, oldest first (optionally for one run).
    public func picks(runID: String? = nil) throws -> [ApplyRecord] {
        if let postgres { return try postgres.picks(runID: runID) }
        return try read { db in
            let rows: [String]
            if let runID {
                rows = try String.fetchAll(db, sql: "SELECT record FROM picks WHERE run_id = ? ORDER BY applied_at, id", arguments: [runID])
            } else {
                rows = try String.fetchAll(db, sql: "SELECT record FROM picks ORDER BY applied_at, id")
            }
            return try rows.map { try Self.decode(ApplyRecord.self, Data($0.utf8), table: "picks", key: runID ?? "") }
        }
    }

    /// Number of runs stored.
    public func runCount() throws -> Int {
        if let postgres { return try postgres.runCount() }
        return try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs") ?? 0 }
    }

    // MARK: SQL

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded { try writer.write(body) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded { try writer.read(body) }
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError.database(path: path, detail: StoreError.describe(error))
        }
    }

    static func runExists(_ db: Database, _ runID: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM runs WHERE run_id = ?)", arguments: [runID]) ?? false
    }

    private static func writeFullRun(_ db: Database, _ record: RunRecord) throws {
        var header = record
        header.candidates = []
        header.reviews = []
        header.consensus = nil
        try db.cachedStatement(sql: """
            INSERT INTO runs (run_id, created_at, finished_at, spec_path, spec_title, base_sha, status, winner, record, consensus,
                              spec_hash, consensus_ranking, consensus_gated)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(run_id) DO UPDATE SET
                created_at = excluded.created_at, finished_at = excluded.finished_at, spec_path = excluded.spec_path,
                spec_title = excluded.spec_title, base_sha = excluded.base_sha, status = excluded.status,
                winner = excluded.winner, record = excluded.record, consensus = excluded.consensus,
                spec_hash = excluded.spec_hash, consensus_ranking = excluded.consensus_ranking,
                consensus_gated = excluded.consensus_gated
            """).execute(arguments: StatementArguments([
                record.runID, AgonJSON.millisecondPrecision(record.createdAt).timeIntervalSince1970,
                record.finishedAt.map { AgonJSON.millisecondPrecision($0).timeIntervalSince1970 },
                record.specPath, record.specTitle, record.baseSHA, record.status.rawValue,
                record.consensus?.winner, try json(header), try record.consensus.map(json),
            ] + LeaderboardColumns.run(record)))
        try db.cachedStatement(sql: "DELETE FROM candidates WHERE run_id = ?").execute(arguments: [record.runID])
        try db.cachedStatement(sql: "DELETE FROM reviews WHERE run_id = ?").execute(arguments: [record.runID])
        for (position, candidate) in record.candidates.enumerated() {
            try upsertCandidate(db, runID: record.runID, candidate, position: position)
        }
        for (position, review) in record.reviews.enumerated() {
            try upsertReview(db, runID: record.runID, review, position: position)
        }
    }

    /// `position` nil: keep an existing row's position, or append.
    static func upsertCandidate(_ db: Database, runID: String, _ c: CandidateRecord, position: Int?) throws {
        try db.cachedStatement(sql: candidateUpsertSQL).execute(arguments: StatementArguments([
            runID, c.agent, position, c.harness.rawValue, c.model, c.outcome?.rawValue, c.costUSD,
            c.costSource.rawValue, c.durationMs, try json(c),
        ] + LeaderboardColumns.candidateColumns(c)))
    }

    private static let candidateUpsertSQL = UpsertSQL.candidate(.sqlite)

    private static func upsertReview(_ db: Database, runID: String, _ r: ReviewRecord, position: Int?) throws {
        try db.cachedStatement(sql: reviewUpsertSQL).execute(arguments: StatementArguments([
            runID, r.verifier, position, r.harness.rawValue, r.model, r.status.rawValue, r.costUSD,
            r.costSource.rawValue, try json(r),
        ] + LeaderboardColumns.review(r)))
    }

    private static let reviewUpsertSQL = UpsertSQL.review(.sqlite)

    private static func assembleRun(_ db: Database, _ runID: String) throws -> RunRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT record, consensus FROM runs WHERE run_id = ?", arguments: [runID])
        else { return nil }
        var record = try decode(RunRecord.self, row[0], table: "runs", key: runID)
        if let consensus = row[1] as Data? {
            record.consensus = try decode(ConsensusRecord.self, consensus, table: "runs.consensus", key: runID)
        }
        record.candidates = try String.fetchAll(
            db, sql: "SELECT record FROM candidates WHERE run_id = ? ORDER BY position", arguments: [runID]
        ).map { try decode(CandidateRecord.self, Data($0.utf8), table: "candidates", key: runID) }
        record.reviews = try String.fetchAll(
            db, sql: "SELECT record FROM reviews WHERE run_id = ? ORDER BY position", arguments: [runID]
        ).map { try decode(ReviewRecord.self, Data($0.utf8), table: "reviews", key: runID) }
        return record
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

    /// Decodes `blobs` in order, spread over the cores (decoding dominates bulk loads).
    private static func decodeConcurrently<T: Decodable>(_ type: T.Type, _ blobs: [Data], table: String,
                                                         key: (Int) -> String) throws -> [T] {
        if blobs.isEmpty { return [] }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, blobs.count / 256))
        var results = [T?](repeating: nil, count: blobs.count)
        var failedIndex: Int?
        let lock = NSLock()
        results.withUnsafeMutableBufferPointer { buffer in
            let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let chunk = (blobs.count + workers - 1) / workers
                let range = (worker * chunk)..<min(blobs.count, (worker + 1) * chunk)
                for i in range {
                    guard let value = try? AgonJSON.decoder.decode(type, from: blobs[i]) else {
                        lock.lock()
                        failedIndex = min(failedIndex ?? i, i)
                        lock.unlock()
                        return
                    }
                    out[i] = value
                }
            }
        }
        if let failedIndex {
            // Decode again serially for the precise error message.
            _ = try decode(type, blobs[failedIndex], table: table, key: key(failedIndex))
        }
        return results.map { $0! }
    }
}
