import AgonCore
import AgonLeaderboard
import AgonStore
import AgonTestSupport
import Foundation
import Testing

/// The exact-repeat cache's lookup, the cascade serve mix and the cache/attempt leaderboard
/// columns give the same answers on both backends (SQLite's json_extract, PostgreSQL's jsonb).
@Suite struct CacheAndCascadeQueryTests {
    static let base = "89abcdef0123456789abcdef0123456789abcdef"

    static func run(_ id: String, minutes: Double, base: String = CacheAndCascadeQueryTests.base, status: RunStatus = .done,
                    candidates: [CandidateRecord], cascade: CascadeRecord? = nil) -> RunRecord {
        var record = Fixtures.run(id, created: Fixtures.created.addingTimeInterval(minutes * 60), status: status)
        record.baseSHA = base
        record.candidates = candidates
        record.reviews = []
        record.cascade = cascade
        return record
    }

    static func candidate(_ agent: String, key: String?, outcome: Outcome = .ok) -> CandidateRecord {
        var c = Fixtures.candidate(agent, outcome: outcome)
        c.cacheKey = key
        return c
    }

    @Test(arguments: StoreBackend.available) func cacheLookupFindsOnlyOriginalFirstAttemptsNewestFirst(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        var hit = Self.candidate("gpt", key: "k1")
        hit.cacheHit = CacheHit(sourceRunID: "r-old", sourceCostUSD: 0.4)
        var followedUp = Self.candidate("gpt", key: "k1")
        followedUp.attempts = [AttemptRecord(number: 1, kind: .initial, candidate: followedUp),
                               AttemptRecord(number: 2, kind: .resumed, message: "fix it", candidate: followedUp)]
        for record in [
            Self.run("r-old", minutes: 0, candidates: [Self.candidate("gpt", key: "k1")]),
            Self.run("r-new", minutes: 5, candidates: [Self.candidate("gpt", key: "k1"), Self.candidate("sonnet", key: "k2")]),
            Self.run("r-other-base", minutes: 6, base: String(repeating: "1", count: 40), candidates: [Self.candidate("gpt", key: "k1")]),
            Self.run("r-failed", minutes: 7, candidates: [Self.candidate("gpt", key: "k1", outcome: .timeout)]),
            Self.run("r-hit", minutes: 8, candidates: [hit]),
            Self.run("r-followed-up", minutes: 9, candidates: [followedUp]),
        ] { try store.createRun(record) }

        #expect(try store.runIDs(specHash: "sha256:abc", baseSHA: Self.base, cacheKey: "k1") == ["r-new", "r-old"])
        #expect(try store.runIDs(specHash: "sha256:abc", baseSHA: Self.base, cacheKey: "k2") == ["r-new"])
        #expect(try store.runIDs(specHash: "sha256:other", baseSHA: Self.base, cacheKey: "k1").isEmpty)

        // The leaderboard's columns say which candidate is a cache hit and how many attempts each had.
        let runs = try store.leaderboardRuns()
        let byRun = Dictionary(uniqueKeysWithValues: runs.map { ($0.runID, $0) })
        #expect(byRun["r-hit"]?.candidates.first?.cacheHit == true)
        #expect(byRun["r-old"]?.candidates.first?.cacheHit == false)
        #expect(byRun["r-followed-up"]?.candidates.first?.attempts.count == 2)
        #expect(byRun["r-old"]?.candidates.first?.attempts.count == 1)
    }

    @Test(arguments: StoreBackend.available) func serveMixReadsFinishedCascadeRunsInOrder(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        let tiers = [["cheap-a", "cheap-b"], ["frontier"]]
        try store.createRun(Self.run("c1", minutes: 0, candidates: [], cascade: CascadeRecord(tiers: tiers, servedByTier: 1)))
        try store.createRun(Self.run("c2", minutes: 1, candidates: [], cascade: CascadeRecord(tiers: tiers, servedByTier: nil)))
        try store.createRun(Self.run("c3", minutes: 2, status: .running, candidates: [], cascade: CascadeRecord(tiers: tiers, servedByTier: 2)))
        try store.createRun(Self.run("plain", minutes: 3, candidates: []))
        #expect(try store.cascadeServes() == [
            CascadeServe(specPath: "specs/retry.md", servedByTier: 1, tierCount: 2),
            CascadeServe(specPath: "specs/retry.md", servedByTier: nil, tierCount: 2),
        ])
    }
}
