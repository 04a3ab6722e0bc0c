import AgonCore
import AgonLeaderboard
import AgonTournament
import Foundation

/// A rendered leaderboard in the three output formats.
public struct RenderedLeaderboard {
    public var text: String
    public var json: String
    public var csv: String
}

/// `agon leaderboard`: the statistics `LeaderboardBuilder` computes as a table, JSON and CSV,
/// and as the HTML report's view model.
public enum LeaderboardPresenter {
    /// The leaderboard as `agon leaderboard` prints it in each format.
    public static func render(_ result: LeaderboardResult, query: LeaderboardQuery, generatedAt: Date = Date()) -> RenderedLeaderboard {
        let view = view(result, generatedAt: generatedAt)
        return RenderedLeaderboard(text: text(result, view: view, query: query),
                                   json: json(result, query: query, generatedAt: generatedAt),
                                   csv: LeaderboardCSV.render(view))
    }

    /// The table and its notes.
    public static func text(_ result: LeaderboardResult, view: LeaderboardView, query: LeaderboardQuery) -> String {
        guard result.runs > 0 else {
            let filtered = query.since != nil || query.specGlob != nil
            return filtered ? "no runs match the filter\n" : "no runs yet: `agon run SPEC` starts one\n"
        }
        var out = "Leaderboard\(rowsHeading(result.agents.count, query.grouping)) over "
            + "\(result.runs) run\(result.runs == 1 ? "" : "s") (\(result.reviewedRuns) reviewed"
            + (result.picksUsed > 0 ? ", \(result.picksUsed) human pick\(result.picksUsed == 1 ? "" : "s")" : "") + ")"
            + "; 90% intervals from \(result.replicates) bootstrap replicates over runs (seed \(result.seed))"
            + (result.droppedReplicates > 0 ? ", \(result.droppedReplicates) dropped (refit diverged)" : "") + "\n\n"
        out += TerminalReport.leaderboard(view)
        let separated = result.agents.filter { $0.rating != nil && $0.separation != .none }
        if !separated.isEmpty {
            out += "bound only (never lost ≥ / never won ≤ against the others; no point estimate): "
                + separated.map { "\($0.displayName) (\($0.separation.rawValue))" }.joined(separator: ", ") + "\n"
        }
        let unrated = result.agents.filter { $0.rating == nil }
        if !unrated.isEmpty {
            out += "no rating yet (never compared with another agent): \(unrated.map(\.displayName).joined(separator: ", "))\n"
        }
        let unpriced = result.agents.filter { $0.unpricedRuns > 0 }
        if !unpriced.isEmpty {
            out += "unpriced runs left out of cost: "
                + unpriced.map { "\($0.displayName) \($0.unpricedRuns)/\($0.runs)" }.joined(separator: ", ") + "\n"
        }
        out += "verifier spend (apart from the agents' cost): \(Format.usd(result.verifierSpendUSD))\n"
        out += ServeMixText.text(result.serveMix)
        out += followUpText(result)
        if !view.verifiers.isEmpty {
            out += "\nVerifiers\n" + TerminalReport.verifiers(view.verifiers)
            let excluded = result.verifiers.filter { $0.selfPreferenceStatus == "excluded" }.map(\.verifier)
            if !excluded.isEmpty {
                out += "self-preference not measurable (own family excluded from its rankings): \(excluded.joined(separator: ", "))\n"
            }
            out += "position bias: +1 ranks in the order shown, −1 the reverse, 0 none\n"
            out += "swap consistency (swap: true): share of candidate pairs ordered alike when shown reversed, 1 = no position effect\n"
        }
        return out
    }

