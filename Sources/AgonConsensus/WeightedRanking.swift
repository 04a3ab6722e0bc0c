/// One verifier's ranking of item indices, best first, possibly covering only some items, with the
/// weight its opinion carries in the consensus.
public struct WeightedRanking: Hashable, Sendable {
    /// Item indices, best first. Items the verifier did not rank are simply absent.
    public var order: [Int]
    /// Non-negative weight (1 for an ordinary verifier).
    public var weight: Double

    public init(_ order: [Int], weight: Double = 1) {
        self.order = order
        self.weight = weight
    }

    /// The same ranking keeping only the items in `items` (relative order preserved).
    public func restricted(to items: Set<Int>) -> WeightedRanking {
        WeightedRanking(order.filter { items.contains($0) }, weight: weight)
    }
}

/// Why a consensus input was rejected; the message names the offending ranking and item.
public struct ConsensusInputError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension WeightedRanking {
    /// Checks indices are in 0..<itemCount, distinct, and the weight is finite and non-negative.
    /// `label` names the ranking in the error (e.g. "ranking 2").
    public func validate(itemCount: Int, label: String) throws {
        guard weight.isFinite, weight >= 0 else {
            throw ConsensusInputError("\(label): weight \(weight) must be a finite number >= 0")
        }
        var seen = Set<Int>()
        for item in order {
            guard item >= 0, item < itemCount else {
                throw ConsensusInputError("\(label): item \(item) is outside 0..<\(itemCount)")
            }
            guard seen.insert(item).inserted else {
                throw ConsensusInputError("\(label): item \(item) appears twice")
            }
        }
    }
}

/// Pairwise preference weights: `above[i][j]` is the total weight of rankings placing i above j.
/// Pairs are counted only from rankings that rank both items, so partial rankings say nothing
/// about items they leave out.
public struct PairwisePreferences: Sendable, Equatable {
    public let itemCount: Int
    /// Row-major n×n matrix.
    public private(set) var above: [Double]

    public init(itemCount n: Int, rankings: [WeightedRanking]) {
        itemCount = n
        above = [Double](repeating: 0, count: n * n)
        for ranking in rankings where ranking.weight > 0 {
            let order = ranking.order
            for a in 0..<order.count {
                let row = order[a] * n
                for b in (a + 1)..<max(a + 1, order.count) {
                    above[row + order[b]] += ranking.weight
                }
            }
        }
    }

    @inline(__always)
    public func weight(_ i: Int, above j: Int) -> Double { above[i * itemCount + j] }

    /// Kemeny cost of an order: total weight of pairwise preferences it contradicts.
    public func disagreement(of order: [Int]) -> Double {
        var cost = 0.0
        for a in 0..<order.count {
            for b in (a + 1)..<max(a + 1, order.count) {
                cost += weight(order[b], above: order[a])
            }
        }
        return cost
    }
}
