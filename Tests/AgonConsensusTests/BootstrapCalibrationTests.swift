import Foundation
import Testing
@testable import AgonConsensus

/// Issue 11: the intervals mean what they say.
@Suite struct BootstrapCalibrationTests {
    /// Share of (simulated leaderboard, agent) pairs whose 90% interval covers the true rating,
    /// data drawn from a known Plackett-Luce model (6 agents, 4 per run, 3 verifiers).
    func coverage(runs: Int, simulations: Int, seed: UInt64) -> Double {
        let truth: [Double] = [1.5, 1.0, 0.5, 0.0, -0.5, -1.0]
        let mean = truth.reduce(0, +) / Double(truth.count)
        let trueRatings = truth.map { PlackettLuce.rating($0 - mean) }
        var covered = 0, total = 0
        for s in 0..<simulations {
            let data = try! PLDataset(itemCount: 6, runs: BootstrapTests().syntheticRuns(seed: seed &+ UInt64(s), runs: runs))
            let result = Bootstrap.plackettLuce(data, options: BootstrapOptions(replicates: 200, seed: UInt64(s)))
            for (item, summary) in result.items.enumerated() {
                // A separated agent's one-sided bound counts as covering when the truth is on its side.
                guard summary.ratingLow != nil || summary.ratingHigh != nil else { continue }
                total += 1
                if (summary.ratingLow ?? -.infinity) <= trueRatings[item] && trueRatings[item] <= (summary.ratingHigh ?? .infinity) {
                    covered += 1
                }
            }
        }
        return Double(covered) / Double(total)
    }

    @Test func ninetyPercentIntervalsCoverTheTruthWithTenRuns() {
        let c = coverage(runs: 10, simulations: 120, seed: 1_000)
        print("coverage of 90% intervals at 10 runs: \(c)")
        #expect(c >= 0.87, "coverage \(c) at 10 runs")
    }

    @Test func ninetyPercentIntervalsCoverTheTruthWithThirtyRuns() {
        let c = coverage(runs: 30, simulations: 100, seed: 2_000)
        print("coverage of 90% intervals at 30 runs: \(c)")
        #expect(c >= 0.88, "coverage \(c) at 30 runs")
    }

    /// An agent seen in one run of thirty must not move the others in the replicates that miss
    /// it: their intervals are as wide as without it.
    @Test func absentAgentDoesNotShiftTheOthers() throws {
        let base = BootstrapTests().syntheticRuns(seed: 7, runs: 30).map { run in
            run.map { o in PLObservation.ranking(o.items.filter { $0 < 3 }) }.filter { $0.items.count >= 2 }
        }.filter { !$0.isEmpty }
        let without = try PLDataset(itemCount: 4, runs: base)
        // Agent 3 shows up once, beating everyone.
        let with = try PLDataset(itemCount: 4, runs: base + [[PLObservation.ranking([3, 0, 1, 2])]])
        let options = BootstrapOptions(replicates: 400, seed: 4)
        let a = Bootstrap.plackettLuce(without, options: options)
        let b = Bootstrap.plackettLuce(with, options: options)
        for item in 0..<3 {
            let widthWithout = a.items[item].ratingHigh! - a.items[item].ratingLow!
            let widthWith = b.items[item].ratingHigh! - b.items[item].ratingLow!
            #expect(widthWith < widthWithout * 1.3 + 10, "item \(item): \(widthWith) with the rare agent vs \(widthWithout) without")
        }
    }
}

