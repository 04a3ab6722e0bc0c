import AgonCore
import AgonLeaderboard
@testable import AgonStore
import AgonTestSupport
import Foundation
import GRDB
import Testing

/// `RunStore.leaderboardRuns` (schema v2 columns) against the full records, and the v2
/// migration's backfill of a store written before it.
@Suite struct LeaderboardRunsTests {
    /// Runs that exercise the odd cases: ids needing JSON escapes, no consensus, an excluded
    /// review with an empty ranking, a candidate with no outcome, model or timings.
    static func oddRuns() -> [RunRecord] {
        let quoted = "we\"ird\\agent ☃\t"
        var odd = Fixtures.run("odd-1", created: Fixtures.created.addingTimeInterval(30))
        odd.candidates[0].agent = quoted
        odd.candidates[1].outcome = nil
        odd.candidates[1].model = nil
        odd.candidates[1].firstAttemptMs = nil
        odd.candidates[1].durationMs = nil
        odd.candidates[1].tokensPerSec = nil
        odd.candidates[1].checkResults = []
        odd.reviews[0].ranking = [quoted, "gpt"]
        odd.reviews[0].displayOrder = ["gpt", quoted]
        odd.reviews[0].status = .ok
        odd.reviews[0].swapConsistency = 0.5
        odd.reviews[1].ranking = []
        odd.reviews[1].droppedSelfPreference = []
        odd.consensus?.ranking = [quoted, "gpt"]
        odd.consensus?.gated = []
        var bare = Fixtures.run("odd-2", created: Fixtures.created.addingTimeInterval(60))
        bare.consensus = nil
        bare.reviews = []
        return [Fixtures.run("odd-0"), odd, bare]
    }

    static func syntheticRuns(_ count: Int) -> [RunRecord] {
        var rng = SplitMix64(seed: 11)
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        return (0..<count).map { SyntheticStore.makeRun(index: $0, agents: ["a", "b", "c", "d", "e"], start: start, rng: &rng) }
    }

    @Test(arguments: StoreBackend.available) func slimRunsEqualTheProjectedFullRecords(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        let records = Self.syntheticRuns(120) + Self.oddRuns()
        try store.importRuns(records)
        let slim = try store.leaderboardRuns()
        #expect(slim.count == records.count)
        #expect(slim == (try store.allRunsForLeaderboard()).map(LeaderboardRun.init))
        // And what was generated, oldest first.
        #expect(slim == records.sorted { ($0.createdAt, $0.runID) < ($1.createdAt, $1.runID) }.map(LeaderboardRun.init))
        #expect(slim.contains { $0.consensus == nil } && slim.contains { $0.reviews.isEmpty })

        let filter = RunFilter(since: records[60].createdAt, specGlob: "specs/http/*")
        let filtered = try store.leaderboardRuns(filter)
        #expect(!filtered.isEmpty)
        #expect(filtered == (try store.allRunsForLeaderboard(filter)).map(LeaderboardRun.init))
        #expect(try store.leaderboardRuns(RunFilter(statuses: [])).isEmpty)
    }

    @Test(arguments: StoreBackend.available) func slimRunsFollowPartialUpdates(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        try store.importRuns(Self.syntheticRuns(6))
        let runs = try store.allRunsForLeaderboard()
        var changed = runs[2].candidates[1]
        changed.outcome = .timeout
        changed.tokens = TokenUsage(input: 1, output: 2)
        changed.diff.files = 0
        changed.checks.acceptance = .failed
        try store.upsertCandidate(runID: runs[2].runID, changed)
        try store.upsertCandidate(runID: runs[2].runID, Fixtures.candidate("newcomer"))
        var review = runs[3].reviews[0]
        review.ranking.reverse()
        review.droppedSelfPreference = ["a", "b"]
        try store.saveReview(runID: runs[3].runID, review)
        try store.deleteReview(runID: runs[3].runID, verifier: runs[3].reviews[1].verifier)
        try store.saveConsensus(runID: runs[4].runID, nil)
        try store.saveConsensus(runID: runs[5].runID, Fixtures.consensus)
        try store.updateRun(runs[1].runID) { $0.specHash = "sha256:changed" }

        let slim = try store.leaderboardRuns()
        #expect(slim == (try store.allRunsForLeaderboard()).map(LeaderboardRun.init))
        #expect(slim[2].candidates.last?.agent == "newcomer")
        #expect(slim[3].reviews.count == 2 && slim[3].reviews[0].droppedSelfPreference == 2)
        #expect(slim[4].consensus == nil)
        #expect(slim[5].consensus?.gated == ["gpt"])
        #expect(slim[1].specHash == "sha256:changed")
    }

