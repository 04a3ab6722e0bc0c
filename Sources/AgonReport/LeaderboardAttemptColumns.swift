import AgonCore
import AgonLeaderboard
import Foundation

// The leaderboard's follow-up columns (`AttemptStanding`) in the table's notes, the JSON
// document and the CSV.

extension LeaderboardPresenter {
    /// A "Follow-ups" table under the leaderboard, only when some run had a follow-up.
    static func followUpText(_ result: LeaderboardResult) -> String {
        guard result.agents.contains(where: { $0.attempts.followedUpRuns > 0 }) else { return "" }
        let k = result.agents.first?.attempts.followUpWindow ?? 1
        var table = TextTable(columns: [
            .init("agent"), .number("runs"), .number("followed up"), .number("success 1st"),
            .number("success ≤\(k) follow-up\(k == 1 ? "" : "s")"), .number("reprompts/success"), .number("$/success incl. follow-ups"),
        ])
        for a in result.agents {
            let s = a.attempts
            table.append([a.displayName, String(a.runs), String(s.followedUpRuns), Format.percent(a.successRate),
                          Format.percent(s.successWithinK), Format.number(s.meanRepromptsPerSuccess, decimals: 2),
                          costText(s.costPerSuccessWithFollowUps)])
        }
        return "\nFollow-ups (success 1st: first attempt; the other columns count every attempt)\n" + table.render()
    }

    static func costText(_ cost: CostPerSuccess) -> String {
        switch cost {
        case .usd(let v): return Format.usd(v)
        case .noSuccess: return Format.infinity
        case .unpriced: return "unpriced"
        }
    }
}

extension LeaderboardDocument.AgentRow {
    enum AttemptKey: String, CodingKey {
        case followUpWindow = "followup_window_k", followedUpRuns = "followed_up_runs"
        case successesAnyAttempt = "successes_any_attempt", successesWithinK = "successes_within_k_followups"
        case successWithinK = "success_within_k_followups", meanReprompts = "mean_reprompts_per_success"
        case costWithFollowUps = "cost_per_success_with_followups_usd"
        case costWithFollowUpsStatus = "cost_per_success_with_followups_status"
    }

    /// The follow-up keys, after the row's others (same statuses as `cost_per_success_status`).
    func encodeAttempts(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: AttemptKey.self)
        let s = a.attempts
        try c.encode(s.followUpWindow, forKey: .followUpWindow)
        try c.encode(s.followedUpRuns, forKey: .followedUpRuns)
        try c.encode(s.successesAnyAttempt, forKey: .successesAnyAttempt)
        try c.encode(s.successesWithinK, forKey: .successesWithinK)
        try c.encode(s.successWithinK, forKey: .successWithinK)
        try c.encode(s.meanRepromptsPerSuccess, forKey: .meanReprompts)
        switch s.costPerSuccessWithFollowUps {
        case .usd(let value):
            try c.encode(value.isFinite ? value : nil, forKey: .costWithFollowUps)
            try c.encode("ok", forKey: .costWithFollowUpsStatus)
        case .noSuccess:
            try c.encodeNil(forKey: .costWithFollowUps)
            try c.encode("no_success", forKey: .costWithFollowUpsStatus)
        case .unpriced:
            try c.encodeNil(forKey: .costWithFollowUps)
            try c.encode("unpriced", forKey: .costWithFollowUpsStatus)
        }
    }
}

extension LeaderboardCSV {
    /// The follow-up columns, after the others.
    static let attemptColumns: [CSVColumn<LeaderboardRowView>] = [
        .init("followup_window_k") { $0.attempts.map { String($0.followUpWindow) } ?? "" },
        .init("success_within_k_followups") { raw($0.attempts?.successWithinK) },
        .init("mean_reprompts_per_success") { raw($0.attempts?.meanRepromptsPerSuccess) },
        .init("cost_per_success_with_followups_usd") { row in
            switch row.attempts?.costPerSuccessWithFollowUps {
            case .usd(let v)?: return raw(v)
            case .noSuccess?: return "inf"
            case .unpriced?, nil: return ""
            }
        },
    ]
}
