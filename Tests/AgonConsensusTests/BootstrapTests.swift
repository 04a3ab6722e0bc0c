import Testing
@testable import AgonConsensus

@Suite struct BootstrapTests {
    /// Runs of 3 rankings over 4 of 6 agents, drawn from a known Plackett-Luce model.
    func syntheticRuns(seed: UInt64, runs: Int) -> [[PLObservation]] {
        var rng = SeededGenerator(seed: seed)
        let strength: [Double] = [1.5, 1.0, 0.5, 0.0, -0.5, -1.0]
        return (0..<runs).map { _ in
            let lineup = Array(Array(0..<6).shuffled(using: &rng).prefix(4))
            return (0..<3).map { _ in
                // Sequential Plackett-Luce sampling.
                var remaining = lineup, order: [Int] = []
                while !remaining.isEmpty {
                    let weights = remaining.map { exponential(strength[$0]) }
                    var u = rng.nextUnit() * weights.reduce(0, +)
                    var pick = remaining.count - 1
                    for (k, w) in weights.enumerated() { if u < w { pick = k; break }; u -= w }
                    order.append(remaining.remove(at: pick))
                }
                return PLObservation.ranking(order)
            }
        }
    }

    func exponential(_ x: Double) -> Double {
        var term = 1.0, sum = 1.0
        for k in 1..<30 { term *= x / Double(k); sum += term }
        return sum
    }

    @Test func sameSeedSameIntervalsAndThreadingDoesNotMatter() throws {
        let data = try PLDataset(itemCount: 6, runs: syntheticRuns(seed: 1, runs: 60))
        let options = BootstrapOptions(replicates: 200, seed: 99)
        let a = Bootstrap.plackettLuce(data, costs: [1, 2, 3, 4, 5, nil], options: options)
        var serial = options
        serial.parallel = false
        let b = Bootstrap.plackettLuce(data, costs: [1, 2, 3, 4, 5, nil], options: serial)
        #expect(a.items == b.items)
        var other = options
        other.seed = 100
        let c = Bootstrap.plackettLuce(data, costs: [1, 2, 3, 4, 5, nil], options: other)
        #expect(a.items.map(\.ratingLow) != c.items.map(\.ratingLow))
        #expect(a.unconvergedReplicates == 0)
    }

    @Test func intervalsBracketTheEstimateAndOrderTheItems() throws {
        let data = try PLDataset(itemCount: 6, runs: syntheticRuns(seed: 2, runs: 150))
        let result = Bootstrap.plackettLuce(data, options: BootstrapOptions(replicates: 300, seed: 5))
        for item in result.items {
            #expect(item.replicatesPresent == 300)
            #expect(item.ratingLow! <= item.rating && item.rating <= item.ratingHigh!)
            #expect(item.rankLow! <= item.rank! && item.rank! <= item.rankHigh!)
            #expect(item.paretoFrequency == nil)
        }
        #expect(result.items[0].rank == 1)
        #expect(result.items[5].rank == 6)
        #expect(result.items[0].ratingLow! > result.items[5].ratingHigh!)
    }

    @Test func chordRefitEqualsAPlainMMFitOfTheResampledData() throws {
        let runs = syntheticRuns(seed: 3, runs: 40)
        let data = try PLDataset(itemCount: 6, runs: runs)
        let options = PLOptions(alpha: 0.01)
        let full = PlackettLuce.fit(data, options: options)
        let weights = MMMap.weights(full.params)
        let fitter = ReplicateFitter(data: data, alpha: 0.01, theta: full.params, statistics: RunStatistics(data: data, weights: weights),
                                     jacobian: MMMap(data: data, alpha: 0.01).jacobianFactorization(at: full.params, weights: weights),
                                     tolerance: 1e-10, maxIterations: 200)
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<5 {
            var counts = [Int32](repeating: 0, count: runs.count)
            for _ in runs.indices { counts[rng.nextIndex(below: runs.count)] += 1 }
            let chord = fitter.fit(counts: counts)
            let expanded = try PLDataset(itemCount: 6, runs: runs.indices.flatMap { Array(repeating: runs[$0], count: Int(counts[$0])) })
            let plain = PlackettLuce.fit(expanded, options: PLOptions(alpha: 0.01, tolerance: 1e-12))
            #expect(chord.status == .converged)
            for (x, y) in zip(chord.params, plain.params) { #expect(abs(x - y) < 1e-7) }
        }
    }

    @Test func itemsMissingFromAReplicateAreSkippedForIt() throws {
        // Agent 6 appears in a single run out of 40: many replicates do not contain it.
        var runs = syntheticRuns(seed: 4, runs: 39)
        runs.append([.ranking([6, 0, 1]), .ranking([0, 6, 1])])
        let data = try PLDataset(itemCount: 7, runs: runs)
        for alpha in [0.0, 0.01] {
            let result = Bootstrap.plackettLuce(data, options: BootstrapOptions(replicates: 200, seed: 1, fit: PLOptions(alpha: alpha, solver: .accelerated)))
            let rare = result.items[6]
            #expect(rare.replicatesPresent > 0 && rare.replicatesPresent < 200)
            #expect(rare.ratingLow != nil)
            #expect(result.items[0].replicatesPresent == 200)
            // Ranks are among present items, so the rare item never makes others rank 7th.
            #expect(result.items.allSatisfy { ($0.rankHigh ?? 0) <= 7 })
        }
    }

    @Test func paretoFrequencyFollowsCostAndQuality() throws {
        let data = try PLDataset(itemCount: 6, runs: syntheticRuns(seed: 6, runs: 120))
        // Item 0 is the strongest and the cheapest: always on the frontier. Item 5 is the weakest
        // and the most expensive: never. Item 4 has no price: never rated on the frontier.
        let result = Bootstrap.plackettLuce(data, costs: [0.1, 0.5, 0.6, 0.7, nil, 0.9], options: BootstrapOptions(replicates: 200, seed: 3))
        #expect(result.items[0].paretoFrequency == 1)
        #expect(result.items[5].paretoFrequency == 0)
        #expect(result.items[4].paretoFrequency == nil)
    }

    @Test func percentileInterpolatesLikeNumpy() {
        #expect(abs(Bootstrap.percentile([1, 2, 3, 4], 0.05) - 1.15) < 1e-12)
        #expect(abs(Bootstrap.percentile([1, 2, 3, 4], 0.95) - 3.85) < 1e-12)
        #expect(Bootstrap.percentile([7], 0.5) == 7)
    }
}

@Suite struct ParetoTests {
    @Test func dominatedAndUnknownCostItemsAreOff() {
        // 0: cheap+weak, 1: dominated by 2, 2: mid, 3: expensive+best, 4: unpriced best, 5: equal to 2.
        let costs: [Double?] = [1, 3, 2, 5, nil, 2]
        let quality = [0.1, 0.4, 0.5, 0.9, 2.0, 0.5]
        #expect(Pareto.frontier(costs: costs, qualities: quality) == [0, 2, 5, 3])
        #expect(Pareto.membership(costs: costs, qualities: quality) == [true, false, true, true, false, true])
    }

