import Testing
@testable import AgonConsensus

@Suite struct ConsensusTests {
    @Test func gatedItemsAlwaysRankBelowPassingOnes() throws {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<200 {
            let n = 2 + rng.nextIndex(below: 7)
            let gated = Set((0..<n).filter { _ in rng.nextIndex(below: 3) == 0 })
            let rankings = (0..<(rng.nextIndex(below: 5))).map { _ in
                WeightedRanking(Array(Array(0..<n).shuffled(using: &rng).prefix(1 + rng.nextIndex(below: n))),
                                weight: 0.5 + Double(rng.nextIndex(below: 3)))
            }
            let result = try Consensus.merge(itemCount: n, gated: gated, rankings: rankings)
            let passingCount = n - gated.count
            #expect(Set(result.ranking) == Set(0..<n))
            #expect(result.ranking.prefix(passingCount).allSatisfy { !gated.contains($0) })
            #expect(result.bordaRanking.prefix(passingCount).allSatisfy { !gated.contains($0) })
            #expect(result.perVerifierTau.count == rankings.count)
        }
    }

    @Test func eachGroupFollowsTheVerifiersAndUnrankedItemsComeLast() throws {
        // Verifiers prefer the gated item 3 most; it still ranks below every passing item.
        let rankings = [WeightedRanking([3, 2, 0, 1]), WeightedRanking([3, 2, 1, 0]), WeightedRanking([3, 2, 0, 1])]
        let result = try Consensus.merge(itemCount: 6, gated: [3, 5, 4], rankings: rankings)
        #expect(result.ranking == [2, 0, 1, 3, 4, 5])
        #expect(result.method == .exact)
        #expect(result.bordaRanking == [2, 0, 1, 3, 4, 5])
        // Gating overrides 3 preferences per verifier (3 above 2, 0, 1); one verifier puts 1 above 0.
        #expect(result.kemenyScore == 10)
    }

    @Test func unanimousPanelIsNotSplit() throws {
        let rankings = Array(repeating: WeightedRanking([2, 0, 1, 3]), count: 3)
        let result = try Consensus.merge(itemCount: 4, gated: [], rankings: rankings)
        #expect(result.ranking == [2, 0, 1, 3])
        #expect(result.kendallW == 1)
        #expect(!result.split)
        #expect(result.splitReasons.isEmpty)
        #expect(result.topShare == 1)
        #expect(result.perVerifierTau == [1, 1, 1])
    }

    @Test func twoVerifiersWithDifferentWinnersAreSplit() throws {
        let result = try Consensus.merge(itemCount: 4, gated: [], rankings: [WeightedRanking([0, 1, 2, 3]), WeightedRanking([1, 0, 2, 3])])
        #expect(result.kendallW! > Consensus.splitAgreementThreshold)  // agreement is high overall…
        #expect(result.topMargin == 0)                                  // …but the top is a coin flip
        #expect(result.split)
        #expect(result.splitReasons.contains { $0.contains("top two tied") })
    }

    @Test func contestedWinnerIsSplit() throws {
        // 0 wins the Kemeny consensus, but only 1 of 3 verifiers puts it first.
        let rankings = [WeightedRanking([0, 1, 2, 3]), WeightedRanking([1, 0, 2, 3]), WeightedRanking([2, 0, 1, 3])]
        let result = try Consensus.merge(itemCount: 4, gated: [], rankings: rankings)
        #expect(result.ranking.first == 0)
        #expect(abs(result.topShare! - 1.0 / 3.0) < 1e-12)
        #expect(result.split)
        #expect(result.splitReasons.contains { $0.contains("contested winner") })
    }

    @Test func lowAgreementIsSplit() throws {
        let rankings = [WeightedRanking([0, 1, 2, 3, 4]), WeightedRanking([4, 3, 2, 1, 0]), WeightedRanking([2, 4, 0, 3, 1])]
        let result = try Consensus.merge(itemCount: 5, gated: [], rankings: rankings)
        #expect(result.kendallW! < Consensus.splitAgreementThreshold)
        #expect(result.splitReasons.contains { $0.contains("Kendall's W") })
    }

