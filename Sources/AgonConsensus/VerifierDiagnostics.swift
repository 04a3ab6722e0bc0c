/// One review as a verifier saw and answered it: the items in the order they were shown
/// (Candidate A first) and the verifier's ranking, best first.
public struct ShownReview: Sendable, Equatable {
    public let displayOrder: [Int]
    public let ranking: [Int]
    public init(displayOrder: [Int], ranking: [Int]) {
        self.displayOrder = displayOrder
        self.ranking = ranking
    }
}

/// Position bias of one verifier across its reviews.
public struct PositionBias: Sendable, Equatable {
    /// Mean Spearman rho between display position and assigned rank (both 0 = first/best) over the
    /// reviews where it is defined. Near 0: no bias; positive: favours what it sees first;
    /// negative: favours what it sees last. Nil when no review had two shared items.
    public let meanRho: Double?
    /// Reviews that contributed.
    public let reviews: Int
}

/// Per-verifier diagnostics: position bias and agreement with the consensus.
public enum VerifierDiagnostics {
    public static func positionBias(_ reviews: [ShownReview]) -> PositionBias {
        var total = 0.0, count = 0
        for review in reviews {
            if let rho = positionRho(shown: review.displayOrder, ranking: review.ranking) {
                total += rho
                count += 1
            }
        }
        return PositionBias(meanRho: count > 0 ? total / Double(count) : nil, reviews: count)
    }

    /// Spearman's rho between display position and assigned rank (both 0 = first/best) over the
    /// shown items the ranking contains; nil with fewer than two. Both are tie-free orders, so
    /// rho = 1 − 6Σd² / (m(m² − 1)), counted without dictionaries or sorts (the leaderboard
    /// evaluates it for every review; checked against the general `Agreement.spearmanRho`).
    public static func positionRho(shown: [Int], ranking: [Int]) -> Double? {
        var m = 0
        var sumSquares = 0
        for item in shown {
            guard let rank = ranking.firstIndex(of: item) else { continue }
            // Rank among the shown items that were ranked: how many of them were ranked above it.
            var y = 0
            for other in shown where other != item {
                if let r = ranking.firstIndex(of: other), r < rank { y += 1 }
            }
            let d = m - y
            sumSquares += d * d
            m += 1
        }
        guard m >= 2 else { return nil }
        return 1 - 6 * Double(sumSquares) / Double(m * (m * m - 1))
    }

    /// Kendall tau-b between a verifier's ranking and the consensus, over the items both rank.
    public static func agreement(ranking: [Int], consensus: [Int]) -> Double? {
        Agreement.kendallTauB(order: ranking, order: consensus)
    }

    /// Mean tau-b of a verifier with the consensus over many runs (runs where it is undefined are skipped).
    public static func meanAgreement(_ pairs: [(ranking: [Int], consensus: [Int])]) -> Double? {
        let taus = pairs.compactMap { agreement(ranking: $0.ranking, consensus: $0.consensus) }
        return taus.isEmpty ? nil : taus.reduce(0, +) / Double(taus.count)
    }
}
