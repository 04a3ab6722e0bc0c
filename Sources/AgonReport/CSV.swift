import AgonLeaderboard
import Foundation

/// RFC 4180 CSV: fields with a comma, quote, CR or LF (or edge spaces) are quoted, quotes doubled,
/// records end in CRLF.
public enum CSV {
    /// One field, quoted when needed.
    public static func field(_ value: String) -> String {
        let needsQuotes = value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            || value.hasPrefix(" ") || value.hasSuffix(" ")
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record, terminated by CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A header record followed by one record per row.
    public static func document(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map(record).joined()
    }

    /// A document built from typed rows and a column list.
    public static func document<Row>(_ rows: [Row], columns: [CSVColumn<Row>]) -> String {
        document(header: columns.map(\.name), rows: rows.map { row in columns.map { $0.value(row) } })
    }
}

/// A named CSV column and how to read its raw value from a row.
public struct CSVColumn<Row> {
    public var name: String
    public var value: (Row) -> String

    public init(_ name: String, _ value: @escaping (Row) -> String) {
        self.name = name
        self.value = value
    }
}

/// The leaderboard as CSV: raw numbers (not display strings), snake_case headers,
/// empty for unknown, `inf` for a cost per success with no success.
public enum LeaderboardCSV {
    public static let columns: [CSVColumn<LeaderboardRowView>] = [
        .init("agent") { $0.agent },
        .init("harness") { $0.harness.rawValue },
        .init("model") { $0.model },
        .init("rating") { raw($0.rating) },
        .init("rating_low") { raw($0.ratingLow) },
        .init("rating_high") { raw($0.ratingHigh) },
        .init("rank_low") { $0.rankLow.map(String.init) ?? "" },
        .init("rank_high") { $0.rankHigh.map(String.init) ?? "" },
        .init("provisional") { $0.provisional ? "true" : "false" },
        .init("runs") { String($0.runs) },
        .init("success_rate") { raw($0.successRate) },
        .init("win_rate") { raw($0.winRate) },
        .init("first_attempt_success") { raw($0.firstAttemptSuccess) },
        .init("cost_per_task_usd") { raw($0.costPerTask) },
        .init("cost_per_success_usd") { row in
            switch row.costPerSuccess {
            case .usd(let v): return raw(v)
            case .noSuccess: return "inf"
            case .unpriced: return ""
            }
        },
        .init("tokens_per_task") { raw($0.tokensPerTask) },
        .init("verifier_spend_usd") { raw($0.verifierSpend) },
        .init("median_time_to_first_attempt_s") { raw($0.medianTimeToFirstAttemptS) },
        .init("median_time_to_success_s") { raw($0.medianTimeToSuccessS) },
        .init("median_turns") { raw($0.medianTurns) },
        .init("tokens_per_sec") { raw($0.tokensPerSec) },
        .init("cost_killed") { String($0.costKilled) },
        .init("top_errors") { $0.topErrors.joined(separator: ";") },
        .init("speed_efficiency_score") { raw($0.speedEfficiency) },
        .init("on_frontier") { $0.onFrontier ? "true" : "false" },
        .init("frontier_frequency") { raw($0.frontierFrequency) },
    ] + attemptColumns

    public static func render(_ view: LeaderboardView) -> String {
        CSV.document(view.rows, columns: columns)
    }

    /// Shortest round-tripping decimal; empty for nil, `inf`/`nan` spelled out.
    static func raw(_ value: Double?) -> String {
        guard let value else { return "" }
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
