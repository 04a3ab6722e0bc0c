import AgonCore
import Foundation

/// The terminal tables of the CLI: run summary, shortlist, leaderboard, verifiers, models.
public enum TerminalReport {
    /// Widest an agent or model name gets before it is cut with `…`.
    static let nameWidth = 24

    /// Final summary of a run: one row per candidate, in the order given.
    public static func runSummary(_ candidates: [CandidateView], color: Bool = false) -> String {
        var table = TextTable(columns: [
            .init("agent", maxWidth: nameWidth), .init("outcome"), .number("cost/budget"), .number("tokens"),
            .number("turns"), .number("time"), .init("A H S"), .number("diff"), .number("files"),
        ])
        for c in candidates {
            table.append([
                TextTable.Cell(c.agent),
                outcomeCell(c.outcome),
                TextTable.Cell(Format.costAgainstBudget(c.costUSD, source: c.costSource, budget: c.budgetUSD),
                               style: isOverBudget(c) ? .red : .plain),
                TextTable.Cell(Format.tokens(c.tokens.total)),
                TextTable.Cell(c.turns.map(String.init) ?? Format.none),
                TextTable.Cell(Format.duration(ms: c.durationMs)),
                checksCell(c.checks),
                TextTable.Cell(Format.diffStat(c.diff)),
                TextTable.Cell("\(c.diff.files)"),
            ])
        }
        return table.render(color: color)
    }

    /// The candidates worth a human's time, best first, with how many verifiers put each first.
    public static func shortlist(_ run: RunView, color: Bool = false) -> String {
        let byAgent = Dictionary(run.candidates.map { ($0.agent, $0) }, uniquingKeysWith: { a, _ in a })
        let names = run.consensus.map { $0.shortlist.isEmpty ? $0.ranking : $0.shortlist } ?? []
        let valid = run.reviews.filter { $0.excludedReason == nil }
        var table = TextTable(columns: [
            .number("#"), .init("agent", maxWidth: nameWidth), .init("outcome"), .number("cost"), .init("A H S"),
            .number("diff"), .number("firsts"),
        ])
        for (i, agent) in names.enumerated() {
            let c = byAgent[agent]
            let firsts = valid.filter { $0.ranking.first == agent }.count
            table.append([
                TextTable.Cell("\(i + 1)", style: i == 0 ? .bold : .plain),
                TextTable.Cell(agent, style: i == 0 ? .bold : .plain),
                c.map { outcomeCell($0.outcome) } ?? TextTable.Cell(Format.none),
                TextTable.Cell(c.map { Format.usd($0.costUSD, source: $0.costSource) } ?? Format.none),
                c.map { checksCell($0.checks) } ?? TextTable.Cell(Format.none),
                TextTable.Cell(c.map { Format.diffStat($0.diff) } ?? Format.none),
                TextTable.Cell("\(firsts)/\(valid.count)"),
            ])
        }
        return table.render(color: color)
    }

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
            .number("valid"), .number("τ vs consensus"), .number("position bias"), .number("self-pref"),
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
                TextTable.Cell(Format.number(row.selfPreference, decimals: 2)),
                TextTable.Cell(Format.usd(row.costUSD)),
            ])
        }
        return table.render(color: color)
    }

    /// Prices and resolved budgets (`agon models`).
    public static func models(_ rows: [ModelPriceRowView], color: Bool = false) -> String {
        var table = TextTable(columns: [
            .init("name", maxWidth: nameWidth), .init("role"), .init("harness"), .init("model", maxWidth: 32),
            .number("in $/Mtok"), .number("out $/Mtok"), .number("cache $/Mtok"), .number("budget"),
            .number("timeout"), .init("price source", maxWidth: 32),
        ])
        for row in rows {
            let unpriced = row.inputPerMTok == nil || row.outputPerMTok == nil
            table.append([
                TextTable.Cell(row.name, style: .bold),
                TextTable.Cell(row.role),
                TextTable.Cell(row.harness.rawValue),
                TextTable.Cell(row.model),
                TextTable.Cell(perMTok(row.inputPerMTok), style: unpriced ? .yellow : .plain),
                TextTable.Cell(perMTok(row.outputPerMTok), style: unpriced ? .yellow : .plain),
                TextTable.Cell(perMTok(row.cacheReadPerMTok)),
                TextTable.Cell(row.budgetUSD.map { $0 > 0 ? Format.usd($0) : "none" } ?? "none"),
                TextTable.Cell(Format.duration(seconds: row.hardTimeoutS)),
                TextTable.Cell(unpriced ? "unpriced" : row.priceSource, style: unpriced ? .yellow : .dim),
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

    static func checksCell(_ checks: CheckResults) -> TextTable.Cell {
        let failed = [checks.acceptance, checks.holdout, checks.scope].contains(.failed)
        let symbols = [checks.acceptance, checks.holdout, checks.scope].map(Format.check).joined(separator: " ")
        return TextTable.Cell(symbols, style: failed ? .red : (checks.acceptance == .passed ? .green : .plain))
    }

    static func isOverBudget(_ c: CandidateView) -> Bool {
        guard let budget = c.budgetUSD, budget > 0, let cost = c.costUSD else { return c.outcome == .costKilled }
        return cost >= budget || c.outcome == .costKilled
    }

    private static func perMTok(_ value: Double?) -> String {
        guard let value else { return Format.none }
        return String(format: value < 1 ? "%.3f" : "%.2f", value)
    }
}
