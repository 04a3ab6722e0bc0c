import AgonCore
import AgonReport
import Foundation

/// `agon models`: the price table in use and each configured agent's resolved budget, with
/// unpriced models called out (their cost is unknown and their budget cannot be enforced).
public enum PriceReport {
    struct Body: Codable {
        struct Row: Codable {
            var model: String
            var price: ModelPrice
        }
        var source: String
        var date: String
        var models: Int
        var rejected: [RejectedPrice]
        var agents: [PlannedAgent]
        var verifiers: [PlannedAgent]
        var prices: [Row]
    }

    public static func make(workspace: Workspace, filter: String?) throws -> CommandOutput {
        let planner = Planner(workspace: workspace)
        let agents = try workspace.config.agents.map { try planner.resolve($0, spec: nil, requireBinary: false) }
        let verifiers = try workspace.config.verifiers.map { try planner.resolve($0, spec: nil, requireBinary: false) }
        let configured = Set((agents + verifiers).compactMap(\.model).map { $0.lowercased() })
        let rows = workspace.prices.prices.keys.sorted().filter { model in
            if let filter { return model.localizedCaseInsensitiveContains(filter) }
            return configured.isEmpty || configured.contains(model)
        }.map { Body.Row(model: $0, price: workspace.prices.prices[$0]!) }

        var text = "price table: \(workspace.prices.source) (\(workspace.prices.count) models)\n"
        if !workspace.rejectedPrices.isEmpty {
            text += "rejected from the price file: " + workspace.rejectedPrices.prefix(5).map { "\($0.model) (\($0.reason))" }.joined(separator: "; ")
            text += workspace.rejectedPrices.count > 5 ? "; … \(workspace.rejectedPrices.count - 5) more\n" : "\n"
        }
        if !agents.isEmpty || !verifiers.isEmpty {
            var table = TextTable(columns: [.init("agent"), .init("harness"), .init("model"), .number("in / out per 1M"),
                                            .number("cache read / write per 1M"), .init("budget"), .init("source")])
            for (role, agent) in agents.map({ ("", $0) }) + verifiers.map({ ("verifier ", $0) }) {
                let price = agent.price
                table.append([role + agent.id, agent.harness.rawValue, agent.model ?? Format.none,
                              price.map { "\(Format.usd($0.inputPerToken * 1e6)) / \(Format.usd($0.outputPerToken * 1e6))" } ?? "UNPRICED",
                              price.map { "\(Format.usd(($0.cacheReadPerToken ?? $0.inputPerToken) * 1e6)) / \(Format.usd(($0.cacheWritePerToken ?? $0.inputPerToken) * 1e6))" } ?? Format.none,
                              Planner.budgetText(agent.budget), price?.source ?? Format.none])
            }
            text += "\n" + table.render()
            for agent in agents + verifiers where agent.price == nil && agent.harness != .openai {
                text += "WARNING: \(agent.id) runs an unpriced model: its cost shows as `unpriced` (never $0) and its budget cannot be enforced from token counts; add `pricing:` to its entry\n"
            }
        }
        if !rows.isEmpty {
            var table = TextTable(columns: [.init("model"), .number("input/1M"), .number("output/1M"), .number("cache read/1M"), .number("cache write/1M")])
            for row in rows {
                let p = row.price
                table.append([row.model, Format.usd(p.inputPerToken * 1e6), Format.usd(p.outputPerToken * 1e6),
                              p.cacheReadPerToken.map { Format.usd($0 * 1e6) } ?? Format.none,
                              p.cacheWritePerToken.map { Format.usd($0 * 1e6) } ?? Format.none])
            }
            text += "\n" + table.render()
        }
        let body = Body(source: workspace.prices.source, date: workspace.prices.date, models: workspace.prices.count,
                        rejected: workspace.rejectedPrices, agents: agents, verifiers: verifiers, prices: rows)
        return CommandOutput(text: text, value: VersionedDocument(body))
    }
}
