import Foundation

/// Whether the data bound an item's strength on both sides (Hunter's existence condition, per item).
public enum Separation: String, Sendable, Equatable, Codable {
    /// Compared both ways with the main group (the largest set of items that all beat each other
    /// through chains of wins): a finite estimate exists.
    case none
    /// Never lost to the main group (it beat it, directly or through others, and nothing there beat
    /// it): only a lower bound on its rating is supported by the data.
    case neverLoses = "never_loses"
    /// Never beat anything in the main group: only an upper bound.
    case neverWins = "never_wins"
    /// Not compared with the main group in either direction: its rating is set by the prior alone.
    case unanchored
}

/// Separation of each item in a dataset, and likelihood bounds for separated items.
public enum SeparationAnalysis {
    /// Half the 90% quantile of χ²₁: a one-sided 95% likelihood bound (the open end of a 90% interval).
    public static let boundDrop = 2.705543454095404 / 2

    /// Each item's separation from the main group of the "beat" graph of `data` (weights > 0).
    /// Unobserved items are `.unanchored`.
    public static func classify(_ data: PLDataset) -> [Separation] {
        let n = data.itemCount
        guard n > 0 else { return [] }
        var reach = [Bool](repeating: false, count: n * n)
        var observed = [Bool](repeating: false, count: n)
        for o in 0..<data.observationCount where data.weights[o] > 0 {
            let lo = data.obsStart[o], hi = data.obsStart[o + 1]
            for t in 0..<Int(data.stages[o]) {
                let winner = Int(data.items[lo + t])
                for k in (lo + t + 1)..<hi {
                    let loser = Int(data.items[k])
                    reach[winner * n + loser] = true
                    observed[winner] = true
                    observed[loser] = true
                }
            }
        }
        // Transitive closure (Warshall): agent counts are small.
        for k in 0..<n {
            for i in 0..<n where reach[i * n + k] {
                for j in 0..<n where reach[k * n + j] { reach[i * n + j] = true }
            }
        }
        // Strongly connected components by mutual reachability; the largest (first on ties) is the main group.
        var component = [Int](repeating: -1, count: n)
        var sizes: [Int] = []
        for i in 0..<n where observed[i] && component[i] < 0 {
            let id = sizes.count
            var size = 0
            for j in 0..<n where observed[j] && component[j] < 0 && (j == i || (reach[i * n + j] && reach[j * n + i])) {
                component[j] = id
                size += 1
            }
            sizes.append(size)
        }
        guard let largest = sizes.max(), largest >= 2, let main = sizes.firstIndex(of: largest) else {
            // No two items beat each other both ways: nothing is anchored; items that never lost
            // (never won) are still bounded on one side.
            return (0..<n).map { i in
                guard observed[i] else { return .unanchored }
                let lost = (0..<n).contains { reach[$0 * n + i] }, won = (0..<n).contains { reach[i * n + $0] }
                if won && !lost { return .neverLoses }
                if lost && !won { return .neverWins }
                return .unanchored
            }
        }
        let anchor = component.firstIndex(of: main)!
        return (0..<n).map { i in
            guard observed[i] else { return .unanchored }
            if component[i] == main { return .none }
            let beatsMain = reach[i * n + anchor], beatenByMain = reach[anchor * n + i]
            if beatsMain && !beatenByMain { return .neverLoses }
            if beatenByMain && !beatsMain { return .neverWins }
            return .unanchored
        }
    }

    /// The one-sided likelihood bound on item `item`'s θ with every other item held at `params`:
    /// the θ at which the log-likelihood of the observations that involve it has dropped by
    /// `boundDrop` below its supremum (at +∞ for `.neverLoses`, −∞ for `.neverWins`).
    /// Depends on how often it won or lost, not on the prior.
    public static func bound(_ data: PLDataset, params: [Double], item: Int, separation: Separation) -> Double? {
        let direction: Double
        switch separation {
        case .neverLoses: direction = 1
        case .neverWins: direction = -1
        case .none, .unanchored: return nil
        }
        var involved: [Int] = []
        for o in 0..<data.observationCount where data.weights[o] > 0 && data.stages[o] > 0 {
            if (data.obsStart[o]..<data.obsStart[o + 1]).contains(where: { Int(data.items[$0]) == item }) { involved.append(o) }
        }
        guard !involved.isEmpty else { return nil }
        func logLikelihood(_ value: Double) -> Double {
            var theta = params
            theta[item] = value
            var total = 0.0
            for o in involved {
                let lo = data.obsStart[o], hi = data.obsStart[o + 1]
                for t in 0..<Int(data.stages[o]) {
                    var maximum = -Double.infinity
                    for k in (lo + t)..<hi { maximum = max(maximum, theta[Int(data.items[k])]) }
                    var sum = 0.0
                    for k in (lo + t)..<hi { sum += exp(theta[Int(data.items[k])] - maximum) }
                    total += data.weights[o] * (theta[Int(data.items[lo + t])] - maximum - log(sum))
                }
            }
            return total
        }
        let spread = (params.map(abs).max() ?? 0) + 60
        let supremum = logLikelihood(direction * spread)
        let target = supremum - boundDrop
        // f is monotone in θ on the separated side: bisect between the far end and the far other end.
        var inside = direction * spread, outside = -direction * spread
        guard logLikelihood(outside) < target else { return outside }
        for _ in 0..<200 {
            let middle = (inside + outside) / 2
            if logLikelihood(middle) >= target { inside = middle } else { outside = middle }
            if abs(inside - outside) < 1e-9 { break }
        }
        return inside
    }
}
