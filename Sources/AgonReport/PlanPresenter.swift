import AgonCore
import AgonTournament
import Foundation

/// `agon validate`: each spec's resolved plan (base commit, lineup, budgets, prices, CLIs).
public enum PlanPresenter {
    /// The plans as text, and as JSON.
    public static func output(_ plans: [RunPlan]) -> CommandOutput {
        CommandOutput(text: plans.map(text).joined(separator: "\n"), value: VersionedDocument(PlanList(plans: plans)))
    }

    /// One plan as text.
    public static func text(_ plan: RunPlan) -> String {
        var lines = ["\(plan.spec): \(plan.title)",
                     "  base     \(plan.baseRef) = \(plan.baseSHA)\(plan.dirty ? "  (work tree dirty: changes not included)" : "")"]
        var table = TextTable(columns: [
            .init("agent"), .init("harness"), .init("model"), .init("budget", alignment: .right),
            .init("timeouts"), .init("price in/out per 1M", alignment: .right), .init("cli"),
        ])
        for (role, agent) in plan.agents.map({ ("", $0) }) + plan.verifiers.map({ ("verifier ", $0) }) {
            table.append([role + agent.id, agent.harness.rawValue, agent.model ?? "—", Format.budget(agent.budget),
                         "\(Format.duration(seconds: agent.budget.hardTimeout)) / silence \(Format.duration(seconds: agent.budget.silenceTimeout))",
                         agent.price.map { "\(Format.usd($0.inputPerToken * 1e6)) / \(Format.usd($0.outputPerToken * 1e6))" } ?? "UNPRICED",
                         agent.harness == .openai ? "(http)" : (agent.binaryPath ?? "NOT FOUND")])
        }
        lines.append(table.render().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        if let cascade = plan.cascade {
            lines.append("  cascade  " + cascade.tiers.enumerated().map { "tier \($0.offset + 1): \($0.element.joined(separator: ", "))" }
                .joined(separator: "  →  ") + "  (next tier only when no candidate passes acceptance and scope, or the panel does not recommend apply)")
        }
        lines += plan.warnings.map { "  warning: \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Format {
    /// `$0.50 (spec)`, `tally only`, `none`; `NOT ENFORCEABLE` when the model is unpriced.
    public static func budget(_ budget: ResolvedBudget) -> String {
        guard let cap = budget.maxCostUSD, !budget.isTallyOnly else { return budget.isTallyOnly ? "tally only" : "none" }
        return "\(Format.usd(cap)) (\(budget.origin.rawValue))" + (budget.enforceable ? "" : " NOT ENFORCEABLE")
    }
}
