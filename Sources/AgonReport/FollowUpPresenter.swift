import AgonCore
import AgonTournament
import Foundation

/// `agon followup`: per candidate, the attempt just made, the candidate's totals after it, and
/// whether the run's review is now stale.
public enum FollowUpPresenter {
    /// Text, and the result as JSON.
    public static func output(_ result: FollowUp.Result) -> CommandOutput {
        var text = ""
        for made in result.attempts {
            let a = made.attempt
            let c = made.candidate
            let how = a.kind == .resumed ? "resumed session \(a.sessionID.map { String($0.prefix(12)) } ?? Format.none)" : "fresh invocation"
            text += "\(made.agent): attempt \(a.number) (\(how)) \(a.outcome?.rawValue ?? Format.none)"
                + " — \(Format.usd(a.costUSD, source: a.costSource))"
                + (a.budgetUSD.map { " of \(Format.usd($0))" } ?? "")
                + ", \(Format.tokens(a.tokens.total)) tokens, \(Format.duration(ms: a.durationMs))\n"
            text += "  checks: acceptance \(c.checks.acceptance.rawValue), holdout \(c.checks.holdout.rawValue), scope \(c.checks.scope.rawValue)"
                + "; diff \(c.diff.files)f +\(c.diff.insertions) -\(c.diff.deletions)\n"
            text += "  candidate after \(c.attemptHistory.count) attempts: \(Format.usd(c.costUSD, source: c.costSource)),"
                + " \(Format.tokens(c.tokens.total)) tokens, \(Format.duration(ms: c.durationMs))"
                + (c.succeeded ? "; succeeded" : c.passedGate ? "; passes the gate" : "; does not pass the gate") + "\n"
            if let note = made.note { text += "  note: \(note)\n" }
        }
        if result.reviewStale {
            text += "review of run \(result.runID) is stale: `agon review \(result.runID)` reviews the new patches\n"
        }
        return CommandOutput(text: text, value: VersionedDocument(result))
    }

    /// For `agon show` and the run summary: the attempts of candidates that had follow-ups, and
    /// a stale review (empty when neither applies).
    public static func attemptLines(_ record: RunRecord) -> String {
        var out = ""
        for c in record.candidates where c.attempts.count > 1 {
            let parts = c.attempts.map { a in
                "#\(a.number) \(a.kind.rawValue) \(a.outcome?.rawValue ?? Format.none) \(Format.usd(a.costUSD, source: a.costSource)) "
                    + Format.checks(a.checks)
            }
            out += "attempts: \(c.agent): " + parts.joined(separator: "; ")
                + (c.successAttempt.map { " — succeeded at attempt \($0)" } ?? "") + "\n"
        }
        if record.reviewStale {
            out += "review is stale: candidates changed after it (agon followup); `agon review \(record.runID)` reviews the new patches\n"
        }
        return out
    }

    /// The report's run page: the attempts and the stale-review warning (empty when neither applies).
    static func html(_ run: RunView) -> String {
        guard !run.attemptLines.isEmpty else { return "" }
        return "<ul class=\"attempts\">" + run.attemptLines.map { line in
            let warn = line.hasPrefix("review is stale") ? " class=\"badge warn review-stale\"" : ""
            return "<li\(warn)>\(HTMLEscape.escape(line))</li>"
        }.joined() + "</ul>"
    }
}