    /// The report's view of `result` (rows best first).
    public static func view(_ result: LeaderboardResult, generatedAt: Date) -> LeaderboardView {
        let rows = result.agents.map { a in
            LeaderboardRowView(
                // A separated agent's point estimate is the prior's; only its bound is shown.
                agent: a.displayName, harness: a.harness, model: a.model ?? Format.none,
                rating: a.separation == .none ? a.rating : nil,
                ratingLow: a.ratingLow, ratingHigh: a.ratingHigh, rankLow: a.rankLow, rankHigh: a.rankHigh,
                provisional: a.provisional, runs: a.runs, successRate: a.successRate, winRate: a.winRate ?? 0,
                firstAttemptSuccess: a.firstAttemptSuccess ?? 0, costPerTask: a.costPerTask, costPerSuccess: a.costPerSuccess,
                tokensPerTask: a.tokensPerTask, verifierSpend: a.verifierSpendUSD,
                medianTimeToFirstAttemptS: a.medianTimeToFirstAttemptS, medianTimeToSuccessS: a.medianTimeToSuccessS,
                medianTurns: a.medianTurns, tokensPerSec: a.tokensPerSec, costKilled: a.costKilled,
                topErrors: a.topErrors.map { "\($0.outcome.rawValue)×\($0.count)" }, speedEfficiency: a.speedEfficiency,
                onFrontier: a.onFrontier, frontierFrequency: a.frontierFrequency ?? 0, attempts: a.attempts)
        }
        let verifiers = result.verifiers.map { v in
            VerifierRowView(verifier: v.verifier, harness: v.harness, model: v.model ?? Format.none, reviews: v.reviews,
                            validVerdictRate: v.validVerdictRate, agreementTau: v.agreementTau,
                            positionBias: v.positionBias, swapConsistency: v.swapConsistency, selfPreference: v.selfPreference, costUSD: v.costUSD)
        }
        return LeaderboardView(generatedAt: generatedAt, runs: result.runs, rows: rows, verifiers: verifiers,
                               bootstrapReplicates: result.replicates, seed: result.seed)
    }

