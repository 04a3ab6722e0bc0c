import AgonCore
import AgonLeaderboard
import AgonTestSupport
import Foundation
import Testing

/// Cache hits are no observations; the serve mix counts tiers. Known answers by hand.
@Suite struct CacheHitAndServeMixTests {
    let settings = LeaderboardSettings(replicates: 0, seed: 1, parallel: false)

    /// Run 0: a beats b (both real). Run 1: a is a cache hit of run 0 and b fails. Without the
    /// exclusion a would have 2 runs, 2 successes and $0.10 + $0 cost; with it, 1 run, $0.10.
    @Test func cacheHitsAreNotCounted() throws {
        var hit = LeaderboardRecords.candidate("a", cost: 0)
        hit.cacheHit = CacheHit(sourceRunID: "run-0", sourceCostUSD: 0.1)
        let runs = [
            LeaderboardRecords.run(0, candidates: [LeaderboardRecords.candidate("a", cost: 0.1),
                                                   LeaderboardRecords.candidate("b", acceptance: .failed)]),
            LeaderboardRecords.run(1, candidates: [hit, LeaderboardRecords.candidate("b", acceptance: .failed)]),
        ]
        let result = LeaderboardComputation(settings: settings).compute(runs: runs, picks: [])
        let a = try #require(result.agents.first { $0.agentIDs == ["a"] })
        let b = try #require(result.agents.first { $0.agentIDs == ["b"] })
        #expect(a.runs == 1 && a.successes == 1)
        #expect(a.costPerTask == 0.1)
        #expect(b.runs == 2)
        // Run 0's check tiers (a over b) are one observation; run 1 compares nothing (only b counts).
        #expect(result.ratingObservations == 1)
        // The projection carries the flag (the store's column read is checked in the pipeline tests).
        #expect(LeaderboardRun(runs[1]).candidates[0].cacheHit)
        #expect(!LeaderboardRun(runs[0]).candidates[0].cacheHit)
    }

    @Test func serveMixPerSpec() {
        let mix = SpecServeMix.compute([
            CascadeServe(specPath: "specs/a.md", servedByTier: 1, tierCount: 2),
            CascadeServe(specPath: "specs/b.md", servedByTier: 3, tierCount: 3),
            CascadeServe(specPath: "specs/a.md", servedByTier: nil, tierCount: 2),
            CascadeServe(specPath: "specs/a.md", servedByTier: 1, tierCount: 2),
            CascadeServe(specPath: "specs/b.md", servedByTier: 1, tierCount: 3),
        ])
        #expect(mix == [
            SpecServeMix(specPath: "specs/a.md", runs: 3, servedByTier: [2, 0], unserved: 1),
            SpecServeMix(specPath: "specs/b.md", runs: 2, servedByTier: [1, 0, 1], unserved: 0),
        ])
        #expect(SpecServeMix.compute([]) == [])
    }
}
