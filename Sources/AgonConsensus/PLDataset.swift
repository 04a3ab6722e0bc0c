/// One Plackett-Luce observation: `items[t]` was chosen from `items[t...]` for each stage t < `stages`.
/// A full or partial ranking of k items has k−1 stages; a pairwise win or a top-1 choice has one.
public struct PLObservation: Sendable, Equatable {
    public let items: [Int]
    public let stages: Int
    public let weight: Double

    /// `items` best first, of which the first `stages` were each chosen over all items after them.
    public init(items: [Int], stages: Int, weight: Double = 1) {
        self.items = items
        self.stages = stages
        self.weight = weight
    }

    /// A ranking, best first (choix `rankings` data).
    public static func ranking(_ order: [Int], weight: Double = 1) -> PLObservation {
        PLObservation(items: order, stages: max(0, order.count - 1), weight: weight)
    }

    /// `winner` beat `loser` (choix `pairwise` data).
    public static func pairwise(winner: Int, loser: Int, weight: Double = 1) -> PLObservation {
        PLObservation(items: [winner, loser], stages: 1, weight: weight)
    }

    /// `winner` was chosen over all of `losers` (choix `top1` data).
    public static func top1(winner: Int, losers: [Int], weight: Double = 1) -> PLObservation {
        PLObservation(items: [winner] + losers, stages: losers.isEmpty ? 0 : 1, weight: weight)
    }
}

/// Observations in flat arrays, grouped into runs (the unit the bootstrap resamples).
public struct PLDataset: Sendable {
    public let itemCount: Int
    /// Concatenated observation items.
    let items: [Int32]
    /// Observation o covers items[obsStart[o] ..< obsStart[o+1]].
    let obsStart: [Int]
    let stages: [Int32]
    let weights: [Double]
    /// Run r covers observations runStart[r] ..< runStart[r+1].
    let runStart: [Int]
    /// Weighted number of stages won per item (does not depend on the parameters).
    let wins: [Double]

    public var runCount: Int { runStart.count - 1 }
    public var observationCount: Int { stages.count }

    /// Each observation forms its own run.
    public init(itemCount: Int, observations: [PLObservation]) throws {
        try self.init(itemCount: itemCount, runs: observations.map { [$0] })
    }

    /// Groups of observations; each group is one run (e.g. the verifier rankings of one tournament run).
    public init(itemCount: Int, runs: [[PLObservation]]) throws {
        guard itemCount >= 0 else { throw ConsensusInputError("item count \(itemCount) must be >= 0") }
        var items: [Int32] = [], obsStart = [0], stages: [Int32] = [], weights: [Double] = [], runStart = [0]
        var wins = [Double](repeating: 0, count: itemCount)
        for (r, run) in runs.enumerated() {
            for (o, observation) in run.enumerated() {
                let label = "run \(r) observation \(o)"
                guard observation.weight.isFinite, observation.weight >= 0 else {
                    throw ConsensusInputError("\(label): weight \(observation.weight) must be a finite number >= 0")
                }
                var seen = Set<Int>()
                for item in observation.items {
                    guard item >= 0, item < itemCount else {
                        throw ConsensusInputError("\(label): item \(item) is outside 0..<\(itemCount)")
                    }
                    guard seen.insert(item).inserted else { throw ConsensusInputError("\(label): item \(item) appears twice") }
                }
                guard observation.stages >= 0, observation.stages < max(1, observation.items.count) else {
                    throw ConsensusInputError("\(label): \(observation.stages) stages for \(observation.items.count) items")
                }
                items.append(contentsOf: observation.items.map { Int32($0) })
                obsStart.append(items.count)
                stages.append(Int32(observation.stages))
                weights.append(observation.weight)
                for t in 0..<observation.stages { wins[observation.items[t]] += observation.weight }
            }
            runStart.append(stages.count)
        }
        self.itemCount = itemCount
        self.items = items
        self.obsStart = obsStart
        self.stages = stages
        self.weights = weights
        self.runStart = runStart
        self.wins = wins
    }
}
