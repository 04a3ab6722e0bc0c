import AgonCore
import Foundation

extension LeaderboardRecords {
    /// One follow-up attempt of a hand-made candidate: its own cost and acceptance.
    public struct FollowUpStep {
        public var cost: Double?
        public var acceptance: CheckStatus
        public init(cost: Double?, acceptance: CheckStatus) {
            self.cost = cost
            self.acceptance = acceptance
        }
    }

    /// `first` followed up once per step, as `agon followup` records it (`recordFollowUp`).
    public static func followedUp(_ first: CandidateRecord, _ steps: [FollowUpStep]) -> CandidateRecord {
        var candidate = first
        for (i, step) in steps.enumerated() {
            var latest = LeaderboardRecords.candidate(first.agent, harness: first.harness, model: first.model, cost: step.cost,
                                                      acceptance: step.acceptance, turns: 1, durationMs: 30_000)
            latest.snapshotSHA = String(repeating: "\(i + 2)", count: 40)
            let attempt = AttemptRecord(number: i + 2, kind: .resumed, message: "follow-up \(i + 1)", candidate: latest)
            candidate.recordFollowUp(attempt, latest: latest)
        }
        return candidate
    }
}
