/// Borda scores and ranking over weighted, possibly partial rankings.
///
/// Normalisation (so a partial ranking is not over- or under-weighted): a ranking of k ≥ 2 items
/// gives the item at position p (0 = best) the score (k−1−p)/(k−1), i.e. 1 for its best and 0 for
/// its worst whatever k is. An item's Borda score is the weighted MEAN of the scores it received
/// from the rankings that rank it; a ranking that leaves an item out (e.g. a verifier barred from
/// its own model family) neither rewards nor punishes it. Rankings of fewer than two items carry no
/// order and are ignored.
public struct BordaResult: Sendable, Equatable {
    /// Weighted mean normalised score in [0, 1] per item; 0 for items no ranking covers.
    public let scores: [Double]
    /// Total weight of the rankings that ranked each item (0 = unranked).
    public let coverage: [Double]
    /// Items best first: by score (descending), ranked items before unranked ones, then by index.
    public let ranking: [Int]
}

/// Borda count over weighted partial rankings (see `BordaResult` for the normalisation).
public enum Borda {
    /// Scores are compared with this tolerance so float noise never decides a tie; exact ties
    /// fall back to the lower index.
    public static let tieTolerance = 1e-12

    public static func compute(itemCount n: Int, rankings: [WeightedRanking]) -> BordaResult {
        var total = [Double](repeating: 0, count: n)
        var coverage = [Double](repeating: 0, count: n)
        for ranking in rankings where ranking.weight > 0 && ranking.order.count >= 2 {
            let top = Double(ranking.order.count - 1)
            for (position, item) in ranking.order.enumerated() {
                total[item] += ranking.weight * (top - Double(position)) / top
                coverage[item] += ranking.weight
            }
        }
        let scores = (0..<n).map { coverage[$0] > 0 ? total[$0] / coverage[$0] : 0 }
        return BordaResult(scores: scores, coverage: coverage, ranking: order(Array(0..<n), scores: scores, coverage: coverage))
    }

    /// Orders `items` by score (descending), ranked before unranked, then by index.
    static func order(_ items: [Int], scores: [Double], coverage: [Double]) -> [Int] {
        items.sorted { a, b in
            if abs(scores[a] - scores[b]) > tieTolerance { return scores[a] > scores[b] }
            let ra = coverage[a] > 0, rb = coverage[b] > 0
            if ra != rb { return ra }
            return a < b
        }
    }
}
