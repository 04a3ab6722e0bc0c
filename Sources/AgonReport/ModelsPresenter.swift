import AgonCore
import AgonTournament
import Foundation

/// `agon models`: the price table in use and each configured agent's resolved budget.
public enum ModelsPresenter {
    /// Text, and the report as JSON.
    public static func output(_ report: PriceReport) -> CommandOutput {
        CommandOutput(text: text(report), value: VersionedDocument(report))
    }

    /// The tables and warnings.
    public static func text(_ report: PriceReport) -> String {
        var text = "price table: \(report.source) (\(report.models) models)\n"
        if !report.rejected.isEmpty {
            text += "rejected from the price file: " + report.rejected.prefix(5).map { "\($0.model) (\($0.reason))" }.joined(separator: "; ")
            text += report.rejected.count > 5 ? "; … \(report.rejected.count - 5) more\n" : "\n"
        }
        if !report.agents.isEmpty || !report.verifiers.isEmpty {
            var table = TextTable(columns: [.init("agent"), .init("harness"), .init("model"), .number("in / out per 1M"),
                                            .number("cache read / write per 1M"), .init("budget"), .init("source")])
            for (role, agent) in report.agents.map({ ("", $0) }) + report.verifiers.map({ ("verifier ", $0) }) {
                let price = agent.price
                table.append([role + agent.id, agent.harness.rawValue, agent.model ?? Format.none,
                              price.map { "\(Format.usd($0.inputPerToken * 1e6)) / \(Format.usd($0.outputPerToken * 1e6))" } ?? "UNPRICED",
                              price.map { "\(Format.usd(($0.cacheReadPerToken ?? $0.inputPerToken) * 1e6)) / \(Format.usd(($0.cacheWritePerToken ?? $0.inputPerToken) * 1e6))" } ?? Format.none,
                              Format.budget(agent.budget), price?.source ?? Format.none])
            }
            text += "\n" + table.render()
            for agent in report.agents + report.verifiers where agent.price == nil && agent.harness != .openai {
                text += "WARNING: \(agent.id) runs an unpriced model: its cost shows as `unpriced` (never $0) and its budget cannot be enforced from token counts; add `pricing:` to its entry\n"
            }
        }
        if !report.prices.isEmpty {
            var table = TextTable(columns: [.init("model"), .number("input/1M"), .number("output/1M"), .number("cache read/1M"), .number("cache write/1M")])
            for row in report.prices {
                let p = row.price
                table.append([row.model, Format.usd(p.inputPerToken * 1e6), Format.usd(p.outputPerToken * 1e6),
                              p.cacheReadPerToken.map { Format.usd($0 * 1e6) } ?? Format.none,
                              p.cacheWritePerToken.map { Format.usd($0 * 1e6) } ?? Format.none])
            }
            text += "\n" + table.render()
        }
        return text
    }
}
