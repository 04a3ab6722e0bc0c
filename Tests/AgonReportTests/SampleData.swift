import AgonCore
import AgonLeaderboard
@testable import AgonReport
import AgonTournament
import Foundation

/// A realistic run and leaderboard, with hostile text in every field that comes from outside.
enum SampleData {
    static let scriptPayload = "<script>alert(1)</script>"
    static let attributePayload = "\"><img src=x onerror=alert(2)>"

    static let hostileDiff = """
    diff --git a/Sources/HTTP/Retry.swift b/Sources/HTTP/Retry.swift
    index 3b18e51..a9c2f4d 100644
    --- a/Sources/HTTP/Retry.swift
    +++ b/Sources/HTTP/Retry.swift
    @@ -1,4 +1,9 @@
     import Foundation
    -let maxAttempts = 1
    +let maxAttempts = 5 // "quoted" & 'single' <b>bold</b>
    +let banner = "\(scriptPayload)"
    +let attr = "\(attributePayload)"
    +let bell = "\u{07}\u{1B}[31mred\u{1B}[0m"
     func retry() {}
    """

    static let run = RunView(
        runID: "20261123T131500Z-k3f9",
        specTitle: "Add retry with exponential backoff <script>x()</script>",
        specBody: "The client should retry idempotent requests on 5xx & connection errors.\n\(scriptPayload)\n",
        baseSHA: "0123456789abcdef0123456789abcdef01234567",
        status: "reviewed",
        candidates: [
            CandidateView(agent: "sonnet", harness: .claude, model: "claude-sonnet-4-6", outcome: .ok, costUSD: 0.3142,
                          costSource: .reported, budgetUSD: 0.5, tokens: TokenUsage(input: 12000, cachedInput: 40000, output: 3500),
                          turns: 14, durationMs: 83_000, checks: CheckSummary(acceptance: .passed, holdout: .passed, scope: .passed),
                          diff: DiffSummary(files: 2, insertions: 48, deletions: 3), rank: 1, sandbox: "bwrap"),
            CandidateView(agent: "gpt", harness: .codex, model: "gpt-5.3-codex", outcome: .ok, costUSD: 0.21,
                          costSource: .computed, budgetUSD: 2.0, tokens: TokenUsage(input: 20000, output: 6000, reasoning: 2000),
                          turns: 9, durationMs: 121_500, checks: CheckSummary(acceptance: .passed, holdout: .failed, scope: .failed),
                          diff: DiffSummary(files: 7, insertions: 410, deletions: 120), rank: 2, sandbox: "bwrap"),
            CandidateView(agent: "flash", harness: .gemini, model: "gemini-3-flash-preview", outcome: .ok, costUSD: 0.0123,
                          costSource: .computed, budgetUSD: 0.5, tokens: TokenUsage(input: 30000, output: 2000),
                          turns: 6, durationMs: 45_200, checks: CheckSummary(acceptance: .failed, holdout: .skipped, scope: .passed),
                          diff: DiffSummary(files: 1, insertions: 10, deletions: 2), rank: 3, sandbox: "none",
                          tampering: ["refs/heads/main changed \(scriptPayload)"]),
            CandidateView(agent: "spender", harness: .opencode, model: "big-model", outcome: .costKilled, costUSD: 0.5031,
                          costSource: .computed, budgetUSD: 0.5, tokens: TokenUsage(input: 90000, output: 20000),
                          turns: 30, durationMs: 300_000, checks: CheckSummary(), diff: DiffSummary(files: 0), rank: 4, sandbox: "bwrap"),
        ],
        consensus: ConsensusView(ranking: ["sonnet", "gpt", "flash", "spender"], method: "kemeny", kendallW: 0.78,
                                 split: false, shortlist: ["sonnet", "gpt"], alternativeMethod: "borda",
                                 alternativeRanking: ["sonnet", "gpt", "flash", "spender"]),
        reviews: [
            ReviewView(verifier: "judge-a", harness: .claude, model: "claude-opus-4-8",
                       ranking: ["sonnet", "gpt", "flash", "spender"],
                       notes: "Candidate A handles jitter. \(attributePayload)", costUSD: 0.042),
            ReviewView(verifier: "judge-b", harness: .openai, model: "qwen3-coder",
                       ranking: ["gpt", "sonnet", "flash", "spender"], notes: "B is sprawling but complete.", costUSD: 0.0031),
            ReviewView(verifier: "judge-c", harness: .gemini, model: "gemini-3-pro", ranking: [],
                       excludedReason: "malformed verdict after retry", costUSD: 0.011),
        ],
        diffs: ["sonnet": hostileDiff, "gpt": "diff --git a/x b/x\n+added line\n-removed line\n", "flash": ""])

