import AgonCore
import Foundation

/// Where an error code comes from.
public enum ErrorCodeSource: String, Sendable {
    /// A finished candidate's outcome other than `ok` (`timeout`, `api_error`, …).
    case outcome
    /// A check a finished candidate failed (`acceptance_failed`, `holdout_failed`, `scope_failed`).
    case check
    /// A verifier review that gave no usable ranking (`review_excluded`, `review_blocked`, `review_failed`).
    case review
}

/// How often one error code happened, and its share of what it could have happened to.
public struct ErrorCodeCount: Equatable, Sendable {
    public var code: String
    public var source: ErrorCodeSource
    public var count: Int
    /// Finished candidates (outcome and check codes) or reviews (review codes).
    public var outOf: Int
    public var share: Double { outOf > 0 ? Double(count) / Double(outOf) : 0 }
}

/// The report's top error codes across runs, most frequent first (ties by code).
///
/// Counted over finished candidates (interrupted ones are the user's doing, not an error) and
/// over every review. A candidate can contribute one outcome code and several check codes.
/// API error kinds are not split out: a candidate keeps its API error as free text, which the
/// leaderboard's projection does not load; they all count as `api_error`.
public enum ErrorCodes {
    public static func top(runs: [LeaderboardRun], limit: Int = 10) -> [ErrorCodeCount] {
        var counts: [String: (ErrorCodeSource, Int)] = [:]
        var candidates = 0, reviews = 0
        func bump(_ code: String, _ source: ErrorCodeSource) { counts[code, default: (source, 0)].1 += 1 }
        for run in runs {
            for c in run.candidates where LeaderboardComputation.counts(c) {
                candidates += 1
                if let outcome = c.outcome, outcome != .ok { bump(outcome.rawValue, .outcome) }
                if c.checks.acceptance == .failed { bump("acceptance_failed", .check) }
                if c.checks.holdout == .failed { bump("holdout_failed", .check) }
                if c.checks.scope == .failed { bump("scope_failed", .check) }
            }
            for r in run.reviews {
                reviews += 1
                if r.status != .ok { bump("review_" + r.status.rawValue, .review) }
            }
        }
        return counts.map { code, value in
            ErrorCodeCount(code: code, source: value.0, count: value.1, outOf: value.0 == .review ? reviews : candidates)
        }
        .sorted { ($0.count, $1.code) > ($1.count, $0.code) }
        .prefix(limit).map { $0 }
    }
}
