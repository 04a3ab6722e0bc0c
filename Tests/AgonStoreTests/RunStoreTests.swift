import AgonCore
import AgonStore
import AgonTestSupport
import Foundation
import GRDB
import Testing

@Suite struct RunStoreTests {
    private func makeStore(_ dir: TemporaryDirectory) throws -> RunStore {
        try RunStore(layout: ArtifactLayout(root: dir.url))
    }

    @Test func freshFileGetsTheCurrentSchema() throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir)
        try store.close()
        let queue = try DatabaseQueue(path: ArtifactLayout(root: dir.url).databaseURL.path)
        try queue.read { db in
            for table in ["runs", "candidates", "reviews", "picks"] { #expect(try db.tableExists(table)) }
            #expect(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") == ["v1", "v2", "v3", "v4-cache-hits", "v5-attempts", "v6-jobs"])
            #expect(try Int32.fetchOne(db, sql: "PRAGMA application_id") == 0x4147_4F4E)
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
            #expect(Set(indexes).isSuperset(of: ["runs_created_at", "runs_spec_path", "candidates_agent", "candidates_outcome", "candidates_cost",
                                                       "runs_leaderboard", "candidates_leaderboard", "reviews_leaderboard"]))
        }
        // Reopening an existing store is a no-op migration.
        let again = try RunStore(url: ArtifactLayout(root: dir.url).databaseURL)
        #expect(try again.runCount() == 0)
    }

    @Test(arguments: StoreBackend.available) func runRoundTripsExactlyThroughTheDatabase(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        let run = Fixtures.run("20260101-aaaa")
        try store.createRun(run)
        #expect(try store.run("20260101-aaaa") == run)
        #expect(try store.run("nope") == nil)
        // A second process opening the same file sees the same record.
        let other = try scratch.open()
        #expect(try other.run("20260101-aaaa") == run)
    }

    @Test(arguments: StoreBackend.available) func createRunRefusesADuplicate(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        try store.createRun(Fixtures.run("r1"))
        #expect(throws: StoreError.runAlreadyExists("r1")) { try store.createRun(Fixtures.run("r1")) }
    }

    @Test(arguments: StoreBackend.available) func candidatesAndReviewsUpsertInArrivalOrder(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        var run = Fixtures.run("r1")
        run.candidates = []
        run.reviews = []
        run.consensus = nil
        try store.createRun(run)
        try store.upsertCandidate(runID: "r1", CandidateRecord(agent: "zeta", harness: .claude, state: .running, worktree: "w", branch: "b"))
        try store.upsertCandidate(runID: "r1", Fixtures.candidate("alpha"))
        var zeta = Fixtures.candidate("zeta", outcome: .ok)
        zeta.costUSD = 1.25
        try store.upsertCandidate(runID: "r1", zeta) // update keeps zeta first
        try store.saveReview(runID: "r1", Fixtures.review("judge-b"))
        try store.saveReview(runID: "r1", Fixtures.review("judge-a"))
        try store.saveConsensus(runID: "r1", Fixtures.consensus)
        let loaded = try #require(try store.run("r1"))
        #expect(loaded.candidates == [zeta, Fixtures.candidate("alpha")])
        #expect(loaded.reviews.map(\.verifier) == ["judge-b", "judge-a"])
        #expect(loaded.consensus == Fixtures.consensus)
        #expect(try store.deleteReview(runID: "r1", verifier: "judge-b"))
        #expect(try store.deleteReview(runID: "r1", verifier: "judge-b") == false)
        try store.saveConsensus(runID: "r1", nil)
        let after = try #require(try store.run("r1"))
        #expect(after.reviews.map(\.verifier) == ["judge-a"])
        #expect(after.consensus == nil)
    }

    @Test(arguments: StoreBackend.available) func writesToAnUnknownRunFailClearly(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        #expect(throws: StoreError.runNotFound("ghost")) { try store.upsertCandidate(runID: "ghost", Fixtures.candidate("a")) }
        #expect(throws: StoreError.runNotFound("ghost")) { try store.saveReview(runID: "ghost", Fixtures.review("j")) }
        #expect(throws: StoreError.runNotFound("ghost")) { try store.saveConsensus(runID: "ghost", Fixtures.consensus) }
        #expect(throws: StoreError.runNotFound("ghost")) { try store.updateRun("ghost", status: .done) }
        #expect(throws: StoreError.runNotFound("ghost")) {
            try store.recordPick(ApplyRecord(runID: "ghost", agent: "a", appliedAt: Date(), committed: false))
        }
    }

    @Test(arguments: StoreBackend.available) func updateRunChangesStatusAndIsVisibleInListings(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        try store.createRun(Fixtures.run("r1", status: .running))
        let finished = AgonJSON.millisecondPrecision(Date(timeIntervalSince1970: 1_800_000_000.5))
        let updated = try store.updateRun("r1", status: .interrupted, finishedAt: finished)
        #expect(updated.status == .interrupted)
        let loaded = try #require(try store.run("r1"))
        #expect(loaded == updated)
        #expect(loaded.finishedAt == finished)
        #expect(loaded.candidates.count == 2)
        #expect(try store.listRuns().map(\.status) == [.interrupted])
        try store.updateRun("r1") { $0.manifestPath = "m.json"; $0.runID = "hijack" }
        #expect(try store.run("r1")?.manifestPath == "m.json")
        #expect(try store.run("hijack") == nil)
    }

    @Test(arguments: StoreBackend.available) func saveRunReplacesTheWholeRun(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        try store.createRun(Fixtures.run("r1"))
        var run = Fixtures.run("r1")
        run.candidates = [Fixtures.candidate("only")]
        run.reviews = []
        try store.saveRun(run)
        #expect(try store.run("r1") == run)
    }

    @Test(arguments: StoreBackend.available) func listRunsFiltersSortsAndTotals(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        let t0 = Fixtures.created
        try store.createRun(Fixtures.run("a1", spec: "specs/http/retry.md", created: t0))
        try store.createRun(Fixtures.run("b2", spec: "specs/cli/flags.md", created: t0.addingTimeInterval(60), status: .failed))
        try store.createRun(Fixtures.run("c3", spec: "specs/http/timeout.md", created: t0.addingTimeInterval(120)))

        let all = try store.listRuns()
        #expect(all.map(\.runID) == ["c3", "b2", "a1"])
        let first = try #require(all.first)
        #expect(first.candidateCount == 2)
        #expect(first.winner == "sonnet")
        // Known costs: candidate 0.4217 + review 0.031; one candidate and one review unpriced.
        #expect(abs(first.costUSD - (0.4217 + 0.031)) < 1e-12)
        #expect(first.unpricedCount == 2)
        // A candidate still pending has no cost yet; that is not "unpriced".
        try store.upsertCandidate(runID: "c3", CandidateRecord(agent: "late", harness: .pi, worktree: "w", branch: "b"))
        #expect(try store.listRuns(limit: 1).first?.unpricedCount == 2)
        #expect(try store.listRuns(limit: 1).first?.candidateCount == 3)
        #expect(first.createdAt == t0.addingTimeInterval(120))
        let summaryJSON = try AgonJSON.encoder.encode(first)
        #expect(try AgonJSON.decoder.decode(RunSummary.self, from: summaryJSON) == first)
        let keys = try #require(try JSONSerialization.jsonObject(with: summaryJSON) as? [String: Any]).keys
        #expect(Set(keys) == ["run_id", "spec", "spec_title", "base_sha", "status", "created_at", "finished_at",
                              "candidate_count", "winner", "cost_usd", "unpriced_count"])

        #expect(try store.listRuns(RunFilter(since: t0.addingTimeInterval(60))).map(\.runID) == ["c3", "b2"])
        #expect(try store.listRuns(RunFilter(specGlob: "specs/http/*")).map(\.runID) == ["c3", "a1"])
        #expect(try store.listRuns(RunFilter(statuses: [.failed])).map(\.runID) == ["b2"])
        #expect(try store.listRuns(RunFilter(statuses: [])).isEmpty)
        #expect(try store.listRuns(limit: 1).map(\.runID) == ["c3"])
        #expect(try store.listRuns(RunFilter(since: t0.addingTimeInterval(1), specGlob: "specs/http/*")).map(\.runID) == ["c3"])
    }

    @Test(arguments: StoreBackend.available) func leaderboardLoadMatchesSingleReads(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        try SyntheticStore.populate(store: store, runs: 1_200, agents: ["a", "b", "c", "d", "e"], seed: 7)
        let all = try store.allRunsForLeaderboard()
        #expect(all.count == 1_200)
        #expect(all.map(\.createdAt) == all.map(\.createdAt).sorted())
        // Exactly what was generated, in order.
        var rng = SplitMix64(seed: 7)
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for i in 0..<1_200 {
            let expected = SyntheticStore.makeRun(index: i, agents: ["a", "b", "c", "d", "e"], start: start, rng: &rng)
            if all[i] != expected { Issue.record("run \(i) differs after the bulk load"); break }
        }
        #expect(try store.run(all[17].runID) == all[17])
        let filtered = try store.allRunsForLeaderboard(RunFilter(since: all[1_000].createdAt, specGlob: "specs/http/*"))
        #expect(filtered.map(\.runID) == all[1_000...].filter { $0.specPath.hasPrefix("specs/http/") }.map(\.runID))
        #expect(filtered.allSatisfy { $0.candidates.count == 5 && $0.reviews.count == 3 && $0.consensus != nil })
        let withoutReviews = try store.allRunsForLeaderboard(RunFilter(since: all[1_000].createdAt), includeReviews: false)
        #expect(withoutReviews.count == 200)
        #expect(withoutReviews.allSatisfy { $0.reviews.isEmpty && $0.candidates.count == 5 })
        #expect(withoutReviews.map(\.candidates) == all[1_000...].map(\.candidates))
    }

    @Test(arguments: StoreBackend.available) func picksAreRecordedAndPurgedWithTheirRun(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        try store.createRun(Fixtures.run("r1"))
        try store.createRun(Fixtures.run("r2"))
        let p1 = ApplyRecord(runID: "r1", agent: "sonnet", appliedAt: Fixtures.created, committed: true, commitSHA: "abc")
        let p2 = ApplyRecord(runID: "r2", agent: "gpt", appliedAt: Fixtures.created.addingTimeInterval(5), committed: false)
        try store.recordPick(p2)
        try store.recordPick(p1)
        #expect(try store.picks() == [p1, p2])
        #expect(try store.picks(runID: "r2") == [p2])
        #expect(try store.deleteRun("r1"))
        #expect(try store.deleteRun("r1") == false)
        #expect(try store.picks() == [p2])
        #expect(try store.run("r1") == nil)
        #expect(try store.allRunsForLeaderboard().map(\.runID) == ["r2"])
    }

    @Test(arguments: StoreBackend.available) func runIDsResolveByLatestExactOrUniquePrefix(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        #expect(throws: StoreError.noRuns) { try store.resolveRunID("latest") }
        let t0 = Fixtures.created
        try store.createRun(Fixtures.run("20260101T100000Z-ab12", created: t0))
        try store.createRun(Fixtures.run("20260101T100000Z-ab34", created: t0.addingTimeInterval(1)))
        try store.createRun(Fixtures.run("20260102T090000Z-ff00", created: t0.addingTimeInterval(2)))
        try store.createRun(Fixtures.run("2026", created: t0.addingTimeInterval(-5)))
        #expect(try store.resolveRunID("latest") == "20260102T090000Z-ff00")
        #expect(try store.resolveRunID("20260102") == "20260102T090000Z-ff00")
        #expect(try store.resolveRunID(" 20260101T100000Z-ab3 ") == "20260101T100000Z-ab34")
        #expect(try store.resolveRunID("2026") == "2026") // exact id wins over prefix matches
        #expect(throws: StoreError.runNotFound("2025")) { try store.resolveRunID("2025") }
        #expect(throws: StoreError.runNotFound("")) { try store.resolveRunID("") }
        // Prefix matching is literal: SQL wildcards are not wildcards.
        #expect(throws: StoreError.runNotFound("2026%")) { try store.resolveRunID("2026%") }
        do {
            _ = try store.resolveRunID("20260101T")
            Issue.record("ambiguous prefix resolved")
        } catch let error as StoreError {
            #expect(error == .ambiguousRunID(prefix: "20260101T", matches: ["20260101T100000Z-ab12", "20260101T100000Z-ab34"]))
            #expect(error.description.contains("20260101T100000Z-ab12, 20260101T100000Z-ab34"))
        }
    }
}