    @Test func equalCostHigherQualityDominates() {
        #expect(Pareto.frontier(costs: [1, 1], qualities: [0.2, 0.3]) == [1])
        #expect(Pareto.frontier(costs: [], qualities: []) == [])
        #expect(Pareto.frontier(costs: [nil, 2], qualities: [5, 1]) == [1])
    }
}

@Suite struct VerifierDiagnosticsTests {
    @Test func positionBiasIsTheMeanRankCorrelation() throws {
        let favoursFirst = ShownReview(displayOrder: [2, 0, 1], ranking: [2, 0, 1])
        let favoursLast = ShownReview(displayOrder: [2, 0, 1], ranking: [1, 0, 2])
        #expect(VerifierDiagnostics.positionBias([favoursFirst, favoursFirst]).meanRho == 1)
        #expect(VerifierDiagnostics.positionBias([favoursLast]).meanRho == -1)
        let mixed = VerifierDiagnostics.positionBias([favoursFirst, favoursLast, ShownReview(displayOrder: [0], ranking: [0])])
        #expect(mixed.meanRho == 0)
        #expect(mixed.reviews == 2)
        #expect(VerifierDiagnostics.positionBias([]).meanRho == nil)
    }

    @Test func agreementWithConsensus() throws {
        #expect(VerifierDiagnostics.agreement(ranking: [0, 1, 2], consensus: [0, 1, 2, 3]) == 1)
        #expect(VerifierDiagnostics.agreement(ranking: [2, 1, 0], consensus: [0, 1, 2]) == -1)
        #expect(VerifierDiagnostics.meanAgreement([([0, 1, 2], [0, 1, 2]), ([2, 1, 0], [0, 1, 2]), ([5], [5])]) == 0)
    }

    /// The tie-free order versions the leaderboard uses against the general tie-aware formulas
    /// (Pearson correlation of average ranks; tau-b with tie corrections), on random partial orders.
    @Test func orderStatisticsMatchTheGeneralFormulas() {
        var rng = SeededGenerator(seed: 11)
        for trial in 0..<300 {
            let n = 2 + trial % 7
            let shown = Array(0..<n).shuffled(using: &rng)
            // Partial rankings too (a verifier may leave candidates out).
            let ranking = Array(Array(0..<n).shuffled(using: &rng).prefix(max(1, n - trial % 3)))
            let consensus = Array(0..<n).shuffled(using: &rng)
            let shared = shown.enumerated().filter { ranking.contains($0.element) }
            let generalRho = shared.count < 2 ? nil : Agreement.spearmanRho(
                shared.map { Double($0.offset) }, shared.map { Double(ranking.firstIndex(of: $0.element)!) })
            let rho = VerifierDiagnostics.positionRho(shown: shown, ranking: ranking)
            #expect((generalRho == nil) == (rho == nil))
            if let generalRho, let rho { #expect(abs(generalRho - rho) < 1e-12) }
            let both = ranking.filter(consensus.contains)
            let generalTau = both.count < 2 ? nil : Agreement.kendallTauB(
                both.map { Double(ranking.firstIndex(of: $0)!) }, both.map { Double(consensus.firstIndex(of: $0)!) })
            let tau = Agreement.kendallTauB(order: ranking, order: consensus)
            #expect((generalTau == nil) == (tau == nil))
            if let generalTau, let tau { #expect(abs(generalTau - tau) < 1e-12) }
        }
    }
}
