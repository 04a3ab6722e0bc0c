import AgonCore
import AgonStore
import Foundation

/// Records with every field set to a non-default value, so a lost field shows up in equality.
enum Fixtures {
    static let created = AgonJSON.millisecondPrecision(Date(timeIntervalSince1970: 1_767_225_600.123))

    static func candidate(_ agent: String, cost: Double? = 0.4217, outcome: Outcome = .costKilled) -> CandidateRecord {
        CandidateRecord(
            agent: agent, harness: .codex, model: "gpt-5.3-codex", outcome: outcome, state: .finished,
            costUSD: cost, computedCostUSD: 0.4217, reportedCostUSD: 0.43, costSource: cost == nil ? .unpriced : .reported,
            costKilledAt: 0.5001, budgetUSD: 0.5,
            tokens: TokenUsage(input: 1200, cachedInput: 34_000, cacheWrite: 560, output: 7800, reasoning: 910),
            turns: 7, firstAttemptMs: 12_345, durationMs: 98_765, tokensPerSec: 81.25, exitStatus: "signal 9",
            diff: DiffSummary(files: 3, insertions: 40, deletions: 12, patchPath: ".agon/runs/x/candidates/\(agent)/patch.diff",
                              changedPaths: ["Sources/A.swift", "Tests/ATests.swift", "README.md"]),
            checks: CheckSummary(acceptance: .passed, holdout: .failed, scope: .skipped),
            checkResults: [
                CheckResult(kind: .acceptance, command: "swift test --filter RetryTests", status: .passed, exitCode: 0,
                            durationMs: 4321, outputPath: ".agon/runs/x/candidates/\(agent)/checks/acceptance-1.log"),
                CheckResult(kind: .holdout, command: "./hidden.sh", status: .failed, exitCode: nil, durationMs: 10),
            ],
            scopeViolations: ["README.md"], worktree: "worktrees/x/\(agent)", branch: "agon/x/\(agent)",
            snapshotSHA: "0123456789abcdef0123456789abcdef01234567", transcriptPath: "t.jsonl", stderrPath: "e.log",
            malformedLines: 2, apiErrorMessage: "rate limited")
    }

    static func review(_ verifier: String, cost: Double? = 0.031) -> ReviewRecord {
        ReviewRecord(
            verifier: verifier, harness: .openai, model: "qwen3-coder", status: .excluded, reason: "verdict had no ranking",
            seed: 18_446_744_073_709_551_557, displayOrder: ["gpt", "sonnet"], labels: ["A": "gpt", "B": "sonnet"],
            ranking: ["sonnet"], droppedSelfPreference: ["gpt"],
            notes: ["sonnet": ReviewNote(summary: "Clean retry loop.", risks: ["no jitter"], recommendation: "accept")],
            costUSD: cost, costSource: cost == nil ? .unpriced : .computed, tokens: TokenUsage(input: 9000, output: 450),
            durationMs: 2345, packetPath: "packet.md", verdictPath: "verdict.json")
    }

    static let consensus = ConsensusRecord(
        ranking: ["sonnet", "gpt"], method: "kemeny", kendallW: 0.8125, split: true,
        splitReasons: ["judge-a and judge-b disagree on the winner"], bordaRanking: ["gpt", "sonnet"],
        perVerifierTau: ["judge-a": 1.0, "judge-b": nil], gated: ["gpt"])

    static func run(_ id: String, spec: String = "specs/retry.md", created: Date = Fixtures.created,
                    status: RunStatus = .done) -> RunRecord {
        RunRecord(
            runID: id, specPath: spec, specTitle: "Add retry", specHash: "sha256:abc", baseRef: "main",
            baseSHA: "89abcdef0123456789abcdef0123456789abcdef", status: status, createdAt: created,
            finishedAt: created.addingTimeInterval(61.5), agentsPlanned: ["sonnet", "gpt"],
            verifiersPlanned: ["judge-a", "judge-b"], manifestPath: ".agon/runs/\(id)/manifest.json", dirtyAtStart: true,
            candidates: [candidate("sonnet"), candidate("gpt", cost: nil, outcome: .ok)],
            reviews: [review("judge-a"), review("judge-b", cost: nil)], consensus: consensus)
    }
}
