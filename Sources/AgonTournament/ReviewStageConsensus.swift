import AgonConsensus
import AgonCore
import AgonLeaderboard
import AgonStore
import Foundation

/// Turns a run's candidates and usable reviews into its `ConsensusRecord`. Pure.
///
/// Items are ALL candidates (by record order); gated ones (anything `CandidateRecord.passedGate` refuses)
/// rank below every passing one. Only reviews with status `ok` vote, each with its verifier's
/// `weight`. When fewer than two candidates passed there is nothing to compare: no verifier is
/// called and the method says why (`unreviewed: …`). `tiers` groups what no evidence orders.
enum ReviewConsensus {
    static let onePassing = ConsensusRecord.onePassingMethod
    static let nonePassing = ConsensusRecord.nonePassingMethod
    static let noVerdicts = ConsensusRecord.noVerdictsMethod

    static func make(candidates: [CandidateRecord], reviews: [ReviewRecord],
                     weight: (String) -> Double) throws -> ConsensusRecord {
        let ids = candidates.map(\.agent)
        let index = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let gated = Set(candidates.indices.filter { !candidates[$0].passedGate })
        let passingCount = candidates.count - gated.count
        let gatedIDs = candidates.indices.filter(gated.contains).map { ids[$0] }

        // Gated candidates grouped by what the checks show (RunEvidence's severity), best first.
        let gatedTiers = Dictionary(grouping: candidates.indices.filter(gated.contains)) { RunEvidence.tier(LeaderboardCandidate(candidates[$0])) }
            .sorted { $0.key < $1.key }.map { $0.value.map { ids[$0] } }
        let passingIDs = candidates.indices.filter { !gated.contains($0) }.map { ids[$0] }
        guard passingCount >= 2 else {
            let gatedOrder = gatedTiers.flatMap { $0 }
            let ranking = passingIDs + gatedOrder
            return ConsensusRecord(ranking: ranking, method: passingCount == 1 ? onePassing : nonePassing,
                                   bordaRanking: ranking, gated: gatedOrder, tiers: (passingIDs.isEmpty ? [] : [passingIDs]) + gatedTiers)
        }
        let voting = reviews.filter { $0.status == .ok }
        let rankings = voting.map { review in
            WeightedRanking(review.ranking.compactMap { index[$0] }.filter { !gated.contains($0) }, weight: weight(review.verifier))
        }
        let result = try Consensus.merge(itemCount: ids.count, gated: gated, rankings: rankings)
        var taus: [String: Double?] = [:]
        for (review, tau) in zip(voting, result.perVerifierTau) { taus[review.verifier] = tau }
        let usable = rankings.contains { $0.order.count >= 2 && $0.weight > 0 }
        // Verdicts order the passing candidates one by one; without any they are tied. The gated
        // tail follows the severity tiers (ties within a tier, not the merge's index order).
        let passingOrder = result.ranking.filter { !gated.contains($0) }.map { ids[$0] }
        let gatedOrder = gatedTiers.flatMap { $0 }
        let passingTiers = usable ? passingOrder.map { [$0] } : [passingOrder]
        return ConsensusRecord(ranking: passingOrder + gatedOrder,
                               method: usable ? result.method.rawValue : noVerdicts,
                               kendallW: result.kendallW, split: result.split, splitReasons: result.splitReasons,
                               bordaRanking: result.bordaRanking.map { ids[$0] }, perVerifierTau: taus, gated: gatedOrder,
                               tiers: passingTiers + gatedTiers)
    }
}