    static let leaderboard = LeaderboardView(
        generatedAt: Date(timeIntervalSince1970: 1_795_000_000),
        runs: 24,
        rows: [
            LeaderboardRowView(agent: "sonnet", harness: .claude, model: "claude-sonnet-4-6", rating: 1612, ratingLow: 1560,
                               ratingHigh: 1668, rankLow: 1, rankHigh: 2, runs: 24, successRate: 0.83, winRate: 0.46,
                               firstAttemptSuccess: 0.71, costPerTask: 0.34, costPerSuccess: .usd(0.41), tokensPerTask: 58_000,
                               verifierSpend: 0.9, medianTimeToFirstAttemptS: 64, medianTimeToSuccessS: 92, medianTurns: 13,
                               tokensPerSec: 610, costKilled: 1, topErrors: ["cost_killed"], speedEfficiency: 0.33,
                               onFrontier: true, frontierFrequency: 0.92),
            LeaderboardRowView(agent: "gpt", harness: .codex, model: "gpt-5.3-codex", rating: 1580, ratingLow: 1522,
                               ratingHigh: 1641, rankLow: 1, rankHigh: 3, runs: 24, successRate: 0.75, winRate: 0.33,
                               firstAttemptSuccess: 0.6, costPerTask: 0.52, costPerSuccess: .usd(0.69), tokensPerTask: 71_000,
                               medianTimeToFirstAttemptS: 80, medianTimeToSuccessS: 140, medianTurns: 9, tokensPerSec: 480,
                               speedEfficiency: 0.22, onFrontier: false, frontierFrequency: 0.21),
            LeaderboardRowView(agent: "flash", harness: .gemini, model: "gemini-3-flash-preview", rating: 1488, ratingLow: 1430,
                               ratingHigh: 1540, rankLow: 2, rankHigh: 4, runs: 24, successRate: 0.5, winRate: 0.17,
                               firstAttemptSuccess: 0.42, costPerTask: 0.011, costPerSuccess: .usd(0.022), tokensPerTask: 33_000,
                               medianTimeToFirstAttemptS: 31, medianTimeToSuccessS: 40, medianTurns: 6, tokensPerSec: 900,
                               speedEfficiency: 0.29, onFrontier: true, frontierFrequency: 0.88),
            LeaderboardRowView(agent: "local <b>model</b>", harness: .command, model: "my-agent", rating: 1400, ratingLow: 1290,
                               ratingHigh: 1500, rankLow: 3, rankHigh: 5, provisional: true, runs: 3, successRate: 0.33,
                               costPerTask: 0.004, costPerSuccess: .usd(0.012), tokensPerTask: 9_000, medianTimeToSuccessS: 300,
                               speedEfficiency: 0.055, onFrontier: true, frontierFrequency: 0.4),
            LeaderboardRowView(agent: "spender", harness: .opencode, model: "big-model", rating: 1320, ratingLow: 1250,
                               ratingHigh: 1390, rankLow: 4, rankHigh: 5, runs: 24, successRate: 0, costPerTask: 1.9,
                               costPerSuccess: .noSuccess, tokensPerTask: 210_000, medianTimeToSuccessS: nil, costKilled: 20,
                               topErrors: ["cost_killed", "timeout"], speedEfficiency: 0, onFrontier: false, frontierFrequency: 0),
            LeaderboardRowView(agent: "mystery", harness: .pi, model: "unpriced-model", rating: 1450, ratingLow: 1380,
                               ratingHigh: 1520, rankLow: 2, rankHigh: 5, runs: 6, successRate: 0.5, costPerTask: nil,
                               costPerSuccess: .unpriced, medianTimeToSuccessS: 75, speedEfficiency: 0.22),
        ],
        verifiers: [
            VerifierRowView(verifier: "judge-a", harness: .claude, model: "claude-opus-4-8", reviews: 24, validVerdictRate: 1,
                            agreementTau: 0.71, positionBias: 0.04, swapConsistency: 0.9, selfPreference: 0.12, costUSD: 1.02),
            VerifierRowView(verifier: "judge-b", harness: .openai, model: "qwen3-coder", reviews: 24, validVerdictRate: 0.875,
                            agreementTau: 0.55, positionBias: -0.18, costUSD: nil),
        ],
        bootstrapReplicates: 1000, seed: 42)
}
