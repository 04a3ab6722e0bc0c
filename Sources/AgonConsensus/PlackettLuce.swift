import Foundation

/// Settings of a Plackett-Luce / Bradley-Terry fit; defaults are choix 0.4.1's.
public struct PLOptions: Sendable, Equatable {
    /// choix's regularisation: each MM update is log((wins + alpha) / (denominators + alpha)).
    /// alpha > 0 is a MAP estimate that exists even when some item never loses (or never wins).
    public var alpha: Double
    public var maxIterations: Int
    /// Converged when the L1 norm of the change of the centred parameters is ≤ tolerance · n.
    public var tolerance: Double
    /// Starting parameters (log-strengths); zeros when nil.
    public var initialParams: [Double]?
    public var solver: PLSolver

    public init(alpha: Double = 0, maxIterations: Int = 10_000, tolerance: Double = 1e-8,
                initialParams: [Double]? = nil, solver: PLSolver = .mm) {
        self.alpha = alpha
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.initialParams = initialParams
        self.solver = solver
    }
}

/// How the MM fixed point is reached.
public enum PLSolver: Sendable, Equatable {
    /// Hunter's MM exactly as choix iterates it (same iterates, same stopping rule).
    case mm
    /// Newton steps on the same fixed-point equation θ = MM(θ) (Jacobian of the MM map, safeguarded
    /// by plain MM steps): the same estimate as `.mm` in far fewer passes over large data.
    case accelerated
}

/// A fitted Plackett-Luce model.
public struct PLFit: Sendable, Equatable {
    /// Log-strengths θ, centred to mean 0 (choix's `params`). Items without any observation
    /// (possible only with alpha = 0) get 0 and `observed[i] == false`.
    public let params: [Double]
    /// Passes over the data (MM map evaluations).
    public let iterations: Int
    /// True when the stopping rule was met and the estimate exists (see `separated`).
    public let converged: Bool
    /// With alpha = 0: the comparison graph of observed items is not strongly connected (some
    /// group of items never loses to the rest), so the maximum-likelihood estimate does not exist
    /// and θ drifts apart without bound. Always false with alpha > 0.
    public let separated: Bool
    /// Whether each item took part in at least one choice (always true with alpha > 0).
    public let observed: [Bool]

    /// Elo-like display ratings (`PlackettLuce.rating`).
    public var ratings: [Double] { params.map(PlackettLuce.rating) }
}

/// Plackett-Luce (rankings, top-1 choices) and Bradley-Terry (pairwise) fits by Hunter's MM
/// algorithm, numerically compatible with choix 0.4.1 (`mm_rankings`, `mm_pairwise`, `mm_top1`).
///
/// Weighted observations: weight ω multiplies the observation's contribution to both the win
/// counts and the MM denominators (ω = 2 is the same as the observation appearing twice).
public enum PlackettLuce {
    /// Display scale: rating = 1500 + θ · 400 / ln 10, so a 400-point gap means the stronger
    /// item wins a head-to-head choice with odds 10 : 1 (as in Elo).
    public static func rating(_ theta: Double) -> Double { 1500 + theta * 400 / log(10) }

    /// Ratios below this fraction of the largest ratio are clamped (items that never win under
    /// alpha = 0 would otherwise get θ = −∞); only ever reached by separated data.
    public static let separationFloor = 1e-12

    /// choix.mm_rankings: `rankings` best first.
    public static func mmRankings(itemCount n: Int, rankings: [[Int]], weights: [Double]? = nil,
                                  options: PLOptions = PLOptions()) throws -> PLFit {
        let observations = rankings.enumerated().map { PLObservation.ranking($0.element, weight: weights?[$0.offset] ?? 1) }
        return fit(try PLDataset(itemCount: n, observations: observations), options: options)
    }

    /// choix.mm_pairwise: each pair is (winner, loser).
    public static func mmPairwise(itemCount n: Int, comparisons: [(Int, Int)], weights: [Double]? = nil,
                                  options: PLOptions = PLOptions()) throws -> PLFit {
        let observations = comparisons.enumerated().map {
            PLObservation.pairwise(winner: $0.element.0, loser: $0.element.1, weight: weights?[$0.offset] ?? 1)
        }
        return fit(try PLDataset(itemCount: n, observations: observations), options: options)
    }

