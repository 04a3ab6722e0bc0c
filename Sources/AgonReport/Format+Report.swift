import AgonCore
import AgonLeaderboard
import Foundation

extension Format {
    /// Cost per success: `∞` when the agent never succeeded.
    public static func costPerSuccess(_ value: CostPerSuccess) -> String {
        switch value {
        case .usd(let v): return usd(v)
        case .noSuccess: return infinity
        case .unpriced: return "unpriced"
        }
    }

    /// `✓` passed, `✗` failed, `–` skipped.
    public static func check(_ status: CheckStatus) -> String {
        switch status {
        case .passed: return "✓"
        case .failed: return "✗"
        case .skipped: return "–"
        }
    }

    /// Acceptance, holdout and scope as three symbols, e.g. `✓✗–`.
    public static func checks(_ checks: CheckSummary) -> String {
        check(checks.acceptance) + check(checks.holdout) + check(checks.scope)
    }

    /// `+120 −4`.
    public static func diffStat(_ diff: DiffSummary) -> String {
        "+\(diff.insertions) −\(diff.deletions)"
    }
}
