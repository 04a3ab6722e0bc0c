import AgonCore
import AgonStore
import AgonLeaderboard
import AgonTournament
import Foundation

/// Hand-made records for the leaderboard and report tests.
public enum LeaderboardRecords {
    public static let start = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z

    public static func candidate(_ agent: String, harness: Harness = .claude, model: String? = nil, outcome: Outcome = .ok,
                          cost: Double? = 0.1, files: Int = 1, acceptance: CheckStatus = .passed,
                          holdout: CheckStatus = .skipped, holdoutCommand: Bool = false, turns: Int = 1,
                          firstAttemptMs: Int? = nil, durationMs: Int? = nil, tokensPerSec: Double? = nil,
                          tokens: Int = 0) -> CandidateRecord {
        var results: [CheckResult] = []
        if acceptance != .skipped { results.append(CheckResult(kind: .acceptance, command: "make test", status: acceptance)) }
        if holdoutCommand { results.append(CheckResult(kind: .holdout, command: "./hidden.sh", status: holdout)) }
        return CandidateRecord(
            agent: agent, harness: harness, model: model ?? "model-\(agent)", outcome: outcome, state: .finished,
            costUSD: cost, costSource: cost == nil ? .unpriced : .computed, tokens: TokenUsage(input: tokens),
            turns: turns, firstAttemptMs: firstAttemptMs, durationMs: durationMs, tokensPerSec: tokensPerSec,
            diff: DiffSummary(files: files, insertions: files * 3, deletions: files),
            checks: CheckSummary(acceptance: acceptance, holdout: holdout, scope: .passed), checkResults: results,
            worktree: "worktrees/x/\(agent)", branch: "agon/x/\(agent)")
    }

    public static func review(_ verifier: String, ranking: [String], shown: [String]? = nil, status: ReviewStatus = .ok,
                       cost: Double? = 0.01, harness: Harness = .openai, model: String = "judge-model",
                       dropped: [String] = []) -> ReviewRecord {
        ReviewRecord(verifier: verifier, harness: harness, model: model, status: status, seed: 7,
                     displayOrder: shown ?? ranking, ranking: status == .ok ? ranking : [], droppedSelfPreference: dropped,
                     costUSD: cost, costSource: cost == nil ? .unpriced : .computed)
    }

    public static func run(_ index: Int, spec: String = "specs/task.md", specHash: String? = nil, candidates: [CandidateRecord],
                    reviews: [ReviewRecord] = [], consensus: [String]? = nil, gated: [String] = []) -> RunRecord {
        let id = String(format: "20260101T%06dZ-ab%02d", index, index % 100)
        let created = AgonJSON.millisecondPrecision(start.addingTimeInterval(Double(index) * 86_400))
        return RunRecord(runID: id, specPath: spec, specTitle: "Task \(index)", specHash: specHash ?? "hash-\(spec)",
                         baseRef: "main", baseSHA: String(repeating: "a", count: 40), status: .done, createdAt: created,
                         agentsPlanned: candidates.map(\.agent), verifiersPlanned: reviews.map(\.verifier),
                         candidates: candidates, reviews: reviews,
                         consensus: consensus.map { ConsensusRecord(ranking: $0, method: "kemeny", gated: gated) })
    }

    /// `n` runs of three agents where `top` is always ranked first, then `mid`, then `low`.
    public static func separated(runs n: Int) -> [RunRecord] {
        (0..<n).map { i in
            run(i, candidates: [candidate("low", harness: .gemini, cost: 0.3), candidate("top", cost: 0.2),
                                candidate("mid", harness: .codex, cost: 0.1)],
                reviews: [review("v1", ranking: ["top", "mid", "low"]),
                          review("v2", ranking: i % 3 == 0 ? ["top", "low", "mid"] : ["top", "mid", "low"])],
                consensus: ["top", "mid", "low"])
        }
    }

    /// Agent a: 2 successes in 4 runs (one unpriced), one cost kill. Agent b: never succeeds.
    public static func metricRuns() -> [RunRecord] {
        let a1 = candidate("a", cost: 0.10, holdout: .skipped, turns: 3, firstAttemptMs: 10_000, durationMs: 60_000,
                             tokensPerSec: 50, tokens: 1000)
        let a2 = candidate("a", cost: 0.30, holdout: .failed, holdoutCommand: true, turns: 5, firstAttemptMs: 20_000,
                             durationMs: 120_000, tokensPerSec: 70, tokens: 3000)
        let a3 = candidate("a", outcome: .costKilled, cost: 0.50, acceptance: .skipped, turns: 7, durationMs: 30_000,
                             tokens: 2000)
        let a4 = candidate("a", cost: nil, holdout: .passed, holdoutCommand: true, turns: 1, firstAttemptMs: 30_000,
                             durationMs: 180_000, tokensPerSec: 90, tokens: 2000)
        let b1 = candidate("b", harness: .codex, outcome: .noChanges, cost: 0.05, files: 0, acceptance: .skipped)
        let b2 = candidate("b", harness: .codex, outcome: .timeout, cost: 0.05, acceptance: .skipped)
        let b3 = candidate("b", harness: .codex, outcome: .timeout, cost: 0.05, acceptance: .skipped)
        let b4 = candidate("b", harness: .codex, cost: 0.05, acceptance: .failed)
        let pairs = [(a1, b1), (a2, b2), (a3, b3), (a4, b4)]
        return pairs.enumerated().map { i, pair in
            run(i, spec: i < 2 ? "specs/one.md" : "specs/two.md", candidates: [pair.0, pair.1],
                  reviews: [review("v", ranking: ["a"])], consensus: ["a", "b"], gated: ["b"])
        }
    }

    public static func standing(_ result: LeaderboardResult, _ agent: String) -> AgentStanding? {
        result.agents.first { $0.agentIDs.contains(agent) }
    }
}
