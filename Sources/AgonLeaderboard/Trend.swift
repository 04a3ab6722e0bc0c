import AgonCore
import Foundation

/// How the report's trend chart buckets runs in time (UTC).
public enum TrendPeriod: String, Sendable {
    /// Calendar days.
    case day
    /// ISO weeks, starting Monday 00:00 UTC.
    case week

    /// Length of one bucket.
    public var seconds: Double { self == .day ? 86_400 : 7 * 86_400 }

    /// Days when every run falls within 14 days (weekly buckets would show one or two points),
    /// weeks otherwise.
    public static func fitting(_ dates: [Date]) -> TrendPeriod {
        guard let first = dates.min(), let last = dates.max() else { return .week }
        return last.timeIntervalSince(first) < 14 * 86_400 ? .day : .week
    }

    /// The start of the bucket holding `date`.
    public func bucketStart(_ date: Date) -> Date {
        let day = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        switch self {
        case .day:
            return Date(timeIntervalSince1970: Double(day) * 86_400)
        case .week:
            // 1970-01-01 was a Thursday: day 0 is weekday 3 when Monday is 0.
            let weekday = ((day + 3) % 7 + 7) % 7
            return Date(timeIntervalSince1970: Double(day - weekday) * 86_400)
        }
    }
}

/// One agent's totals in one time bucket.
public struct TrendPoint: Equatable, Sendable {
    public var start: Date
    public var totals: SuccessTotals
}

/// One agent's series, oldest bucket first; buckets where it has no run are absent.
public struct AgentTrend: Equatable, Sendable {
    public var agent: String
    public var harness: Harness
    public var points: [TrendPoint]
}

/// The trend over time of every agent (by agent id).
public struct TrendSeries: Equatable, Sendable {
    public var period: TrendPeriod
    /// Every bucket start that holds a run, oldest first.
    public var buckets: [Date]
    /// Agents in order of first appearance.
    public var agents: [AgentTrend]

    /// Buckets `runs` by `period` (nil: `TrendPeriod.fitting` the runs' creation times).
    public init(runs: [LeaderboardRun], period: TrendPeriod? = nil) {
        let period = period ?? TrendPeriod.fitting(runs.map(\.createdAt))
        var order: [String] = []
        var harnesses: [String: Harness] = [:]
        var totals: [String: [Date: SuccessTotals]] = [:]
        var buckets = Set<Date>()
        for run in runs {
            let start = period.bucketStart(run.createdAt)
            for candidate in run.candidates where LeaderboardComputation.counts(candidate) {
                if harnesses[candidate.agent] == nil {
                    order.append(candidate.agent)
                    harnesses[candidate.agent] = candidate.harness
                }
                totals[candidate.agent, default: [:]][start, default: SuccessTotals()].add(candidate)
                buckets.insert(start)
            }
        }
        self.period = period
        self.buckets = buckets.sorted()
        agents = order.map { agent in
            let points = totals[agent, default: [:]].sorted { $0.key < $1.key }.map { TrendPoint(start: $0.key, totals: $0.value) }
            return AgentTrend(agent: agent, harness: harnesses[agent]!, points: points)
        }
    }
}
