// bench-consensus: timings of the consensus maths on synthetic data (release build:
// `swift run -c release bench-consensus`). Goals: exact Kemeny for 10 candidates < 50 ms (median);
// Plackett-Luce fit + 1000-replicate bootstrap over 20,000 runs well under the 3 s leaderboard budget.
import AgonConsensus
import Dispatch
import Foundation

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

/// Process CPU time in ms (all threads): robust to other processes competing for the cores.
func cpuMilliseconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Standard Gumbel noise: argsort(θ + Gumbel) samples a Plackett-Luce ranking.
func gumbel(_ rng: inout SeededGenerator) -> Double {
    -log(-log(max(rng.nextUnit(), 1e-300)))
}

var rng = SeededGenerator(seed: 2024)
let arguments = CommandLine.arguments
let replicates = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let runCount = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
let replicateTolerance = arguments.count > 3 ? Double(arguments[3]) ?? 1e-6 : 1e-6

// 1. Exact Kemeny, 10 candidates, 5 verifier rankings.
var kemenyTimes: [Double] = []
var lastMethod = ""
for _ in 0..<20 {
    let rankings = (0..<5).map { _ in WeightedRanking(Array(0..<10).shuffled(using: &rng), weight: 1) }
    kemenyTimes.append(milliseconds {
        let result = Kemeny.aggregate(items: Array(0..<10), rankings: rankings, itemCount: 10)
        lastMethod = result.method.rawValue
    })
}
print(String(format: "kemeny n=10 m=5 (%@): median %.3f ms, max %.3f ms over 20 runs (goal < 50 ms)",
             lastMethod, median(kemenyTimes), kemenyTimes.max()!))

var mergeTimes: [Double] = []
for _ in 0..<20 {
    let rankings = (0..<5).map { _ in WeightedRanking(Array(0..<10).shuffled(using: &rng), weight: 1) }
    mergeTimes.append(milliseconds { _ = try! Consensus.merge(itemCount: 10, gated: [9], rankings: rankings) })
}
print(String(format: "consensus merge n=10 m=5 (Kemeny x2 groups, Borda, W, 5 leave-one-out Kemenys): median %.3f ms", median(mergeTimes)))

// 2. Plackett-Luce + bootstrap: runs x 5 candidates over 50 agents, 3 verifier rankings per run.
let agents = 50
let truth = (0..<agents).map { _ in (rng.nextUnit() - 0.5) * 3 }
var runs: [[PLObservation]] = []
runs.reserveCapacity(runCount)
for _ in 0..<runCount {
    var lineup = Set<Int>()
    while lineup.count < 5 { lineup.insert(rng.nextIndex(below: agents)) }
    let candidates = lineup.sorted()
    runs.append((0..<3).map { _ in
        let noisy = candidates.map { ($0, truth[$0] + gumbel(&rng)) }
        return PLObservation.ranking(noisy.sorted { $0.1 > $1.1 }.map(\.0))
    })
}
var dataset: PLDataset!
let buildTime = milliseconds { dataset = try! PLDataset(itemCount: agents, runs: runs) }
print(String(format: "dataset: %d runs, %d rankings, built in %.1f ms", dataset.runCount, dataset.observationCount, buildTime))

var mmFit: PLFit!
let mmTime = milliseconds { mmFit = PlackettLuce.fit(dataset, options: PLOptions(alpha: 0.01)) }
print(String(format: "full fit, plain MM (choix iteration): %.1f ms, %d iterations, converged %@", mmTime, mmFit.iterations, String(mmFit.converged)))
var fastFit: PLFit!
let fastTime = milliseconds { fastFit = PlackettLuce.fit(dataset, options: PLOptions(alpha: 0.01, solver: .accelerated)) }
let maxDiff = zip(mmFit.params, fastFit.params).map { abs($0 - $1) }.max()!
print(String(format: "full fit, accelerated: %.1f ms, %d passes, converged %@, max |Δθ| vs MM %.2e", fastTime, fastFit.iterations, String(fastFit.converged), maxDiff))
let centredTruth = truth.map { $0 - truth.reduce(0, +) / Double(agents) }
let recoveryError = zip(centredTruth, fastFit.params).map { abs($0 - $1) }.max()!
print(String(format: "max |θ_fit − θ_true| = %.3f", recoveryError))

let costs: [Double?] = (0..<agents).map { agent -> Double? in
    if agent % 10 == 9 { return nil }  // some agents unpriced
    return 0.05 + Double((agent * 37) % 50) / 50
}
for parallel in [false, true] {
    var result: BootstrapResult!
    let cpuStart = cpuMilliseconds()
    let time = milliseconds {
        result = Bootstrap.plackettLuce(dataset, costs: costs, options: BootstrapOptions(replicates: replicates, replicateTolerance: replicateTolerance, parallel: parallel))
    }
    let widths = result.items.compactMap { item in item.ratingHigh.flatMap { high in item.ratingLow.map { high - $0 } } }
    let cpu = cpuMilliseconds() - cpuStart
    print(String(format: "fit + bootstrap B=%d (%@): %.0f ms wall, %.0f ms CPU; unconverged replicates %d; median 90%% rating-interval width %.1f points",
                 replicates, parallel ? "parallel, \(ProcessInfo.processInfo.activeProcessorCount) cores" : "serial",
                 time, cpu, result.unconvergedReplicates, median(widths)))
}