    @Test func leaveOneOutTauSeparatesTheDissenter() throws {
        let agreeing = WeightedRanking([2, 0, 1, 3])
        let result = try Consensus.merge(itemCount: 4, gated: [], rankings: [agreeing, agreeing, WeightedRanking([3, 1, 0, 2]), agreeing])
        #expect(result.perVerifierTau == [1, 1, -1, 1])
    }

    @Test func singleOrNoVerifierIsNeverSplit() throws {
        let single = try Consensus.merge(itemCount: 3, gated: [0], rankings: [WeightedRanking([0, 2, 1])])
        #expect(single.ranking == [2, 1, 0])
        #expect(single.kendallW == nil)
        #expect(!single.split)
        #expect(single.perVerifierTau == [nil])
        #expect(single.notes.contains { $0.contains("single verifier") })
        let none = try Consensus.merge(itemCount: 3, gated: [1], rankings: [])
        #expect(none.ranking == [0, 2, 1])
        #expect(none.kendallW == nil)
        #expect(!none.split)
        #expect(none.topShare == nil)
    }

    @Test func largeGroupsFallBackToLocalKemenyAndSaySo() throws {
        var rng = SeededGenerator(seed: 9)
        let n = Kemeny.exactLimit + 2
        let truth = Array(0..<n).shuffled(using: &rng)
        let rankings = (0..<3).map { _ in WeightedRanking(sampleMallows(reference: truth, phi: 0.3, using: &rng)) }
        let result = try Consensus.merge(itemCount: n, gated: [truth[0]], rankings: rankings)
        #expect(result.method == .bordaLocal)
        #expect(result.ranking.last == truth[0])
        #expect(Set(result.ranking) == Set(0..<n))
        // Gating three items leaves groups of 11 and 3: both small enough for the exact solver.
        let split = try Consensus.merge(itemCount: n, gated: Set(truth.prefix(3)), rankings: rankings)
        #expect(split.method == .exact)
    }

    @Test func invalidInputIsRejected() {
        #expect(throws: ConsensusInputError("ranking 1: item 7 is outside 0..<3")) {
            try Consensus.merge(itemCount: 3, gated: [], rankings: [WeightedRanking([0, 1]), WeightedRanking([7])])
        }
        #expect(throws: ConsensusInputError.self) { try Consensus.merge(itemCount: 3, gated: [], rankings: [WeightedRanking([1, 1])]) }
        #expect(throws: ConsensusInputError.self) { try Consensus.merge(itemCount: 3, gated: [], rankings: [WeightedRanking([1], weight: -1)]) }
        #expect(throws: ConsensusInputError.self) { try Consensus.merge(itemCount: 3, gated: [3], rankings: []) }
    }

    /// Five noisy verifiers (Mallows, φ = 0.7) rank 8 candidates; the consensus must find the
    /// true best more often than the BEST single verifier (a rule that copies one verifier can at
    /// most tie that verifier, so it fails), and the median by a clear margin.
    @Test func consensusBeatsTheBestVerifierUnderMallowsNoise() throws {
        var rng = SeededGenerator(seed: 42)
        let trials = 400, verifiers = 5, n = 8
        var consensusHits = 0
        var verifierHits = [Int](repeating: 0, count: verifiers)
        for _ in 0..<trials {
            let truth = Array(0..<n).shuffled(using: &rng)  // random truth so index tie-breaks cannot help
            let rankings = (0..<verifiers).map { _ in WeightedRanking(sampleMallows(reference: truth, phi: 0.7, using: &rng)) }
            let result = try Consensus.merge(itemCount: n, gated: [], rankings: rankings)
            if result.ranking.first == truth[0] { consensusHits += 1 }
            for (v, ranking) in rankings.enumerated() where ranking.order.first == truth[0] { verifierHits[v] += 1 }
        }
        let medianVerifier = verifierHits.sorted()[verifiers / 2]
        let bestVerifier = verifierHits.max()!
        #expect(consensusHits > bestVerifier, "consensus \(consensusHits) vs best verifier \(bestVerifier) of \(trials)")
        #expect(consensusHits >= medianVerifier + trials / 20, "consensus \(consensusHits) vs median verifier \(medianVerifier) of \(trials)")
        // The criterion rejects a rule that copies verifier 0.
        #expect(!(verifierHits[0] > bestVerifier))
    }
}
