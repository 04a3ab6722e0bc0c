import Foundation

// The exact-repeat cache's key and record, and the advisory `slow` flag: small values on a
// candidate (`CandidateRecord.cacheKey`, `.cacheHit`, `.slow`).

/// Which finished candidate a cache hit reused.
public struct CacheHit: Codable, Equatable, Sendable {
    /// The run whose candidate was reused (never itself a cache hit: sources are originals).
    public var sourceRunID: String
    /// What the original cost (nil when unpriced); this candidate spent $0.
    public var sourceCostUSD: Double?

    public init(sourceRunID: String, sourceCostUSD: Double?) {
        self.sourceRunID = sourceRunID
        self.sourceCostUSD = sourceCostUSD
    }

    enum CodingKeys: String, CodingKey { case sourceRunID = "source_run", sourceCostUSD = "source_cost_usd" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sourceRunID, forKey: .sourceRunID)
        try c.encode(sourceCostUSD, forKey: .sourceCostUSD)
    }
}

/// The exact-repeat cache's key: two candidates with equal keys were asked the same thing.
public enum CacheKey {
    /// Version of the agent prompt's template (`AgentPrompt`): bump it whenever the template's
    /// text changes, so cached candidates made from the old prompt are not reused.
    public static let promptTemplateVersion = 1

    /// SHA-256 over the spec hash, the base commit, the agent entry's harness, model, args and
    /// command, the prompt template version and the resolved budget. Environment values are not
    /// in it (they hold keys, and a changed key does not change the task).
    public static func make(specHash: String, baseSHA: String, entry: AgentEntry, budget: ResolvedBudget) -> String {
        var parts: [String] = ["agon-cache-v1", "spec=\(specHash)", "base=\(baseSHA)", "harness=\(entry.harness.rawValue)",
                               "model=\(entry.model ?? "")", "prompt=\(promptTemplateVersion)"]
        parts += entry.args.map { "arg=\($0)" }
        parts += (entry.command ?? []).map { "command=\($0)" }
        // The budget as the agent sees and is held to it.
        parts.append("cap=\(budget.isTallyOnly ? "none" : budget.maxCostUSD.map { String($0) } ?? "none")")
        parts.append("hard=\(budget.hardTimeout)")
        parts.append("silence=\(budget.silenceTimeout)")
        // Length-prefixed, so no two different lists join to the same text.
        let text = parts.map { "\($0.utf8.count):\($0)" }.joined(separator: "\n")
        return SHA256Digest.hex(Data(text.utf8))
    }

    /// Outcomes a cache may reuse: only a clean finish. Killed (cost, timeouts), crashed,
    /// interrupted, tampered, oversize and failed runs are not results worth repeating, and a
    /// run that changed nothing has no patch to re-materialise.
    public static let cacheableOutcomes: Set<Outcome> = [.ok]

    /// Whether `candidate` may serve as a cache source: a clean finish with a sealed patch, no
    /// tampering, not itself a cache hit.
    public static func isCacheable(_ candidate: CandidateRecord) -> Bool {
        guard let outcome = candidate.outcome, cacheableOutcomes.contains(outcome), candidate.state == .finished else { return false }
        // A followed-up candidate's patch answers the spec plus follow-up messages, not the spec alone.
        return candidate.cacheHit == nil && candidate.attempts.count <= 1 && candidate.tampering.isEmpty && !candidate.diff.isEmpty
            && candidate.diff.patchSHA256 != nil && candidate.snapshotSHA != nil
    }
}

/// Which advisory expectation a candidate exceeded.
public enum SlowExpectation: String, Codable, Sendable, CaseIterable {
    /// `expected_ttft`: time to the first model output (the first usage the CLI reported).
    case ttft
    /// `expected_time_to_solution`: the agent's whole run.
    case timeToSolution = "time_to_solution"
}

/// An agent that took longer than its entry said it should (advisory: it is never killed for it).
public struct SlowFlag: Codable, Equatable, Sendable {
    public var expectation: SlowExpectation
    /// The configured expectation, in milliseconds.
    public var expectedMs: Int
    /// What was observed, in milliseconds (for `ttft` without any output: the whole run).
    public var observedMs: Int

    public init(expectation: SlowExpectation, expectedMs: Int, observedMs: Int) {
        self.expectation = expectation
        self.expectedMs = expectedMs
        self.observedMs = observedMs
    }

    enum CodingKeys: String, CodingKey { case expectation, expectedMs = "expected_ms", observedMs = "observed_ms" }

    /// The flags for one finished agent run: `firstOutputMs` nil means it produced no output at all.
    public static func flags(ttft: AgonDuration?, timeToSolution: AgonDuration?, firstOutputMs: Int?, durationMs: Int?) -> [SlowFlag] {
        var flags: [SlowFlag] = []
        if let ttft, let observed = firstOutputMs ?? durationMs {
            let expected = Int((ttft.seconds * 1000).rounded())
            if observed > expected { flags.append(SlowFlag(expectation: .ttft, expectedMs: expected, observedMs: observed)) }
        }
        if let timeToSolution, let observed = durationMs {
            let expected = Int((timeToSolution.seconds * 1000).rounded())
            if observed > expected { flags.append(SlowFlag(expectation: .timeToSolution, expectedMs: expected, observedMs: observed)) }
        }
        return flags
    }
}
