import AgonCore
import AgonStore
import Foundation

/// Deterministic synthetic history for benchmarks and leaderboard tests: realistic-looking
/// runs where each agent has a hidden strength and cost level, so rankings carry signal.
public enum SyntheticStore {
    /// Verifier ids used by generated runs.
    public static let verifiers = ["judge-a", "judge-b", "judge-c"]

    /// Inserts `runs` runs (each with one candidate per agent, three reviews and a consensus)
    /// in transactions of 500; the same `seed` always yields the same records.
    public static func populate(store: RunStore, runs: Int, agents: [String], seed: UInt64,
                                start: Date = Date(timeIntervalSince1970: 1_767_225_600)) throws {
        var rng = SplitMix64(seed: seed)
        var batch: [RunRecord] = []
        batch.reserveCapacity(500)
        for i in 0..<runs {
            batch.append(makeRun(index: i, agents: agents, start: start, rng: &rng))
            if batch.count == 500 {
                try store.importRuns(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try store.importRuns(batch) }
    }

    /// One generated run (exposed so tests can compare against what `populate` stored).
    public static func makeRun(index: Int, agents: [String], start: Date, rng: inout SplitMix64) -> RunRecord {
        let harnesses: [Harness] = [.claude, .codex, .gemini, .opencode, .pi, .aider, .command]
        let runID = String(format: "r%08d-%04x", index, Int(rng.next() & 0xFFFF))
        let createdAt = AgonJSON.millisecondPrecision(start.addingTimeInterval(Double(index) * 90))
        let specPath = "specs/\(["http", "cli", "store", "ui"][index % 4])/task-\(index % 97).md"
        var candidates: [CandidateRecord] = []
        var quality: [String: Double] = [:]
        for (a, agent) in agents.enumerated() {
            let strength = Double(a) / Double(max(1, agents.count - 1)) // later agents are stronger
            let roll = rng.unit()
            let outcome: Outcome = roll < 0.05 ? .costKilled : roll < 0.08 ? .timeout : roll < 0.12 ? .noChanges : .ok
            let tokens = TokenUsage(input: 2_000 + Int(rng.unit() * 40_000), cachedInput: Int(rng.unit() * 200_000),
                                    cacheWrite: Int(rng.unit() * 10_000), output: 500 + Int(rng.unit() * 8_000),
                                    reasoning: Int(rng.unit() * 4_000))
            let priced = a % 5 != 4 // every fifth agent is unpriced
            let cost = priced ? (0.02 + strength * 0.8) * (0.5 + rng.unit()) : nil
            let acceptance: CheckStatus = outcome == .ok ? (rng.unit() < 0.4 + 0.5 * strength ? .passed : .failed) : .skipped
            let files = outcome == .noChanges ? 0 : 1 + Int(rng.unit() * 6)
            quality[agent] = strength + rng.unit() * 0.8 + (acceptance == .passed ? 0.5 : 0)
            candidates.append(CandidateRecord(
                agent: agent, harness: harnesses[a % harnesses.count], model: "model-\(agent)", outcome: outcome,
                state: .finished, costUSD: cost, computedCostUSD: cost, reportedCostUSD: nil,
                costSource: priced ? .computed : .unpriced, costKilledAt: outcome == .costKilled ? cost : nil,
                budgetUSD: 1.5, tokens: tokens, turns: 1 + Int(rng.unit() * 30),
                firstAttemptMs: 5_000 + Int(rng.unit() * 60_000), durationMs: 20_000 + Int(rng.unit() * 600_000),
                tokensPerSec: 20 + rng.unit() * 80, exitStatus: outcome == .costKilled ? "signal 15" : "exit 0",
                diff: DiffSummary(files: files, insertions: files * Int(1 + rng.unit() * 40),
                                  deletions: files * Int(rng.unit() * 20),
                                  patchPath: ".agon/runs/\(runID)/candidates/\(agent)/patch.diff",
                                  changedPaths: (0..<files).map { "Sources/Module/File\($0).swift" }),
                checks: CheckSummary(acceptance: acceptance, holdout: acceptance, scope: .passed),
                checkResults: [CheckResult(kind: .acceptance, command: "swift test --filter Task\(index % 97)",
                                           status: acceptance, exitCode: acceptance == .passed ? 0 : 1,
                                           durationMs: 3_000 + Int(rng.unit() * 20_000),
                                           outputPath: ".agon/runs/\(runID)/candidates/\(agent)/checks/acceptance-1.log")],
                worktree: "worktrees/\(runID)/\(agent)", branch: "agon/\(runID)/\(agent)",
                snapshotSHA: String(format: "%016llx%016llx%08x", rng.next(), rng.next(), UInt32(truncatingIfNeeded: rng.next())),
                transcriptPath: ".agon/runs/\(runID)/candidates/\(agent)/transcript.jsonl",
                stderrPath: ".agon/runs/\(runID)/candidates/\(agent)/stderr.log"))
        }
        let gated = candidates.filter { $0.outcome != .ok }.map(\.agent)
        var reviews: [ReviewRecord] = []
        for (v, verifier) in verifiers.enumerated() {
            let ranked = agents.filter { !gated.contains($0) }
                .map { ($0, quality[$0, default: 0] + rng.unit() * 0.6) }
                .sorted { $0.1 > $1.1 }.map(\.0)
            var order = agents
            order = rng.shuffle(order)
            let labels = Dictionary(uniqueKeysWithValues: order.enumerated().map {
                (String(UnicodeScalar(UInt8(65 + $0.offset % 26))), $0.element)
            })
            reviews.append(ReviewRecord(
                verifier: verifier, harness: v == 2 ? .openai : .claude, model: "judge-model-\(v)", status: .ok,
                seed: rng.next(), displayOrder: order, labels: labels, ranking: ranked,
                notes: Dictionary(uniqueKeysWithValues: ranked.prefix(2).map {
                    ($0, ReviewNote(summary: "Implements the spec for \($0).", risks: ["edge cases untested"], recommendation: "accept"))
                }),
                costUSD: 0.01 + rng.unit() * 0.05, costSource: .computed,
                tokens: TokenUsage(input: 8_000, output: 600), durationMs: 10_000 + Int(rng.unit() * 30_000),
                packetPath: ".agon/runs/\(runID)/reviews/\(verifier)/packet.md",
                verdictPath: ".agon/runs/\(runID)/reviews/\(verifier)/verdict.json"))
        }
        let ranking = agents.filter { !gated.contains($0) }.sorted { quality[$0, default: 0] > quality[$1, default: 0] } + gated
        let consensus = ConsensusRecord(
            ranking: ranking, method: "kemeny", kendallW: 0.3 + rng.unit() * 0.7, split: rng.unit() < 0.1,
            splitReasons: [], bordaRanking: ranking,
            perVerifierTau: Dictionary(uniqueKeysWithValues: verifiers.map { ($0, Optional(rng.unit())) }), gated: gated)
        return RunRecord(
            runID: runID, specPath: specPath, specTitle: "Synthetic task \(index % 97)",
            specHash: String(format: "%016llx", rng.next()), baseRef: "main",
            baseSHA: String(format: "%016llx%016llx%08x", rng.next(), rng.next(), UInt32(truncatingIfNeeded: rng.next())),
            status: .done, createdAt: createdAt, finishedAt: createdAt.addingTimeInterval(900),
            agentsPlanned: agents, verifiersPlanned: verifiers, manifestPath: ".agon/runs/\(runID)/manifest.json",
            dirtyAtStart: false, candidates: candidates, reviews: reviews, consensus: consensus)
    }
}