    /// Writes `records` the way schema v1 did (no v2 columns) into a database migrated to v1 only.
    static func writeV1Store(_ url: URL, _ records: [RunRecord]) throws {
        let queue = try DatabaseQueue(path: url.path)
        try StoreSchema.migrator.migrate(queue, upTo: "v1")
        func json<T: Encodable>(_ value: T) throws -> String {
            String(decoding: try AgonJSON.compactEncoder.encode(value), as: UTF8.self)
        }
        try queue.write { db in
            for record in records {
                var header = record
                header.candidates = []
                header.reviews = []
                header.consensus = nil
                try db.execute(sql: """
                    INSERT INTO runs (run_id, created_at, finished_at, spec_path, spec_title, base_sha, status, winner, record, consensus)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [
                        record.runID, AgonJSON.millisecondPrecision(record.createdAt).timeIntervalSince1970,
                        record.finishedAt.map { AgonJSON.millisecondPrecision($0).timeIntervalSince1970 },
                        record.specPath, record.specTitle, record.baseSHA, record.status.rawValue,
                        record.consensus?.winner, try json(header), try record.consensus.map(json),
                    ])
                for (position, c) in record.candidates.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO candidates (run_id, agent, position, harness, model, outcome, cost_usd, cost_source, duration_ms, record)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [record.runID, c.agent, position, c.harness.rawValue, c.model, c.outcome?.rawValue,
                                         c.costUSD, c.costSource.rawValue, c.durationMs, try json(c)])
                }
                for (position, r) in record.reviews.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO reviews (run_id, verifier, position, harness, model, status, cost_usd, cost_source, record)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [record.runID, r.verifier, position, r.harness.rawValue, r.model, r.status.rawValue,
                                         r.costUSD, r.costSource.rawValue, try json(r)])
                }
            }
        }
        try queue.close()
    }

    @Test func migrationBackfillsAStoreWrittenBeforeV2() throws {
        let dir = try TemporaryDirectory()
        let old = dir.url.appendingPathComponent("old.sqlite")
        let records = Self.syntheticRuns(110) + Self.oddRuns()
        try Self.writeV1Store(old, records)
        // Past one backfill batch (500 rows) in candidates, so batching is exercised.
        let oldCandidates = try DatabaseQueue(path: old.path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM candidates") }
        #expect((oldCandidates ?? 0) > 500)

        let migrated = try RunStore(url: old)
        #expect(try migrated.leaderboardRuns() == (try migrated.allRunsForLeaderboard()).map(LeaderboardRun.init))
        #expect(try migrated.allRunsForLeaderboard().count == records.count)
        try migrated.close()

        // Column for column what a v2 store holds after writing the same records.
        let fresh = dir.url.appendingPathComponent("fresh.sqlite")
        let store = try RunStore(url: fresh)
        try store.importRuns(records)
        try store.close()
        for table in ["runs", "candidates", "reviews"] {
            let order = table == "runs" ? "run_id" : "run_id, position"
            let query = "SELECT * FROM \(table) ORDER BY \(order)"
            let rows = try [old, fresh].map { url in
                try DatabaseQueue(path: url.path).read { db in try Row.fetchAll(db, sql: query) }
            }
            #expect(rows[0].count == rows[1].count)
            #expect(rows[0] == rows[1], "\(table) differs after the backfill")
        }
        let applied = try DatabaseQueue(path: old.path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(applied == ["v1", "v2", "v3", "v4-cache-hits", "v5-attempts", "v6-jobs"])
    }

    /// A store at v2 (no `swap_consistency` column) gains the column filled from each review's
    /// JSON, the same values a fresh store writes, and a review index that still covers the load.
    @Test func migrationBackfillsSwapConsistencyIntoAV2Store() throws {
        let dir = try TemporaryDirectory()
        let old = dir.url.appendingPathComponent("old.sqlite")
        var records = Self.syntheticRuns(40) + Self.oddRuns()
        var expected: [String: Double] = [:]
        for i in records.indices {
            for j in records[i].reviews.indices where (i + j) % 3 != 0 {
                let value = Double((i * 7 + j) % 5) / 4
                records[i].reviews[j].swapConsistency = value
                expected["\(records[i].runID)/\(records[i].reviews[j].verifier)"] = value
            }
        }
        #expect(expected.count > 40 && Set(expected.values).count == 5)
        try Self.writeV1Store(old, records)
        let v2 = try DatabaseQueue(path: old.path)
        try StoreSchema.migrator.migrate(v2, upTo: "v2")
        let v2Columns = try v2.read { db in try db.columns(in: "reviews").map(\.name) }
        #expect(v2Columns.contains("dropped_self_preference") && !v2Columns.contains("swap_consistency"))
        try v2.close()

        let migrated = try RunStore(url: old)
        let slim = try migrated.leaderboardRuns()
        #expect(slim == (try migrated.allRunsForLeaderboard()).map(LeaderboardRun.init))
        var seen = 0
        for run in slim {
            for review in run.reviews {
                #expect(review.swapConsistency == expected["\(run.runID)/\(review.verifier)"], "\(run.runID) \(review.verifier)")
                if review.swapConsistency != nil { seen += 1 }
            }
        }
        #expect(seen == expected.count)
        try migrated.close()

        let fresh = dir.url.appendingPathComponent("fresh.sqlite")
        let store = try RunStore(url: fresh)
        try store.importRuns(records)
        try store.close()
        let rows = try [old, fresh].map { url in
            try DatabaseQueue(path: url.path).read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM reviews ORDER BY run_id, position")
            }
        }
        #expect(rows[0] == rows[1], "reviews differ after the v3 backfill")
        let applied = try DatabaseQueue(path: old.path).read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(applied == ["v1", "v2", "v3", "v4-cache-hits", "v5-attempts", "v6-jobs"])
        let plan = try DatabaseQueue(path: old.path).read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + LeaderboardColumns.reviewsSQL("1")).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("COVERING INDEX reviews_leaderboard") }, "\(plan)")
    }

    @Test func backfillRefusesACorruptRecordNamingItsRun() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("agon.sqlite")
        try Self.writeV1Store(url, [Fixtures.run("r1")])
        try DatabaseQueue(path: url.path).write { db in
            try db.execute(sql: "UPDATE reviews SET record = '{\"verifier\": 1}' WHERE verifier = 'judge-b'")
        }
        #expect(throws: StoreError.self) { try RunStore(url: url) }
        do {
            _ = try RunStore(url: url)
        } catch let error as StoreError {
            #expect(error.description.contains("r1"), "\(error)")
        }
    }

    @Test(arguments: StoreBackend.available) func unknownColumnValueIsACorruptRecord(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        try store.importRuns([Fixtures.run("r1")])
        try scratch.tamper("UPDATE candidates SET harness = 'bogus' WHERE agent = 'gpt'")
        do {
            _ = try store.leaderboardRuns()
            Issue.record("read an unknown harness")
        } catch let error as StoreError {
            guard case let .corruptRecord(table, key, detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(table == "candidates" && key == "r1")
            #expect(detail.contains("bogus"))
        }
    }

    /// The load must never touch the table rows (their record JSON is most of the file).
    @Test func unfilteredLoadReadsOnlyCoveringIndexes() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("agon.sqlite")
        try RunStore(url: url).importRuns(Self.syntheticRuns(3))
        let sinceFilter = RunFilter(since: Fixtures.created, statuses: [.done]).sql
        try DatabaseQueue(path: url.path).read { db in
            for (condition, arguments) in [("1", StatementArguments()), sinceFilter] {
                for sql in [LeaderboardColumns.runsSQL, LeaderboardColumns.candidatesSQL, LeaderboardColumns.reviewsSQL] {
                    let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql(condition), arguments: arguments)
                        .map { $0["detail"] as String }
                    let scans = plan.filter { $0.hasPrefix("SCAN") || $0.hasPrefix("SEARCH") }
                    #expect(!scans.isEmpty && scans.allSatisfy { $0.contains("COVERING INDEX") }, "\(plan)")
                }
            }
        }
    }

    @Test func stringListsRoundTrip() throws {
        var strings = StringInterner()
        for list in [[], ["a"], ["agent-1", "agent-2", "x"], ["q\"uote", "back\\slash", "tab\t", "☃ snow", ""]] {
            let text = StringListColumn.encode(list)
            #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == list, "\(text) is not JSON of \(list)")
            #expect(try StringListColumn.decode(Data(text.utf8), strings: &strings) == list)
        }
        #expect(try StringListColumn.decode(Data(#"[ "spaced" , "ok" ]"#.utf8), strings: &strings) == ["spaced", "ok"])
        for bad in ["", "[", "[\"open]", "{}", "[1]", "[\"a\" \"b\"]"] {
            #expect(throws: (any Error).self, "accepted \(bad)") { try StringListColumn.decode(Data(bad.utf8), strings: &strings) }
        }
    }
}
