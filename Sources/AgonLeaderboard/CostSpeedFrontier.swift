import AgonCore
import Foundation

/// One agent on the cost–speed chart: what a success costs in dollars and in seconds.
public struct CostSpeedPoint: Equatable, Sendable {
    public var agent: String
    public var harness: Harness
    public var usdPerSuccess: Double
    public var secondsPerSuccess: Double
    public var successRate: Double
    /// Another agent is no worse on both axes and strictly better on one.
    public var dominated: Bool
}

/// The report's cost–speed frontier (both axes: lower is better).
///
/// x = cost per success (total priced cost / successes), y = seconds per success (wall time of
/// all runs / successes), per agent id over all runs. Agents that never succeeded (∞ on both
/// axes), whose cost is unpriced or zero (a log axis cannot show 0), or with no recorded time
/// are listed apart, never drawn at a made-up position.
public struct CostSpeedFrontier: Equatable, Sendable {
    public var points: [CostSpeedPoint]
    /// Agents left off, with why: `no_success`, `unpriced`, `zero_cost`, `untimed`.
    public var leftOut: [(agent: String, reason: String)]

    public static func == (a: CostSpeedFrontier, b: CostSpeedFrontier) -> Bool {
        a.points == b.points && a.leftOut.map(\.agent) == b.leftOut.map(\.agent) && a.leftOut.map(\.reason) == b.leftOut.map(\.reason)
    }

    public init(runs: [LeaderboardRun]) {
        var order: [String] = []
        var harnesses: [String: Harness] = [:]
        var totals: [String: SuccessTotals] = [:]
        for run in runs {
            for candidate in run.candidates where LeaderboardComputation.counts(candidate) {
                if harnesses[candidate.agent] == nil {
                    order.append(candidate.agent)
                    harnesses[candidate.agent] = candidate.harness
                }
                totals[candidate.agent, default: SuccessTotals()].add(candidate)
            }
        }
        var placed: [CostSpeedPoint] = []
        var leftOut: [(String, String)] = []
        for agent in order {
            let t = totals[agent]!
            switch t.costPerSuccess {
            case .noSuccess: leftOut.append((agent, "no_success"))
            case .unpriced: leftOut.append((agent, "unpriced"))
            case .usd(let usd):
                if !(usd > 0) {
                    leftOut.append((agent, "zero_cost"))
                } else if let seconds = t.secondsPerSuccess, seconds > 0 {
                    placed.append(CostSpeedPoint(agent: agent, harness: harnesses[agent]!, usdPerSuccess: usd,
                                                 secondsPerSuccess: seconds, successRate: t.successRate ?? 0, dominated: false))
                } else {
                    leftOut.append((agent, "untimed"))
                }
            }
        }
        let dominated = Self.dominated(placed.map { ($0.usdPerSuccess, $0.secondsPerSuccess) })
        for i in placed.indices { placed[i].dominated = dominated[i] }
        points = placed
        self.leftOut = leftOut
    }

    /// For each point, whether another is no worse on both coordinates and strictly better on
    /// one (lower is better). O(n log n): sorted by x, a point is dominated by an earlier x
    /// with y ≤ its y, or by an equal x with a strictly lower y. Equal points do not dominate
    /// each other.
    public static func dominated(_ points: [(x: Double, y: Double)]) -> [Bool] {
        let order = points.indices.sorted { (points[$0].x, points[$0].y) < (points[$1].x, points[$1].y) }
        var result = [Bool](repeating: false, count: points.count)
        var bestYBefore = Double.infinity   // lowest y among strictly smaller x
        var i = 0
        while i < order.count {
            var j = i
            while j < order.count && points[order[j]].x == points[order[i]].x { j += 1 }
            let groupBestY = points[order[i]].y   // sorted by y within equal x
            for k in i..<j {
                let y = points[order[k]].y
                result[order[k]] = bestYBefore <= y || groupBestY < y
            }
            bestYBefore = min(bestYBefore, groupBestY)
            i = j
        }
        return result
    }
}
