// The one gate rule and the one success rule. Stated over the few facts that both a full
// `CandidateRecord` and the leaderboard's column projection carry, so the pipeline (who goes to
// review, the exit code), the shortlist and the leaderboard cannot disagree about a candidate.

/// When a candidate competes in review and when it counts as a success.
public enum CandidateRules {
    /// Passed the gate into review: ran to the end (`ok`), left a diff, acceptance did not fail, and
    /// no pre-review screen finding (a leak, or an injection under `on_injection: gate`) gates it.
    public static func passedGate(outcome: Outcome?, diffFiles: Int, acceptance: CheckStatus, gatedByFinding: Bool = false) -> Bool {
        outcome == .ok && diffFiles > 0 && acceptance != .failed && !gatedByFinding
    }

    /// Succeeded: ran to the end, left a diff, and acceptance and holdout each passed. A check that
    /// was skipped because the spec defines no command of that kind counts as passed; one that
    /// ran and was recorded as skipped does not.
    public static func succeeded(outcome: Outcome?, diffFiles: Int, checks: CheckSummary, ran: (CheckKind) -> Bool) -> Bool {
        guard outcome == .ok, diffFiles > 0 else { return false }
        return [CheckKind.acceptance, .holdout].allSatisfy { checkPassed(checks[$0], ran: ran($0)) }
    }

    /// A check passed: it ran and passed, or the spec defines no command of its kind (skipped
    /// without running). One that ran and was recorded as skipped did not pass.
    public static func checkPassed(_ status: CheckStatus, ran: Bool) -> Bool {
        switch status {
        case .passed: return true
        case .failed: return false
        case .skipped: return !ran
        }
    }
}

extension CandidateRecord {
    /// `CandidateRules.passedGate` for this candidate.
    public var passedGate: Bool {
        CandidateRules.passedGate(outcome: outcome, diffFiles: diff.files, acceptance: checks.acceptance,
                                  gatedByFinding: gatedByFinding)
    }

    /// `CandidateRules.succeeded` for this candidate.
    public var succeeded: Bool {
        CandidateRules.succeeded(outcome: outcome, diffFiles: diff.files, checks: checks) { kind in
            checkResults.contains { $0.kind == kind }
        }
    }
}
