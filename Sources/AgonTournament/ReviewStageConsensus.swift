import AgonConsensus
import AgonCore
import Foundation

/// Turns a run's candidates and usable reviews into its `ConsensusRecord`. Pure.
///
/// Items are ALL candidates (by record order); gated ones (anything `CandidateRecord.passedGate` refuses)
/// rank below every passing one. Only reviews with status `ok` vote, each with its verifier's
/// `weight`. When fewer than two candidates passed there is nothing to compare: no verifier is
/// called and the method says why (`unreviewed: …`).
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

        guard passingCount >= 2 else {
            let ranking = candidates.indices.filter { !gated.contains($0) }.map { ids[$0] } + gatedIDs
            return ConsensusRecord(ranking: ranking, method: passingCount == 1 ? onePassing : nonePassing,
                                   bordaRanking: ranking, gated: gatedIDs)
        }
        let voting = reviews.filter { $0.status == .ok }
        let rankings = voting.map { review in
            WeightedRanking(review.ranking.compactMap { index[$0] }.filter { !gated.contains($0) }, weight: weight(review.verifier))
        }
        let result = try Consensus.merge(itemCount: ids.count, gated: gated, rankings: rankings)
        var taus: [String: Double?] = [:]
        for (review, tau) in zip(voting, result.perVerifierTau) { taus[review.verifier] = tau }
        let usable = rankings.contains { $0.order.count >= 2 && $0.weight > 0 }
        return ConsensusRecord(ranking: result.ranking.map { ids[$0] },
                               method: usable ? result.method.rawValue : noVerdicts,
                               kendallW: result.kendallW, split: result.split, splitReasons: result.splitReasons,
                               bordaRanking: result.bordaRanking.map { ids[$0] }, perVerifierTau: taus, gated: gatedIDs)
    }
}