    /// choix.mm_top1: each choice is (winner, losers).
    public static func mmTop1(itemCount n: Int, choices: [(Int, [Int])], weights: [Double]? = nil,
                              options: PLOptions = PLOptions()) throws -> PLFit {
        let observations = choices.enumerated().map {
            PLObservation.top1(winner: $0.element.0, losers: $0.element.1, weight: weights?[$0.offset] ?? 1)
        }
        return fit(try PLDataset(itemCount: n, observations: observations), options: options)
    }

    /// Fits θ to any mix of observations.
    public static func fit(_ data: PLDataset, options: PLOptions = PLOptions()) -> PLFit {
        let map = MMMap(data: data, alpha: options.alpha)
        let separated = options.alpha <= 0 && !isStronglyConnected(data, observed: map.observed)
        var start = options.initialParams ?? [Double](repeating: 0, count: data.itemCount)
        precondition(start.count == data.itemCount, "initialParams has \(start.count) values for \(data.itemCount) items")
        let outcome: (params: [Double], iterations: Int, converged: Bool)
        switch options.solver {
        case .mm:
            outcome = map.iterateMM(from: start, maxIterations: options.maxIterations, tolerance: options.tolerance)
        case .accelerated:
            start = centred(start)
            let newton = map.iterateNewton(from: start, jacobian: nil, maxIterations: options.maxIterations, tolerance: options.tolerance)
            // A diverged Newton solve falls back to plain MM, which cannot diverge on valid data.
            outcome = newton.params.allSatisfy(\.isFinite) ? newton
                : map.iterateMM(from: start, maxIterations: options.maxIterations, tolerance: options.tolerance)
        }
        return PLFit(params: outcome.params, iterations: outcome.iterations, converged: outcome.converged && !separated,
                     separated: separated, observed: map.observed)
    }

    /// Log-likelihood of θ: Σ over observations of ω · Σ over stages of (θ_winner − log Σ_{j in choice set} e^θ_j)
    /// (choix.log_likelihood_rankings / _top1 / _pairwise for unit weights).
    public static func logLikelihood(_ data: PLDataset, params: [Double]) -> Double {
        precondition(params.count == data.itemCount, "params has \(params.count) values for \(data.itemCount) items")
        var total = 0.0
        for o in 0..<data.observationCount {
            let lo = data.obsStart[o], hi = data.obsStart[o + 1]
            for t in 0..<Int(data.stages[o]) {
                var maximum = -Double.infinity
                for k in (lo + t)..<hi { maximum = max(maximum, params[Int(data.items[k])]) }
                var sum = 0.0
                for k in (lo + t)..<hi { sum += exp(params[Int(data.items[k])] - maximum) }
                total += data.weights[o] * (params[Int(data.items[lo + t])] - maximum - log(sum))
            }
        }
        return total
    }

    static func centred(_ values: [Double]) -> [Double] {
        guard !values.isEmpty else { return values }
        let mean = values.reduce(0, +) / Double(values.count)
        return values.map { $0 - mean }
    }

    /// Hunter's existence condition: every observed item can reach every other through "beat" edges.
    static func isStronglyConnected(_ data: PLDataset, observed: [Bool]) -> Bool {
        let n = data.itemCount
        var forward = [[Int]](repeating: [], count: n), backward = [[Int]](repeating: [], count: n)
        var edge = Set<Int>()
        for o in 0..<data.observationCount where data.weights[o] > 0 {
            let lo = data.obsStart[o], hi = data.obsStart[o + 1], stages = Int(data.stages[o])
            guard stages > 0 else { continue }
            // Stage t's winner beats everything after it; chaining consecutive winners keeps
            // reachability without adding every pair.
            for t in 0..<stages {
                let winner = Int(data.items[lo + t])
                let losers: Range<Int> = t == stages - 1 ? (lo + t + 1)..<hi : (lo + t + 1)..<(lo + t + 2)
                for k in losers {
                    let loser = Int(data.items[k])
                    if edge.insert(winner * n + loser).inserted {
                        forward[winner].append(loser)
                        backward[loser].append(winner)
                    }
                }
            }
        }
        let nodes = (0..<n).filter { observed[$0] }
        guard let root = nodes.first else { return true }
        func reachCount(_ adjacency: [[Int]]) -> Int {
            var seen = [Bool](repeating: false, count: n)
            var stack = [root]
            seen[root] = true
            var count = 1
            while let v = stack.popLast() {
                for u in adjacency[v] where !seen[u] {
                    seen[u] = true
                    count += 1
                    stack.append(u)
                }
            }
            return count
        }
        return reachCount(forward) == nodes.count && reachCount(backward) == nodes.count
    }
}
