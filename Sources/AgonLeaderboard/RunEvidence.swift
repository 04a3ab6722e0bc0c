import AgonCore

/// What a run's checks show about its candidates, as rating observations (issue 11).
///
/// Candidates fall into severity tiers, best first; candidates in one tier are tied (no evidence
/// orders them, so none is invented):
/// 0. passed the gate (ran to the end, left a diff, acceptance not failed) and holdout not failed;
/// 1. passed the gate but failed the holdout;
/// 2. ran to the end and left a diff, but failed acceptance;
/// 3. everything else: no diff, killed for cost, timed out, agent/API error, crashed.
///
/// Ties are modelled as unordered sets: each member of a tier is chosen (one PL choice, weight 1)
/// over every candidate in the tiers below it. When every tier has one member this is exactly the
/// Plackett-Luce likelihood of the ranking, and a bottom tier is PL's unordered bottom set; a tied
/// tier above others contributes its members' choices independently (a composite likelihood),
/// which treats tied candidates symmetrically, so identical records get identical ratings.
public enum RunEvidence {
    /// The severity tier of a candidate (see the type's doc).
    public static func tier(_ candidate: LeaderboardCandidate) -> Int {
        if candidate.passedGate {
            return CandidateRules.checkPassed(candidate.checks.holdout, ran: candidate.checksRun.contains(.holdout)) ? 0 : 1
        }
        if candidate.outcome == .ok && candidate.diffFiles > 0 && candidate.checks.acceptance == .failed { return 2 }
        return 3
    }

    /// The run's check evidence in agent-key space: `keyOf[c]` is candidate c's key (−1: not counted).
    /// A key seen twice in a run (rows grouped by model or harness) keeps its best tier.
    static func checkTiers(candidates: [LeaderboardCandidate], keyOf: [Int]) -> [RatingChoice] {
        var best: [Int: Int] = [:]
        for c in candidates.indices where keyOf[c] >= 0 {
            let t = tier(candidates[c])
            best[keyOf[c]] = min(best[keyOf[c]] ?? t, t)
        }
        let tiers = Dictionary(grouping: best.keys.sorted(), by: { best[$0]! }).sorted { $0.key < $1.key }.map(\.value)
        guard tiers.count >= 2 else { return [] }
        var choices: [RatingChoice] = []
        for (i, tier) in tiers.enumerated().dropLast() {
            let below = tiers[(i + 1)...].flatMap { $0 }
            for key in tier { choices.append(RatingChoice(items: [key] + below, stages: 1, weight: 1)) }
        }
        return choices
    }
}