    /// The one JSON document (`LeaderboardDocument`).
    public static func json(_ result: LeaderboardResult, query: LeaderboardQuery, generatedAt: Date) -> String {
        let document = LeaderboardDocument(result: result, since: query.since, spec: query.specGlob, generatedAt: generatedAt,
                                           by: query.grouping.rawValue)
        let data = (try? AgonJSON.encoder.encode(document)) ?? Data("{\"schema_version\":\(AgonJSON.schemaVersion)}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// `agon leaderboard --format json`: every metric, snake_case keys, `schema_version`.
///
/// JSON has no ∞: `cost_per_success_usd` is null and `cost_per_success_status` says why
/// (`ok`, `no_success` — the ∞ case —, or `unpriced`). Unknown values are null, never omitted.
struct LeaderboardDocument: Encodable {
    let result: LeaderboardResult
    let since: String?
    let spec: String?
    let generatedAt: Date
    /// `--by`: what one row is.
    var by = LeaderboardGrouping.agent.rawValue

    enum Key: String, CodingKey {
        case schemaVersion = "schema_version", generatedAt = "generated_at", filters, runs, reviewedRuns = "reviewed_runs"
        case ratingObservations = "rating_observations", picks, bootstrap, verifierSpend = "verifier_spend_usd"
        case agents, verifiers, since, spec, replicates, seed, level, alpha
        case unconverged = "unconverged_replicates", dropped = "dropped_replicates", interval, scale
        case by
        case serveMix = "serve_mix"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(AgonJSON.schemaVersion, forKey: .schemaVersion)
        try c.encode(generatedAt, forKey: .generatedAt)
        var filters = c.nestedContainer(keyedBy: Key.self, forKey: .filters)
        try filters.encode(since, forKey: .since)
        try filters.encode(spec, forKey: .spec)
        try filters.encode(by, forKey: .by)
        try c.encode(result.runs, forKey: .runs)
        try c.encode(result.reviewedRuns, forKey: .reviewedRuns)
        try c.encode(result.ratingObservations, forKey: .ratingObservations)
        try c.encode(result.picksUsed, forKey: .picks)
        var bootstrap = c.nestedContainer(keyedBy: Key.self, forKey: .bootstrap)
        try bootstrap.encode(result.replicates, forKey: .replicates)
        try bootstrap.encode(result.seed, forKey: .seed)
        try bootstrap.encode(result.level, forKey: .level)
        try bootstrap.encode(result.alpha, forKey: .alpha)
        try bootstrap.encode(result.unconvergedReplicates, forKey: .unconverged)
        try bootstrap.encode(result.droppedReplicates, forKey: .dropped)
        try bootstrap.encode("basic bootstrap over runs, widened by sqrt(R/(R-1))", forKey: .interval)
        try bootstrap.encode("elo: 1500 + 400·θ/ln 10", forKey: .scale)
        try c.encode(jsonNumber(result.verifierSpendUSD), forKey: .verifierSpend)
        try c.encode(result.agents.map(AgentRow.init), forKey: .agents)
        try c.encode(result.verifiers.map(VerifierRow.init), forKey: .verifiers)
        // Only with cascade runs, so documents of stores without cascades keep their shape.
        if !result.serveMix.isEmpty { try c.encode(result.serveMix.map(ServeMixRow.init), forKey: .serveMix) }
    }

    struct AgentRow: Encodable {
        let a: AgentStanding
        init(_ a: AgentStanding) { self.a = a }

        enum Key: String, CodingKey {
            case agent, agentIDs = "agent_ids", harness, model, rating, ratingLow = "rating_low", ratingHigh = "rating_high"
            case rank, rankLow = "rank_low", rankHigh = "rank_high", provisional, runs, successes
            case successRate = "success_rate", reviewedRuns = "reviewed_runs", wins, winRate = "win_rate"
            case firstAttemptSpecs = "first_attempt_specs", firstAttemptSuccesses = "first_attempt_successes"
            case firstAttemptSuccess = "first_attempt_success", pricedRuns = "priced_runs", unpricedRuns = "unpriced_runs"
            case totalCost = "total_cost_usd", costPerTask = "cost_per_task_usd", costPerSuccess = "cost_per_success_usd"
            case costPerSuccessStatus = "cost_per_success_status", tokensPerTask = "tokens_per_task"
            case verifierSpend = "verifier_spend_usd", medianTimeToFirstAttempt = "median_time_to_first_attempt_s"
            case medianTimeToSuccess = "median_time_to_success_s", medianTurns = "median_turns"
            case tokensPerSec = "tokens_per_sec", costKilled = "cost_killed", topErrors = "top_errors"
            case speedEfficiency = "speed_efficiency_score", onFrontier = "on_frontier"
            case frontierFrequency = "frontier_frequency", picks, separation
        }

        struct ErrorCount: Encodable {
            let outcome: String
            let count: Int
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(a.displayName, forKey: .agent)
            try c.encode(a.agentIDs, forKey: .agentIDs)
            try c.encode(a.harness, forKey: .harness)
            try c.encode(a.model, forKey: .model)
            try c.encode(jsonNumber(a.separation == .none ? a.rating : nil), forKey: .rating)
            try c.encode(a.separation.rawValue, forKey: .separation)
            try c.encode(jsonNumber(a.ratingLow), forKey: .ratingLow)
            try c.encode(jsonNumber(a.ratingHigh), forKey: .ratingHigh)
            try c.encode(a.rank, forKey: .rank)
            try c.encode(a.rankLow, forKey: .rankLow)
            try c.encode(a.rankHigh, forKey: .rankHigh)
            try c.encode(a.provisional, forKey: .provisional)
            try c.encode(a.runs, forKey: .runs)
            try c.encode(a.successes, forKey: .successes)
            try c.encode(a.successRate, forKey: .successRate)
            try c.encode(a.reviewedRuns, forKey: .reviewedRuns)
            try c.encode(a.wins, forKey: .wins)
            try c.encode(a.winRate, forKey: .winRate)
            try c.encode(a.firstAttemptSpecs, forKey: .firstAttemptSpecs)
            try c.encode(a.firstAttemptSuccesses, forKey: .firstAttemptSuccesses)
            try c.encode(a.firstAttemptSuccess, forKey: .firstAttemptSuccess)
            try c.encode(a.pricedRuns, forKey: .pricedRuns)
            try c.encode(a.unpricedRuns, forKey: .unpricedRuns)
            try c.encode(jsonNumber(a.totalCostUSD), forKey: .totalCost)
            try c.encode(jsonNumber(a.costPerTask), forKey: .costPerTask)
            switch a.costPerSuccess {
            case .usd(let value):
                try c.encode(jsonNumber(value), forKey: .costPerSuccess)
                try c.encode("ok", forKey: .costPerSuccessStatus)
            case .noSuccess:
                try c.encodeNil(forKey: .costPerSuccess)
                try c.encode("no_success", forKey: .costPerSuccessStatus)
            case .unpriced:
                try c.encodeNil(forKey: .costPerSuccess)
                try c.encode("unpriced", forKey: .costPerSuccessStatus)
            }
            try c.encode(jsonNumber(a.tokensPerTask), forKey: .tokensPerTask)
            try c.encode(jsonNumber(a.verifierSpendUSD), forKey: .verifierSpend)
            try c.encode(jsonNumber(a.medianTimeToFirstAttemptS), forKey: .medianTimeToFirstAttempt)
            try c.encode(jsonNumber(a.medianTimeToSuccessS), forKey: .medianTimeToSuccess)
            try c.encode(jsonNumber(a.medianTurns), forKey: .medianTurns)
            try c.encode(jsonNumber(a.tokensPerSec), forKey: .tokensPerSec)
            try c.encode(a.costKilled, forKey: .costKilled)
            try c.encode(a.topErrors.map { ErrorCount(outcome: $0.outcome.rawValue, count: $0.count) }, forKey: .topErrors)
            try c.encode(jsonNumber(a.speedEfficiency), forKey: .speedEfficiency)
            try c.encode(a.onFrontier, forKey: .onFrontier)
            try c.encode(jsonNumber(a.frontierFrequency), forKey: .frontierFrequency)
            try c.encode(a.picks, forKey: .picks)
            try encodeAttempts(to: encoder)
        }
    }

    struct VerifierRow: Encodable {
        let v: VerifierStanding
        init(_ v: VerifierStanding) { self.v = v }

        enum Key: String, CodingKey {
            case verifier, harness, model, weight, reviews, validReviews = "valid_reviews"
            case validVerdictRate = "valid_verdict_rate", agreementTau = "agreement_tau", positionBias = "position_bias"
            case swapConsistency = "swap_consistency", swappedReviews = "swapped_reviews"
            case selfPreference = "self_preference", selfPreferenceHigherRate = "self_preference_higher_rate"
            case selfPreferenceSamples = "self_preference_samples", selfPreferenceStatus = "self_preference_status"
            case cost = "cost_usd", unpricedReviews = "unpriced_reviews"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(v.verifier, forKey: .verifier)
            try c.encode(v.harness, forKey: .harness)
            try c.encode(v.model, forKey: .model)
            try c.encode(jsonNumber(v.weight), forKey: .weight)
            try c.encode(v.reviews, forKey: .reviews)
            try c.encode(v.validReviews, forKey: .validReviews)
            try c.encode(v.validVerdictRate, forKey: .validVerdictRate)
            try c.encode(jsonNumber(v.agreementTau), forKey: .agreementTau)
            try c.encode(jsonNumber(v.positionBias), forKey: .positionBias)
            try c.encode(jsonNumber(v.swapConsistency), forKey: .swapConsistency)
            try c.encode(v.swappedReviews, forKey: .swappedReviews)
            try c.encode(jsonNumber(v.selfPreference), forKey: .selfPreference)
            try c.encode(jsonNumber(v.selfPreferenceHigherRate), forKey: .selfPreferenceHigherRate)
            try c.encode(v.selfPreferenceSamples, forKey: .selfPreferenceSamples)
            try c.encode(v.selfPreferenceStatus, forKey: .selfPreferenceStatus)
            try c.encode(jsonNumber(v.costUSD), forKey: .cost)
            try c.encode(v.unpricedReviews, forKey: .unpricedReviews)
        }
    }
}

/// JSON cannot carry NaN or ∞: such values become null.
private func jsonNumber(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}
