/// The merged verdict of a verifier panel on one run.
public struct ConsensusResult: Sendable, Equatable, Codable {
    /// Item indices best first; every passing item precedes every gated one.
    public let ranking: [Int]
    /// How the order within each group was found (`borda+local-kemeny` if any group was too big
    /// for the exact solver).
    public let method: KemenyMethod
    /// Kemeny cost of `ranking` against the rankings as given (total contradicted pair weight).
    public let kemenyScore: Double
    /// The Borda alternative, with the same gating rule.
    public let bordaRanking: [Int]
    /// Borda scores per item from the rankings as given (see `Borda`).
    public let bordaScores: [Double]
    /// Kendall's W over the items every verifier ranked; nil with fewer than two verifiers.
    public let kendallW: Double?
    /// Per ranking (input order): tau-b against the consensus of the OTHER verifiers; nil when no
    /// other verifier ranks two of the same items, or the ranking had zero weight.
    public let perVerifierTau: [Double?]
    /// Weighted share of verifiers (among those ranking the winner) that put the winner first
    /// within its group; nil without verifiers.
    public let topShare: Double?
    /// Weight preferring the winner over the runner-up minus the reverse; nil with < 2 items.
    public let topMargin: Double?
    /// True when the panel disagrees enough that a human should look (see `Consensus` thresholds).
    public let split: Bool
    /// One human-readable line per split trigger.
    public let splitReasons: [String]
    /// Caveats that are not splits (e.g. "single verifier").
    public let notes: [String]
}

/// Merges weighted verifier rankings into one consensus ranking with gating and a split flag.
///
/// Gating: gated items (no diff, killed, acceptance failed…) always rank below passing ones.
/// Within each group, items some verifier ranked are ordered by Kemeny over the rankings restricted
/// to that group; items no verifier ranked follow, by index.
///
/// Split: with at least two verifiers the panel is split when ANY of
/// - Kendall's W < `splitAgreementThreshold`;
/// - the weighted share of verifiers putting the consensus winner first (among the winner's group,
///   counting only verifiers that ranked the winner) < `contestedTopShareThreshold`;
/// - the head-to-head margin of the winner over the runner-up is ≤ `minimumTopMargin`
///   (equivalently: swapping the top two does not increase the Kemeny cost).
public enum Consensus {
    /// Kendall's W below this flags a split panel.
    public static let splitAgreementThreshold = 0.5
    /// A winner placed first by less than this weighted share of verifiers is contested.
    public static let contestedTopShareThreshold = 0.5
    /// A winner whose head-to-head margin over the runner-up is at most this is contested.
    public static let minimumTopMargin = 0.0

