import AgonCore
import Foundation

/// The lines `agon run` and `agon show` print about cascades, cache hits and slow agents.
enum RunStrategyText {
    static func lines(_ record: RunRecord) -> String {
        var out = ""
        for candidate in record.candidates {
            if let hit = candidate.cacheHit {
                out += "cache: \(candidate.agent) reused its result from run \(hit.sourceRunID) ($0 spent, no agent started;"
                    + " the original cost \(Format.usd(hit.sourceCostUSD, source: hit.sourceCostUSD == nil ? .unpriced : nil)))\n"
            }
            for flag in candidate.slow {
                out += "slow: \(candidate.agent) \(describe(flag.expectation)) \(Format.duration(ms: flag.observedMs))"
                    + " (expected at most \(Format.duration(ms: flag.expectedMs)); advisory, not stopped)\n"
            }
        }
        if let cascade = record.cascade {
            let tiers = cascade.tiers.enumerated().map { "\($0.offset + 1): \($0.element.joined(separator: ", "))" }
            out += "cascade: tiers " + tiers.joined(separator: " | ") + "; "
            out += cascade.servedByTier.map { "served by tier \($0)" } ?? "no tier served the run"
            out += "\n"
            for escalation in cascade.escalations {
                out += "  tier \(escalation.fromTier) escalated: \(escalation.reason.rawValue.replacingOccurrences(of: "_", with: " "))"
                    + " — \(TerminalText.sanitize(escalation.detail))"
                    + (escalation.reviewCostUSD.map { " (its review cost \(Format.usd($0)))" } ?? "") + "\n"
            }
            if !cascade.skippedAgents.isEmpty {
                out += "  not started: \(cascade.skippedAgents.joined(separator: ", "))"
                if let avoided = cascade.costAvoided {
                    out += "; cost avoided ≈ \(Format.usd(avoided.estimateUSD)) (estimate from the leaderboard's cost per task"
                    out += avoided.agentsWithoutHistory.isEmpty ? ")" : "; no history for \(avoided.agentsWithoutHistory.joined(separator: ", ")))"
                } else {
                    out += "; cost avoided: no estimate (no priced history for them)"
                }
                out += "\n"
            }
        }
        return out
    }

    static func describe(_ expectation: SlowExpectation) -> String {
        switch expectation {
        case .ttft: return "first output after"
        case .timeToSolution: return "took"
        }
    }
}