/// Issue 11: one diverging replicate must not corrupt the intervals.
@Suite struct BootstrapDivergenceTests {
    /// A chord-Newton refit that meets a non-finite value (here: a poisoned warm start, as an
    /// overflowing step produces) falls back to plain MM and still finds the replicate's estimate.
    @Test func divergedRefitFallsBackToPlainMM() throws {
        let runs = BootstrapTests().syntheticRuns(seed: 21, runs: 15)
        let data = try PLDataset(itemCount: 6, runs: runs)
        let full = PlackettLuce.fit(data, options: PLOptions(alpha: 0.01))
        var poisoned = full.params
        poisoned[2] = .infinity
        let weights = MMMap.weights(full.params)
        let fitter = ReplicateFitter(data: data, alpha: 0.01, theta: poisoned, statistics: RunStatistics(data: data, weights: weights),
                                     jacobian: MMMap(data: data, alpha: 0.01).jacobianFactorization(at: full.params, weights: weights),
                                     tolerance: 1e-10, maxIterations: 200)
        var counts = [Int32](repeating: 1, count: runs.count)
        counts[0] = 2
        counts[1] = 0
        let outcome = fitter.fit(counts: counts)
        #expect(outcome.status == .converged)
        let expanded = try PLDataset(itemCount: 6, runs: runs.indices.flatMap { Array(repeating: runs[$0], count: Int(counts[$0])) })
        let plain = PlackettLuce.fit(expanded, options: PLOptions(alpha: 0.01, tolerance: 1e-12))
        for (x, y) in zip(outcome.params, plain.params) { #expect(abs(x - y) < 1e-6) }
    }

    /// When both solvers fail the replicate is dropped, counted, and kept out of every interval:
    /// the intervals stay finite, ordered and around the estimate.
    @Test func droppedReplicatesAreLeftOutAndCounted() throws {
        let data = try PLDataset(itemCount: 6, runs: BootstrapTests().syntheticRuns(seed: 22, runs: 40))
        let full = PlackettLuce.fit(data, options: PLOptions(alpha: 0.01))
        let n = 6, b = 50
        var rng = SeededGenerator(seed: 3)
        var thetas: [Double] = [], statuses: [ReplicateStatus] = []
        for r in 0..<b {
            let diverged = r % 10 == 3
            for i in 0..<n { thetas.append(diverged ? .nan : full.params[i] + 0.3 * (rng.nextUnit() - 0.5)) }
            statuses.append(diverged ? .dropped : .converged)
        }
        let result = Bootstrap.summarise(full: full, fullRanks: Bootstrap.ranks(of: full.params, present: full.observed), thetas: thetas,
                                         present: [Bool](repeating: true, count: b * n), statuses: statuses, costs: nil,
                                         replicateCosts: nil, runCount: 40, separation: [Separation](repeating: .none, count: n),
                                         bounds: [Double?](repeating: nil, count: n), level: 0.9)
        #expect(result.droppedReplicates == 5 && result.replicates == 50)
        for item in result.items {
            let low = try #require(item.ratingLow), high = try #require(item.ratingHigh)
            #expect(low.isFinite && high.isFinite && low <= item.rating && item.rating <= high)
            #expect(item.replicatesPresent == 45)
        }
    }

    /// Many small, lopsided leaderboards (where refits come close to separation): every interval
    /// finite, ordered and containing its estimate.
    @Test func smallLopsidedLeaderboardsGiveOrderedIntervals() throws {
        for s in 0..<40 {
            let runs = BootstrapTests().syntheticRuns(seed: 500 + UInt64(s), runs: 4 + s % 5).map { run in
                // The strongest agent loses only rarely: near-separated data.
                run.map { o in PLObservation.ranking(o.items.contains(0) && s % 3 == 0 ? [0] + o.items.filter { $0 != 0 } : o.items) }
            }
            let data = try PLDataset(itemCount: 6, runs: runs)
            let result = Bootstrap.plackettLuce(data, options: BootstrapOptions(replicates: 100, seed: UInt64(s)))
            for item in result.items {
                #expect(item.rating.isFinite)
                if let low = item.ratingLow { #expect(low.isFinite && low <= item.rating + 1e-9) }
                if let high = item.ratingHigh { #expect(high.isFinite && item.rating - 1e-9 <= high) }
            }
        }
    }
}

/// The quantiles behind the interval widening, against scipy.stats (norm.ppf, t.ppf).
@Suite struct QuantileTests {
    @Test func normalAndStudentTMatchScipy() {
        #expect(abs(Quantiles.normal(0.95) - 1.6448536269514722) < 1e-8)
        #expect(abs(Quantiles.normal(0.01) - -2.3263478740408408) < 1e-8)
        #expect(abs(Quantiles.studentT(0.95, degreesOfFreedom: 1) - 6.313751514675041) < 1e-9)
        #expect(abs(Quantiles.studentT(0.95, degreesOfFreedom: 2) - 2.919985580355516) < 1e-9)
        #expect(abs(Quantiles.studentT(0.95, degreesOfFreedom: 4) - 2.13184678133629) < 2e-3)
        #expect(abs(Quantiles.studentT(0.95, degreesOfFreedom: 9) - 1.8331129326536335) < 1e-4)
        #expect(abs(Quantiles.studentT(0.95, degreesOfFreedom: 29) - 1.6991270265334972) < 1e-6)
        #expect(abs(Bootstrap.widening(runs: 10, level: 0.9) - 1.17473716820388) < 1e-4)
    }
}
