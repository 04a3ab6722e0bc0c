import AgonCore
import AgonLeaderboard
import Foundation

/// The leaderboard and verifier tables of `agon leaderboard`, and the shared outcome and check cells.
public enum TerminalReport {
    /// Widest an agent or model name gets before it is cut with `…`.
    static let nameWidth = 24

    /// The cross-run leaderboard, best first; `*` marks provisional ratings.
    public static func leaderboard(_ view: LeaderboardView, color: Bool = false) -> String {
        var table = TextTable(columns: [
            .number("rank"), .init("agent", maxWidth: nameWidth), .init("model", maxWidth: nameWidth),
            .number("rating"), .number("90% CI"), .number("runs"), .number("success"), .number("win"),
            .number("cost/task"), .number("cost/success"), .number("tok/task"), .number("time→ok"),
            .number("killed"), .init("frontier"),
        ])
        for row in view.rows {
            let frontier = row.onFrontier ? "● \(Format.percent(row.frontierFrequency))"
                : "  \(Format.percent(row.frontierFrequency))"
            table.append([
                TextTable.Cell(Format.rankRange(row.rankLow, row.rankHigh)),
                TextTable.Cell(row.agent, style: .bold),
                TextTable.Cell("\(row.harness.rawValue)/\(row.model)", style: .dim),
                TextTable.Cell(Format.rating(row.rating) + (row.provisional ? "*" : "")),
                TextTable.Cell(Format.interval(row.ratingLow, row.ratingHigh)),
                TextTable.Cell("\(row.runs)"),
                TextTable.Cell(Format.percent(row.successRate)),
                TextTable.Cell(Format.percent(row.winRate)),
                TextTable.Cell(row.costPerTask.map { Format.usd($0) } ?? "unpriced"),
                TextTable.Cell(Format.costPerSuccess(row.costPerSuccess),
                               style: row.costPerSuccess == .noSuccess ? .red : .plain),
                TextTable.Cell(Format.tokens(row.tokensPerTask)),
                TextTable.Cell(Format.duration(seconds: row.medianTimeToSuccessS)),
                TextTable.Cell("\(row.costKilled)", style: row.costKilled > 0 ? .yellow : .plain),
                TextTable.Cell(frontier, style: row.onFrontier ? .green : .dim),
            ])
        }
        var out = table.render(color: color)
        if view.rows.contains(where: \.provisional) {
            out += TextStyle.dim.apply("* provisional: fewer than 5 runs", color: color) + "\n"
        }
        return out
    }

    /// How trustworthy each verifier has been.
    public static func verifiers(_ rows: [VerifierRowView], color: Bool = false) -> String {
        var table = TextTable(columns: [
            .init("verifier", maxWidth: nameWidth), .init("model", maxWidth: nameWidth), .number("reviews"),
            .number("valid"), .number("τ vs consensus"), .number("position bias"), .number("swap consistency"),
            .number("self-pref"),
            .number("cost"),
        ])
        for row in rows {
            table.append([
                TextTable.Cell(row.verifier, style: .bold),
                TextTable.Cell("\(row.harness.rawValue)/\(row.model)", style: .dim),
                TextTable.Cell("\(row.reviews)"),
                TextTable.Cell(Format.percent(row.validVerdictRate), style: row.validVerdictRate < 0.9 ? .yellow : .plain),
                TextTable.Cell(Format.number(row.agreementTau, decimals: 2)),
                TextTable.Cell(Format.number(row.positionBias, decimals: 2)),
                TextTable.Cell(Format.number(row.swapConsistency, decimals: 2)),
                TextTable.Cell(Format.number(row.selfPreference, decimals: 2)),
                TextTable.Cell(Format.usd(row.costUSD)),
            ])
        }
        return table.render(color: color)
    }

    // MARK: - Cells

    static func outcomeCell(_ outcome: Outcome) -> TextTable.Cell {
        TextTable.Cell(outcome.rawValue, style: outcomeStyle(outcome))
    }

    static func outcomeStyle(_ outcome: Outcome) -> TextStyle {
        switch outcome {
        case .ok: return .green
        case .noChanges, .interrupted: return .yellow
        default: return .red
        }
    }

    static func isOverBudget(_ c: CandidateView) -> Bool {
        guard let budget = c.budgetUSD, budget > 0, let cost = c.costUSD else { return c.outcome == .costKilled }
        return cost >= budget || c.outcome == .costKilled
    }

    static func checksCell(_ checks: CheckSummary) -> TextTable.Cell {
        let failed = [checks.acceptance, checks.holdout, checks.scope].contains(.failed)
        let symbols = [checks.acceptance, checks.holdout, checks.scope].map(Format.check).joined(separator: " ")
        return TextTable.Cell(symbols, style: failed ? .red : (checks.acceptance == .passed ? .green : .plain))
    }
}
