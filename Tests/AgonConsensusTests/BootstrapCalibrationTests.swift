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
        let c = coverage(runs: 10, simulations: 150, seed: 1_000)
        print("coverage of 90% intervals at 10 runs: \(c)")
        #expect(c >= 0.87, "coverage \(c) at 10 runs")
    }

    @Test func ninetyPercentIntervalsCoverTheTruthWithThirtyRuns() {
        let c = coverage(runs: 30, simulations: 150, seed: 2_000)
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
