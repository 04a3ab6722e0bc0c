import AgonCore
import AgonStore
import AgonTestSupport
import Foundation
import GRDB
import Testing

/// A store must refuse files that are not its own without touching them, and stay intact
/// when several writers (threads, pools, processes) share one file.
@Suite struct StoreSafetyTests {
    @Test func garbageFileIsRefusedAndLeftUntouched() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("agon.sqlite")
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: url)
        do {
            _ = try RunStore(url: url)
            Issue.record("opened a garbage file")
        } catch let error as StoreError {
            guard case .notAnAgonDatabase = error else { Issue.record("wrong error: \(error)"); return }
            #expect(error.description.contains(url.path))
            #expect(error.description.contains("not an SQLite database file"))
        }
        #expect(try Data(contentsOf: url) == garbage)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["agon.sqlite"])
    }

    @Test func sqliteHeaderWithCorruptBodyIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("agon.sqlite")
        var bytes = Data("SQLite format 3\0".utf8)
        bytes.append(Data(repeating: 0xEE, count: 4080))
        try bytes.write(to: url)
        #expect(throws: StoreError.self) { _ = try RunStore(url: url) }
        #expect(try Data(contentsOf: url) == bytes)
    }

    @Test func someoneElsesDatabaseIsRefusedAndLeftUntouched() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("agon.sqlite")
        let foreign = try DatabaseQueue(path: url.path)
        try foreign.write { db in
            try db.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
            try db.execute(sql: "INSERT INTO invoices (total) VALUES (12.5)")
        }
        try foreign.close()
        let before = try Data(contentsOf: url)
        do {
            _ = try RunStore(url: url)
            Issue.record("adopted a foreign database")
        } catch let error as StoreError {
            #expect(error == .notAnAgonDatabase(path: url.path, detail: "it holds other tables: invoices"))
        }
        #expect(try Data(contentsOf: url) == before)
        let check = try DatabaseQueue(path: url.path)
        #expect(try check.read { db in try db.tableExists("runs") } == false)
    }

    @Test func storeFromANewerAgonIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("agon.sqlite")
        try RunStore(url: url).close()
        let queue = try DatabaseQueue(path: url.path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-future')") }
        try queue.close()
        #expect(throws: StoreError.newerDatabase(path: url.path, unknownMigrations: ["v9-future"])) {
            _ = try RunStore(url: url)
        }
    }

    /// What a SIGKILLed `agon` leaves: committed transactions still in `-wal`, a stale `-shm`.
    @Test func storeLeftByAKilledProcessOpensWithEverythingCommitted() throws {
        let live = try TemporaryDirectory()
        let crashed = try TemporaryDirectory()
        let store = try RunStore(url: live.url.appendingPathComponent("agon.sqlite"))
        try store.createRun(Fixtures.run("r1"))
        try store.updateRun("r1", status: .running)
        let names = try FileManager.default.contentsOfDirectory(atPath: live.url.path)
        #expect(names.contains("agon.sqlite-wal"))
        for name in names { // copied while the store is open, as a kill would leave them
            try FileManager.default.copyItem(at: live.url.appendingPathComponent(name), to: crashed.url.appendingPathComponent(name))
        }
        let reopened = try RunStore(url: crashed.url.appendingPathComponent("agon.sqlite"))
        var expected = Fixtures.run("r1")
        expected.status = .running
        #expect(try reopened.run("r1") == expected)
        try reopened.upsertCandidate(runID: "r1", Fixtures.candidate("third"))
        #expect(try reopened.run("r1")?.candidates.count == 3)
    }

    @Test(arguments: StoreBackend.available) func corruptRecordNamesTableAndRun(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        try store.createRun(Fixtures.run("r1"))
        try scratch.tamper("UPDATE candidates SET record = '{\"agent\": 1}' WHERE agent = 'gpt'")
        for load in [{ _ = try store.run("r1") }, { _ = try store.allRunsForLeaderboard() }] {
            do {
                try load()
                Issue.record("decoded a corrupt record")
            } catch let error as StoreError {
                guard case let .corruptRecord(table, key, _) = error else { Issue.record("wrong error \(error)"); continue }
                #expect(table == "candidates")
                #expect(key == "r1")
            }
        }
    }

    @Test(arguments: StoreBackend.available) func twoPoolsWritingConcurrentlyLoseNothing(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        // Both stores open (and migrate) the fresh file at the same time, like two `agon run`s.
        var stores: [RunStore?] = [nil, nil]
        var errors: [Error] = []
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do {
                let store = try scratch.open()
                lock.lock(); stores[i] = store; lock.unlock()
            } catch {
                lock.lock(); errors.append(error); lock.unlock()
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        let writers = stores.compactMap { $0 }
        try #require(writers.count == 2)
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            let store = writers[w]
            do {
                for i in 0..<60 {
                    let id = "w\(w)-\(String(format: "%03d", i))"
                    var run = Fixtures.run(id)
                    run.candidates = []
                    run.reviews = []
                    try store.createRun(run)
                    try store.upsertCandidate(runID: id, Fixtures.candidate("sonnet"))
                    try store.upsertCandidate(runID: id, Fixtures.candidate("gpt", cost: nil, outcome: .ok))
                    try store.updateRun(id, status: .reviewing)
                    try store.saveConsensus(runID: id, Fixtures.consensus)
                }
            } catch {
                lock.lock(); errors.append(error); lock.unlock()
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        let all = try scratch.open().allRunsForLeaderboard()
        #expect(all.count == 120)
        for run in all {
            var expected = Fixtures.run(run.runID, status: .reviewing)
            expected.reviews = []
            #expect(run == expected)
        }
    }

    /// A second OS process (the sqlite3 shell) writes runs into the store while this process
    /// writes its own; both sets must be complete afterwards.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func anotherProcessWritingConcurrentlyLosesNothing() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("agon.sqlite")
        let store = try RunStore(url: url)
        // The other process's script: one IMMEDIATE transaction per run, like RunStore's writes.
        var script = ".timeout 60000\n"
        var theirs: [RunRecord] = []
        for i in 0..<150 {
            var run = Fixtures.run(String(format: "sh-%03d", i))
            run.candidates = []
            run.reviews = []
            run.consensus = nil
            theirs.append(run)
            let json = String(decoding: try AgonJSON.compactEncoder.encode(run), as: UTF8.self).replacingOccurrences(of: "'", with: "''")
            script += """
                BEGIN IMMEDIATE;
                INSERT INTO runs (run_id, created_at, spec_path, spec_title, base_sha, status, record)
                VALUES ('\(run.runID)', \(run.createdAt.timeIntervalSince1970), '\(run.specPath)', '\(run.specTitle)',
                        '\(run.baseSHA)', '\(run.status.rawValue)', '\(json)');
                COMMIT;

                """
        }
        let scriptURL = dir.url.appendingPathComponent("writes.sql")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = ["-bail", url.path, ".read \(scriptURL.path)"]
        let stderr = Pipe()
        shell.standardError = stderr
        try shell.run()
        for i in 0..<150 {
            var run = Fixtures.run(String(format: "me-%03d", i))
            run.reviews = []
            try store.createRun(run)
            try store.saveReview(runID: run.runID, Fixtures.review("judge-a"))
        }
        shell.waitUntilExit()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(shell.terminationStatus == 0, "sqlite3 failed: \(message)")
        let all = try store.allRunsForLeaderboard()
        #expect(all.filter { $0.runID.hasPrefix("sh-") } == theirs)
        let mine = all.filter { $0.runID.hasPrefix("me-") }
        #expect(mine.count == 150)
        #expect(mine.allSatisfy { $0.candidates.count == 2 && $0.reviews == [Fixtures.review("judge-a")] })
    }
}
