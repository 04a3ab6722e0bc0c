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
            let rank = Agreement.positions(review.ranking)
            let shared = review.displayOrder.enumerated().filter { rank[$0.element] != nil }
            guard shared.count >= 2 else { continue }
            let shown = shared.map { Double($0.offset) }
            let ranked = shared.map { Double(rank[$0.element]!) }
            if let rho = Agreement.spearmanRho(shown, ranked) {
                total += rho
                count += 1
            }
        }
        return PositionBias(meanRho: count > 0 ? total / Double(count) : nil, reviews: count)
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
