import Testing
@testable import AgonConsensus

@Suite struct KemenyTests {
    /// Random weighted instances (weights are multiples of 1/4 so ties are exact), with partial
    /// rankings and frequent ties between optimal orders.
    func randomInstance(_ rng: inout SeededGenerator, itemCount n: Int) -> [WeightedRanking] {
        let count = 1 + rng.nextIndex(below: 6)
        return (0..<count).map { _ in
            var order = Array(0..<n).shuffled(using: &rng)
            if rng.nextIndex(below: 2) == 0 { order = Array(order.prefix(1 + rng.nextIndex(below: n))) }  // partial
            return WeightedRanking(order, weight: Double(rng.nextIndex(below: 9)) / 4)
        }
    }

    @Test func exactDynamicProgrammingMatchesBruteForce() {
        var rng = SeededGenerator(seed: 7)
        var instances = 0
        for n in 1...8 {
            let trials = n <= 6 ? 120 : (n == 7 ? 25 : 6)
            for _ in 0..<trials {
                let rankings = randomInstance(&rng, itemCount: n)
                let exact = Kemeny.aggregate(items: Array(0..<n), rankings: rankings, itemCount: n)
                let brute = bruteForceKemeny(itemCount: n, rankings: rankings)
                #expect(exact.method == .exact)
                #expect(abs(exact.score - brute.cost) < 1e-9, "n=\(n) \(rankings)")
                #expect(exact.ranking == brute.ranking, "n=\(n) \(rankings)")
                instances += 1
            }
        }
        #expect(instances > 700)
    }

    @Test func tiesBreakTowardsLowerIndicesRegardlessOfInputOrder() {
        let rankings = [WeightedRanking([2, 1, 0]), WeightedRanking([0, 1, 2])]
        let forward = Kemeny.aggregate(items: [0, 1, 2], rankings: rankings, itemCount: 3)
        let backward = Kemeny.aggregate(items: [2, 1, 0], rankings: rankings.reversed(), itemCount: 3)
        #expect(forward.ranking == [0, 1, 2])
        #expect(backward.ranking == forward.ranking)
    }

    @Test func aboveTheExactLimitUsesLocallyOptimalBordaStart() {
        var rng = SeededGenerator(seed: 11)
        let n = Kemeny.exactLimit + 3
        let reference = Array(0..<n).shuffled(using: &rng)
        let rankings = (0..<5).map { _ in WeightedRanking(sampleMallows(reference: reference, phi: 0.8, using: &rng)) }
        let result = Kemeny.aggregate(items: Array(0..<n), rankings: rankings, itemCount: n)
        let preferences = PairwisePreferences(itemCount: n, rankings: rankings)
        let borda = Borda.compute(itemCount: n, rankings: rankings)
        #expect(result.method == .bordaLocal)
        #expect(Set(result.ranking) == Set(0..<n))
        #expect(result.score <= preferences.disagreement(of: borda.ranking))
        for k in 0..<(n - 1) {  // no adjacent swap improves
            var swapped = result.ranking
            swapped.swapAt(k, k + 1)
            #expect(preferences.disagreement(of: swapped) >= result.score - 1e-12)
        }
    }

    @Test func subsetAggregationIgnoresOtherItems() {
        let rankings = [WeightedRanking([4, 3, 2, 1, 0]), WeightedRanking([3, 4, 0, 1, 2], weight: 0.5)]
        let result = Kemeny.aggregate(items: [0, 3, 4], rankings: rankings, itemCount: 5)
        #expect(result.ranking == [4, 3, 0])
        #expect(result.score == 0.5)
    }
}

@Suite struct BordaTests {
    @Test func partialRankingsAreNormalised() {
        let result = Borda.compute(itemCount: 5, rankings: [WeightedRanking([0, 1, 2, 3]), WeightedRanking([1, 0])])
        #expect(abs(result.scores[0] - 0.5) < 1e-12)
        #expect(abs(result.scores[1] - 5.0 / 6.0) < 1e-12)
        #expect(abs(result.scores[2] - 1.0 / 3.0) < 1e-12)
        #expect(result.scores[3] == 0)
        #expect(result.coverage == [2, 2, 1, 1, 0])
        #expect(result.ranking == [1, 0, 2, 3, 4])  // unranked item 4 after item 3 (both score 0)
    }

    @Test func weightsAndTies() {
        let tied = Borda.compute(itemCount: 2, rankings: [WeightedRanking([1, 0]), WeightedRanking([0, 1])])
        #expect(tied.ranking == [0, 1])
        let weighted = Borda.compute(itemCount: 2, rankings: [WeightedRanking([1, 0], weight: 2), WeightedRanking([0, 1])])
        #expect(weighted.ranking == [1, 0])
    }
}

@Suite struct AgreementTests {
    @Test func kendallWOfTheReferenceExample() throws {
        let w = try #require(Agreement.kendallW(ranks: [[1, 2, 3, 4], [2, 1, 3, 4], [1, 3, 2, 4]]))
        #expect((w * 10_000).rounded() / 10_000 == 0.7778)
        let fromOrders = try #require(Agreement.kendallW(orders: [[0, 1, 2, 3], [1, 0, 2, 3], [0, 2, 1, 3]]))
        #expect(abs(fromOrders - w) < 1e-12)
    }

    @Test func kendallWTieCorrectionMatchesScipyComputation() throws {
        #expect(abs(try #require(Agreement.kendallW(ranks: [[1, 2.5, 2.5], [1, 2, 3]])) - 0.9285714285714286) < 1e-12)
        let mixed = try #require(Agreement.kendallW(ranks: [[1, 2, 2, 4, 5], [2, 1, 3, 3, 5], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]]))
        #expect(abs(mixed - 0.21474358974358973) < 1e-12)
        #expect(Agreement.kendallW(ranks: [[1, 2, 3]]) == nil)
        #expect(Agreement.kendallW(ranks: [[1, 1], [1, 1]]) == nil)
    }

    @Test func kendallWOfPartialOrdersUsesItemsEveryoneRanked() throws {
        // Items 0..2 are common; 3 and 4 are each missing from one ranking.
        let w = try #require(Agreement.kendallW(orders: [[0, 3, 1, 2], [4, 0, 1, 2], [0, 1, 2, 3, 4]]))
        #expect(abs(w - 1) < 1e-12)
        #expect(Agreement.kendallW(orders: [[0, 1], [2, 3]]) == nil)
    }

    @Test func tauBAndRhoMatchScipy() throws {
        #expect(abs(try #require(Agreement.kendallTauB([1, 2, 3, 4, 5], [1, 3, 2, 5, 4])) - 0.6) < 1e-12)
        #expect(abs(try #require(Agreement.kendallTauB([1, 2, 2, 3, 4], [1, 1, 2, 3, 3])) - 0.8249579113843054) < 1e-12)
        #expect(abs(try #require(Agreement.spearmanRho([1, 2, 2, 3, 4], [2, 1, 3, 5, 4])) - 0.7181848464596079) < 1e-12)
        #expect(Agreement.kendallTauB([1, 1, 1], [1, 2, 3]) == nil)
        #expect(Agreement.kendallTauB(order: [2, 0, 1], order: [1, 0, 2]) == -1)
    }
}
