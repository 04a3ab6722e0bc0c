import Foundation

/// Cost per success, keeping "never succeeded" (∞) apart from "cost unknown".
public enum CostPerSuccess: Equatable, Sendable {
    case usd(Double)
    /// The agent never succeeded: the cost per success is infinite.
    case noSuccess
    /// Some of the agent's costs are unpriced.
    case unpriced

    /// The finite value, if any.
    public var value: Double? {
        if case .usd(let v) = self { return v }
        return nil
    }
}
