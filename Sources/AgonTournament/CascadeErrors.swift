import AgonCore
import Foundation

/// A cascade (`strategy: cascade`) that does not fit the run's lineup (exit 2).
public enum CascadeError: HintedFailure, Equatable {
    /// A tier names an agent the run's lineup does not have.
    case notInLineup(source: String, agent: String, lineup: [String])
    /// An agent of the lineup is in no tier (it would never run).
    case missingFromTiers(source: String, agent: String)

    public var exitCode: Int32 { 2 }

    public var headline: String {
        switch self {
        case .notInLineup(let source, let agent, let lineup):
            return "\(source): cascade names agent \"\(agent)\", which is not in this run's lineup (\(lineup.joined(separator: ", ")))"
        case .missingFromTiers(let source, let agent):
            return "\(source): agent \"\(agent)\" is in the lineup but in no cascade tier"
        }
    }

    public var hint: String? {
        switch self {
        case .notInLineup: return "add it to the spec's `agents:` (or agon.yml) or remove it from the tiers"
        case .missingFromTiers: return "put it in a tier or leave it out of the spec's `agents:`"
        }
    }
}
