import AgonCore
import AgonTournament
import Foundation

/// `agon try`: one agent's metrics on one spec.
public enum TrialPresenter {
    /// Text, and the trial as JSON.
    public static func output(_ trial: AgentTrial.Result) -> CommandOutput {
        CommandOutput(text: text(trial), value: VersionedDocument(trial))
    }

    /// Outcome, cost, tokens, turns, times, diff, checks and where the artifacts are.
    public static func text(_ trial: AgentTrial.Result) -> String {
        let c = trial.candidate
        var text = "agent \(c.agent) (\(c.harness.rawValue)\(c.model.map { " \($0)" } ?? "")) on \(trial.spec)\n"
        text += "  outcome       \(c.outcome?.rawValue ?? "unknown")\(c.exitStatus.map { " (\($0))" } ?? "")\n"
        text += "  cost          \(Format.costAgainstBudget(c.costUSD, source: c.costSource, budget: c.budgetUSD)) (\(c.costSource.rawValue))"
        text += c.costKilledAt.map { ", killed at \(Format.usd($0))\n" } ?? "\n"
        let t = c.tokens
        text += "  tokens        in \(Format.tokens(t.input)), cached \(Format.tokens(t.cachedInput)), cache write \(Format.tokens(t.cacheWrite)), out \(Format.tokens(t.output)), reasoning \(Format.tokens(t.reasoning))\n"
        text += "  turns         \(c.turns)\n"
        text += "  first attempt \(Format.duration(ms: c.firstAttemptMs))   duration \(Format.duration(ms: c.durationMs))"
        text += "   \(c.tokensPerSec.map { Format.number($0, decimals: 1) + " tok/s" } ?? "")\n"
        text += "  diff          \(c.diff.files) files, +\(c.diff.insertions) -\(c.diff.deletions)\n"
        text += "  checks        acceptance \(c.checks.acceptance.rawValue), holdout \(c.checks.holdout.rawValue), scope \(c.checks.scope.rawValue)\n"
        if let message = c.apiErrorMessage { text += "  error         \(TerminalText.sanitize(message))\n" }
        if c.malformedLines > 0 { text += "  note          \(c.malformedLines) malformed output lines skipped\n" }
        text += "  artifacts     \(trial.artifacts)/\n"
        if let worktree = trial.worktree { text += "  worktree      \(worktree.path) (branch \(worktree.branch); `agon clean \(trial.trialID)` removes it)\n" }
        return text
    }
}
