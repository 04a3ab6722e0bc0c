import AgonCore
import Foundation

/// `agon models`: the price table in use and each configured agent's resolved budget, with
/// unpriced models called out (their cost is unknown and their budget cannot be enforced).
public struct PriceReport: Codable {
    /// One model of the price table.
    public struct Row: Codable {
        public var model: String
        public var price: ModelPrice

        public init(model: String, price: ModelPrice) {
            self.model = model
            self.price = price
        }
    }
    public var source: String
    public var date: String
    public var models: Int
    public var rejected: [RejectedPrice]
    public var agents: [PlannedAgent]
    public var verifiers: [PlannedAgent]
    public var prices: [Row]

    /// The configured agents and verifiers resolved against the price table, and the table's rows
    /// (those matching `filter`, else the configured models', else all).
    public static func make(workspace: Workspace, filter: String?) throws -> PriceReport {
        let planner = Planner(workspace: workspace)
        let agents = try workspace.config.agents.map { try planner.resolve($0, spec: nil, requireBinary: false) }
        let verifiers = try workspace.config.verifiers.map { try planner.resolve($0, spec: nil, requireBinary: false) }
        let configured = Set((agents + verifiers).compactMap(\.model).map { $0.lowercased() })
        let rows = workspace.prices.prices.keys.sorted().filter { model in
            if let filter { return model.localizedCaseInsensitiveContains(filter) }
            return configured.isEmpty || configured.contains(model)
        }.map { Row(model: $0, price: workspace.prices.prices[$0]!) }
        return PriceReport(source: workspace.prices.source, date: workspace.prices.date, models: workspace.prices.count,
                           rejected: workspace.rejectedPrices, agents: agents, verifiers: verifiers, prices: rows)
    }
}
