import AgonCore
@testable import AgonStore
import AgonTestSupport
import Foundation
import GRDB
import Testing

/// What only the PostgreSQL backend has: its schema against SQLite's, refusing a foreign or
/// newer schema, and the errors for a bad URL or an unreachable server.
@Suite struct PostgresStoreTests {
    static let hasServer = StoreBackend.postgresURL != nil

    /// One column as both backends describe it, in a common vocabulary.
    struct Column: Equatable, CustomStringConvertible {
        var table: String, name: String, type: String, notNull: Bool, defaultValue: String?
        var description: String { "\(table).\(name) \(type)\(notNull ? " NOT NULL" : "")\(defaultValue.map { " DEFAULT \($0)" } ?? "")" }
    }

    @Test(.enabled(if: hasServer)) func schemaEqualsSQLiteColumnForColumn() throws {
        let sqlite = try ScratchStore(.sqlite)
        try sqlite.open().close()
        let postgres = try ScratchStore(.postgres)
        try postgres.open().close()

        guard case let .sqlite(url) = sqlite.location else { return }
        let sqliteTypes = ["TEXT": "text", "REAL": "double precision", "INTEGER": "bigint"]
        let sqliteColumns: [Column] = try DatabaseQueue(path: url.path).read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' ORDER BY name
                """)
            return try tables.flatMap { table in
                try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { row in
                    let declared: String = row["type"]
                    return Column(table: table, name: row["name"], type: sqliteTypes[declared] ?? declared,
                                  // A primary key column is never null in either (SQLite's rowid alias reports notnull 0).
                                  notNull: (row["notnull"] as Int) == 1 || (row["pk"] as Int) > 0,
                                  defaultValue: row["dflt_value"])
                }
            }
        }
        let rows = try postgres.sql("""
            SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '<null>')
            FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'agon_migrations'
            ORDER BY table_name, ordinal_position
            """)
        let postgresColumns = rows.split(separator: "\n").map { line -> Column in
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let defaultValue = f[4] == "<null>" ? nil : f[4].replacingOccurrences(of: "::text", with: "")
            return Column(table: f[0], name: f[1], type: f[2], notNull: f[3] == "NO", defaultValue: defaultValue)
        }
        #expect(sqliteColumns.count > 40)
        #expect(postgresColumns == sqliteColumns)
        for (p, s) in zip(postgresColumns, sqliteColumns) where p != s { Issue.record("PostgreSQL \(p) vs SQLite \(s)") }

        // The same migration identifiers, applied in the same order.
        #expect(PostgresSchema.migrations.map(\.identifier) == StoreSchema.migrator.migrations)
        #expect(try postgres.sql("SELECT string_agg(identifier, ',' ORDER BY identifier) FROM agon_migrations")
                == StoreSchema.migrator.migrations.joined(separator: ","))
    }

    @Test(.enabled(if: hasServer)) func reopeningMigratesNothingAndKeepsRuns() throws {
        let scratch = try ScratchStore(.postgres)
        try scratch.open().createRun(Fixtures.run("r1"))
        let before = try scratch.sql("SELECT string_agg(identifier || '@' || applied_at, ',') FROM agon_migrations")
        let again = try scratch.open()
        #expect(try again.run("r1") == Fixtures.run("r1"))
        #expect(try scratch.sql("SELECT string_agg(identifier || '@' || applied_at, ',') FROM agon_migrations") == before)
    }

    @Test(.enabled(if: hasServer)) func someoneElsesSchemaIsRefusedAndLeftUntouched() throws {
        let scratch = try ScratchStore(.postgres)
        try scratch.tamper("CREATE TABLE customers (id bigint PRIMARY KEY, name text); INSERT INTO customers VALUES (1, 'ada')")
        do {
            _ = try scratch.open()
            Issue.record("opened a foreign schema")
        } catch let error as StoreError {
            guard case let .notAnAgonDatabase(_, detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(detail.contains("customers"))
            #expect(error.description.contains("left untouched"))
        }
        #expect(try scratch.sql("SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = current_schema()")
                == "customers")
        #expect(try scratch.sql("SELECT name FROM customers") == "ada")
    }

    @Test(.enabled(if: hasServer)) func storeFromANewerAgonIsRefused() throws {
        let scratch = try ScratchStore(.postgres)
        try scratch.open().close()
        try scratch.tamper("INSERT INTO agon_migrations (identifier) VALUES ('v99-future')")
        #expect(throws: StoreError.newerDatabase(path: scratch.urlOrPath, unknownMigrations: ["v99-future"])) { _ = try scratch.open() }
    }

    @Test func unreachableServerSaysWhatToCheck() throws {
        let dir = try TemporaryDirectory()
        // A socket directory with no server in it: libpq fails at once, no network involved.
        let url = "postgresql://agon:secret@/agon?host=\(dir.path)"
        do {
            _ = try RunStore(postgresURL: url)
            Issue.record("connected to nothing")
        } catch let error as StoreError {
            guard case let .serverUnreachable(shown, detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(!shown.contains("secret") && shown.contains("***"), "the password must not be printed: \(shown)")
            #expect(detail.contains(dir.path))
            #expect(error.description.contains("check the server is up"))
        }
    }

    @Test func nonPostgresURLIsABadStoreURL() throws {
        for url in ["mysql://db/agon", "/srv/agon.sqlite", "postgres://bad host/x"] {
            do {
                _ = try RunStore(postgresURL: url)
                Issue.record("accepted \(url)")
            } catch let error as StoreError {
                guard case .badStoreURL = error else { Issue.record("wrong error for \(url): \(error)"); continue }
                #expect(error.description.contains("AGON_STORE_URL"))
            }
        }
        #expect(try StoreLocation.configured(environment: [:], configValue: nil) == nil)
        #expect(try StoreLocation.configured(environment: ["AGON_STORE_URL": "postgres://a/b"], configValue: "postgres://c/d") == "postgres://a/b")
        #expect(try StoreLocation.configured(environment: ["AGON_STORE_URL": ""], configValue: "postgres://c/d") == "postgres://c/d")
        #expect(StoreLocation.redacted("postgresql://u:pw@h:5/db?x=1") == "postgresql://u:***@h:5/db?x=1")
    }

    /// SQLite's GLOB, translated for PostgreSQL, against SQLite itself as the oracle (matched
    /// by PostgreSQL when a server is given, else by ICU's regular expressions).
    @Test func globTranslationMatchesSQLite() throws {
        let paths = ["specs/http/retry.md", "specs/http/a/b.md", "specs/cli.md", "Specs/x.md", "specs/[x].md", "a.b", "axb",
                     "specs/h?.md", "specs/ha.md", "specs/hb.md", "x^y$", "x(y)", "back\\slash", "specs/]", "a-c", "b"]
        let globs = ["specs/*", "specs/http/*", "*.md", "specs/h?.md", "specs/h[ab].md", "specs/h[^a].md", "specs/[[]x].md",
                     "a.b", "x^y$", "x(y)", "*", "[", "back\\slash", "S*", "specs/[]]", "[a-c]", "a[-]c"]
        let queue = try DatabaseQueue()
        var postgres: [String: Bool] = [:]
        if Self.hasServer {
            let scratch = try ScratchStore(.postgres)
            func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
            let pairs = globs.flatMap { glob in paths.map { "(\(literal(glob)), \(literal($0)), \(literal(RunFilter.regex(glob: glob))))" } }
            let rows = try scratch.sql("SELECT g || chr(1) || p || chr(1) || (p ~ r)::text FROM (VALUES \(pairs.joined(separator: ", "))) AS t(g, p, r)")
            for line in rows.split(separator: "\n") {
                let f = line.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
                postgres[f[0] + "\u{1}" + f[1]] = f[2] == "true"
            }
            #expect(postgres.count == globs.count * paths.count)
        }
        for glob in globs {
            let regex = try NSRegularExpression(pattern: RunFilter.regex(glob: glob))
            for path in paths {
                let sqlite = try queue.read { try Bool.fetchOne($0, sql: "SELECT ? GLOB ?", arguments: [path, glob]) } ?? false
                let translated = postgres[glob + "\u{1}" + path]
                    ?? (regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil)
                #expect(sqlite == translated, "glob \(glob) on \(path): SQLite \(sqlite), regex \(RunFilter.regex(glob: glob))")
            }
        }
    }
}

/// `RunStore.copyNewRuns` (what `agon store migrate` does): everything copied exactly, once.
@Suite struct StoreMigrationTests {
    @Test(.enabled(if: PostgresStoreTests.hasServer)) func copiesEveryRunOnceAndNeverOverwrites() throws {
        let local = try ScratchStore(.sqlite)
        defer { withExtendedLifetime(local) {} }
        let sqlite = try local.open()
        let records = LeaderboardRunsTests.syntheticRuns(30) + LeaderboardRunsTests.oddRuns()
        try sqlite.importRuns(records)
        let picks = [ApplyRecord(runID: records[3].runID, agent: "c", appliedAt: Fixtures.created, committed: true, commitSHA: "abc"),
                     ApplyRecord(runID: "odd-1", agent: "gpt", appliedAt: Fixtures.created.addingTimeInterval(9), committed: false)]
        for pick in picks { try sqlite.recordPick(pick) }
        let scratch = try ScratchStore(.postgres)
        let target = try scratch.open()

        let first = try target.copyNewRuns(from: sqlite, batchSize: 7)
        #expect(first.runsCopied == records.count && first.runsAlreadyPresent == 0 && first.picksCopied == 2)
        #expect(first.candidatesCopied == records.map(\.candidates.count).reduce(0, +))
        #expect(first.reviewsCopied == records.map(\.reviews.count).reduce(0, +))
        #expect(try target.allRunsForLeaderboard() == (try sqlite.allRunsForLeaderboard()))
        #expect(try target.leaderboardRuns() == (try sqlite.leaderboardRuns()))
        #expect(try target.picks() == (try sqlite.picks()))
        #expect(try target.listRuns() == (try sqlite.listRuns()))

        // A run that moved on in the shared store is not overwritten by the old local copy.
        try target.updateRun("odd-2", status: .failed)
        var late = Fixtures.run("late", created: Fixtures.created.addingTimeInterval(999))
        late.reviews = []
        try sqlite.createRun(late)
        let second = try target.copyNewRuns(from: sqlite)
        #expect(second == StoreMigrationResult(source: sqlite.path, target: target.path, runsCopied: 1,
                                               runsAlreadyPresent: records.count, candidatesCopied: 2, reviewsCopied: 0, picksCopied: 0))
        #expect(try target.run("odd-2")?.status == .failed)
        #expect(try target.run("late") == late)
        #expect(try target.picks().count == 2)
        #expect(throws: StoreError.self) { _ = try sqlite.copyNewRuns(from: target) }
    }
}

extension PostgresStoreTests {
    /// The server ends the store's connection (as a restart or an idle timeout does): the next
    /// call reconnects and works, and nothing was written twice.
    @Test(.enabled(if: hasServer)) func aDroppedConnectionIsReopened() throws {
        let scratch = try ScratchStore(.postgres)
        let name = "agon-drop-\(UUID().uuidString.prefix(8))"
        guard case let .postgres(url) = scratch.location else { return }
        let store = try RunStore(postgresURL: url + "&application_name=\(name)")
        try store.createRun(Fixtures.run("r1"))
        #expect(try scratch.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '\(name)'") == "1")
        try store.updateRun("r1", status: .failed)
        #expect(try store.run("r1")?.status == .failed)
        #expect(try scratch.sql("SELECT count(*) FROM runs") == "1")
    }
}