    public static func merge(itemCount n: Int, gated: Set<Int>, rankings: [WeightedRanking]) throws -> ConsensusResult {
        guard n >= 0 else { throw ConsensusInputError("item count \(n) must be >= 0") }
        for (index, ranking) in rankings.enumerated() {
            try ranking.validate(itemCount: n, label: "ranking \(index)")
        }
        for item in gated where item < 0 || item >= n {
            throw ConsensusInputError("gated item \(item) is outside 0..<\(n)")
        }
        let active = rankings.filter { $0.weight > 0 && !$0.order.isEmpty }
        let preferences = PairwisePreferences(itemCount: n, rankings: active)
        let passing = (0..<n).filter { !gated.contains($0) }
        let gatedItems = gated.sorted()

        let passingOrder = order(group: passing, rankings: active, preferences: preferences)
        let gatedOrder = order(group: gatedItems, rankings: active, preferences: preferences)
        let ranking = passingOrder.ranking + gatedOrder.ranking
        let method: KemenyMethod = (passingOrder.method == .bordaLocal || gatedOrder.method == .bordaLocal) ? .bordaLocal : .exact

        let borda = Borda.compute(itemCount: n, rankings: active)
        let bordaRanking = Borda.order(passing, scores: borda.scores, coverage: borda.coverage)
            + Borda.order(gatedItems, scores: borda.scores, coverage: borda.coverage)

        let kendallW = Agreement.kendallW(orders: active.map(\.order))
        let taus = rankings.indices.map { leaveOneOutTau(index: $0, rankings: rankings, itemCount: n) }

        var notes: [String] = []
        var reasons: [String] = []
        var topShare: Double?
        var topMargin: Double?
        let topGroup = passing.isEmpty ? Set(gatedItems) : Set(passing)
        if let winner = ranking.first {
            var placedFirst = 0.0, ranked = 0.0
            for r in active {
                let inGroup = r.order.filter { topGroup.contains($0) }
                guard inGroup.contains(winner) else { continue }
                ranked += r.weight
                if inGroup.first == winner { placedFirst += r.weight }
            }
            if ranked > 0 { topShare = placedFirst / ranked }
            if ranking.count >= 2, topGroup.contains(ranking[1]) {
                topMargin = preferences.weight(winner, above: ranking[1]) - preferences.weight(ranking[1], above: winner)
            }
        }
        switch active.count {
        case 0:
            notes.append("no verifier rankings: items ordered by index within each group")
        case 1:
            notes.append("single verifier: no agreement measured, split not assessed")
        default:
            if let w = kendallW, w < splitAgreementThreshold {
                reasons.append("low agreement: Kendall's W \(format(w)) < \(format(splitAgreementThreshold))")
            }
            if let share = topShare, share < contestedTopShareThreshold {
                reasons.append("contested winner: only \(format(share * 100, digits: 0))% of verifier weight ranks it first (< \(format(contestedTopShareThreshold * 100, digits: 0))%)")
            }
            if let margin = topMargin, margin <= minimumTopMargin + 1e-12 {
                reasons.append("top two tied head-to-head: winner's margin over runner-up is \(format(margin))")
            }
        }
        return ConsensusResult(
            ranking: ranking, method: method, kemenyScore: preferences.disagreement(of: ranking),
            bordaRanking: bordaRanking, bordaScores: borda.scores, kendallW: active.count >= 2 ? kendallW : nil,
            perVerifierTau: taus, topShare: topShare, topMargin: topMargin,
            split: !reasons.isEmpty, splitReasons: reasons, notes: notes)
    }

    /// Ranked items of `group` by Kemeny, then unranked ones by index.
    static func order(group: [Int], rankings: [WeightedRanking], preferences: PairwisePreferences) -> KemenyResult {
        let groupSet = Set(group)
        var rankedSet = Set<Int>()
        for r in rankings {
            for item in r.order where groupSet.contains(item) { rankedSet.insert(item) }
        }
        let ranked = group.filter { rankedSet.contains($0) }
        let unranked = group.filter { !rankedSet.contains($0) }
        let kemeny = Kemeny.aggregate(items: ranked, preferences: preferences, rankings: rankings.map { $0.restricted(to: groupSet) })
        return KemenyResult(ranking: kemeny.ranking + unranked, score: kemeny.score, method: kemeny.method)
    }

    /// Tau-b of ranking `index` against the Kemeny consensus of the other rankings, over the
    /// items it shares with them.
    static func leaveOneOutTau(index: Int, rankings: [WeightedRanking], itemCount n: Int) -> Double? {
        let own = rankings[index]
        guard own.weight > 0 else { return nil }
        let others = rankings.enumerated().filter { $0.offset != index && $0.element.weight > 0 }.map(\.element)
        guard !others.isEmpty else { return nil }
        let rankedByOthers = Set(others.flatMap(\.order))
        let shared = own.order.filter { rankedByOthers.contains($0) }
        guard shared.count >= 2 else { return nil }
        let consensus = Kemeny.aggregate(items: shared, rankings: others, itemCount: n)
        return Agreement.kendallTauB(order: own.order, order: consensus.ranking)
    }

    static func format(_ value: Double, digits: Int = 2) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if digits == 0 { return String(Int(rounded)) }
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }
}
