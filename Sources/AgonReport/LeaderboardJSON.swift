import AgonCore
import Foundation

/// `agon leaderboard --json`: snake_case keys, `schema_version`, raw numbers. JSON has no ∞, so
/// cost per success comes as a number or null plus `cost_per_success_status`
/// (`ok`, `no_success`, `unpriced`).
public enum LeaderboardJSON {
    public static let schemaVersion = 1

    public static func render(_ view: LeaderboardView) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(Document(view))
        return String(decoding: data, as: UTF8.self)
    }

    private struct Document: Encodable {
        var schemaVersion = LeaderboardJSON.schemaVersion
        var generatedAt: Date
        var runs: Int
        var bootstrapReplicates: Int
        var seed: UInt64
        var agents: [Row]
        var verifiers: [Verifier]

        init(_ view: LeaderboardView) {
            generatedAt = view.generatedAt
            runs = view.runs
            bootstrapReplicates = view.bootstrapReplicates
            seed = view.seed
            agents = view.rows.map(Row.init)
            verifiers = view.verifiers.map(Verifier.init)
        }

        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version", generatedAt = "generated_at", runs
            case bootstrapReplicates = "bootstrap_replicates", seed, agents, verifiers
        }
    }

    private struct Row: Encodable {
        let row: LeaderboardRowView
        init(_ row: LeaderboardRowView) { self.row = row }

        enum Key: String, CodingKey {
            case agent, harness, model, rating, ratingLow = "rating_low", ratingHigh = "rating_high"
            case rankLow = "rank_low", rankHigh = "rank_high", provisional, runs, successRate = "success_rate"
            case winRate = "win_rate", firstAttemptSuccess = "first_attempt_success", costPerTask = "cost_per_task_usd"
            case costPerSuccess = "cost_per_success_usd", costPerSuccessStatus = "cost_per_success_status"
            case tokensPerTask = "tokens_per_task", verifierSpend = "verifier_spend_usd"
            case medianTimeToFirstAttempt = "median_time_to_first_attempt_s"
            case medianTimeToSuccess = "median_time_to_success_s", medianTurns = "median_turns"
            case tokensPerSec = "tokens_per_sec", costKilled = "cost_killed", topErrors = "top_errors"
            case speedEfficiency = "speed_efficiency_score", onFrontier = "on_frontier"
            case frontierFrequency = "frontier_frequency"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(row.agent, forKey: .agent)
            try c.encode(row.harness, forKey: .harness)
            try c.encode(row.model, forKey: .model)
            // Optionals are written as null rather than left out, so every row has every key.
            try c.encode(row.rating, forKey: .rating)
            try c.encode(row.ratingLow, forKey: .ratingLow)
            try c.encode(row.ratingHigh, forKey: .ratingHigh)
            try c.encode(row.rankLow, forKey: .rankLow)
            try c.encode(row.rankHigh, forKey: .rankHigh)
            try c.encode(row.provisional, forKey: .provisional)
            try c.encode(row.runs, forKey: .runs)
            try c.encode(row.successRate, forKey: .successRate)
            try c.encode(row.winRate, forKey: .winRate)
            try c.encode(row.firstAttemptSuccess, forKey: .firstAttemptSuccess)
            try c.encode(row.costPerTask, forKey: .costPerTask)
            switch row.costPerSuccess {
            case .usd(let v):
                try c.encode(v, forKey: .costPerSuccess)
                try c.encode("ok", forKey: .costPerSuccessStatus)
            case .noSuccess:
                try c.encodeNil(forKey: .costPerSuccess)
                try c.encode("no_success", forKey: .costPerSuccessStatus)
            case .unpriced:
                try c.encodeNil(forKey: .costPerSuccess)
                try c.encode("unpriced", forKey: .costPerSuccessStatus)
            }
            try c.encode(row.tokensPerTask, forKey: .tokensPerTask)
            try c.encode(row.verifierSpend, forKey: .verifierSpend)
            try c.encode(row.medianTimeToFirstAttemptS, forKey: .medianTimeToFirstAttempt)
            try c.encode(row.medianTimeToSuccessS, forKey: .medianTimeToSuccess)
            try c.encode(row.medianTurns, forKey: .medianTurns)
            try c.encode(row.tokensPerSec, forKey: .tokensPerSec)
            try c.encode(row.costKilled, forKey: .costKilled)
            try c.encode(row.topErrors, forKey: .topErrors)
            try c.encode(row.speedEfficiency, forKey: .speedEfficiency)
            try c.encode(row.onFrontier, forKey: .onFrontier)
            try c.encode(row.frontierFrequency, forKey: .frontierFrequency)
        }
    }

    private struct Verifier: Encodable {
        let row: VerifierRowView
        init(_ row: VerifierRowView) { self.row = row }

        enum Key: String, CodingKey {
            case verifier, harness, model, reviews, validVerdictRate = "valid_verdict_rate"
            case agreementTau = "agreement_tau", positionBias = "position_bias", selfPreference = "self_preference"
            case cost = "cost_usd"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(row.verifier, forKey: .verifier)
            try c.encode(row.harness, forKey: .harness)
            try c.encode(row.model, forKey: .model)
            try c.encode(row.reviews, forKey: .reviews)
            try c.encode(row.validVerdictRate, forKey: .validVerdictRate)
            try c.encode(row.agreementTau, forKey: .agreementTau)
            try c.encode(row.positionBias, forKey: .positionBias)
            try c.encode(row.selfPreference, forKey: .selfPreference)
            try c.encode(row.costUSD, forKey: .cost)
        }
    }
}
