@testable import AgonCore
import Foundation
import Testing

/// `strategy: cascade`, `expected_ttft` / `expected_time_to_solution`, the cache key and the
/// slow-flag rule.
@Suite struct CascadeConfigTests {
    static let agents = """
    agents:
      cheap-a: { harness: gemini, model: gemini-2.5-flash }
      cheap-b: { harness: codex, model: gpt-5-codex }
      frontier: { harness: claude, model: claude-opus-4-1, expected_ttft: 20s, expected_time_to_solution: 5m }

    """

    @Test func cascadeInAgonYMLAndSpec() throws {
        let config = try Config.parse(yaml: Self.agents + "strategy: { cascade: [[cheap-a, cheap-b], [frontier]] }\n")
        #expect(config.strategy == CascadeStrategy(tiers: [["cheap-a", "cheap-b"], ["frontier"]]))
        #expect(config.strategy?.tier(of: "frontier") == 2)
        #expect(config.agent("frontier")?.expectedTTFT == AgonDuration(seconds: 20))
        #expect(config.agent("frontier")?.expectedTimeToSolution == .minutes(5))
        let spec = try Spec.parse(text: "---\nstrategy:\n  cascade:\n    - [cheap-a]\n    - [frontier]\n---\n# T\n", file: "specs/t.md")
        #expect(spec.strategy?.tiers == [["cheap-a"], ["frontier"]])
        #expect(try Spec.parse(text: "# T\n", file: "specs/t.md").strategy == nil)
    }

    @Test(arguments: [
        ("strategy: { cascade: [[cheap-a], []] }\n", "agon.yml:5: strategy.cascade[1]: tier 2 is empty: name at least one agent"),
        ("strategy: { cascade: [[cheap-a], [cheap-a, frontier]] }\n",
         "agon.yml:5: strategy.cascade[1][0]: agent \"cheap-a\" is already in tier 1; each agent may be in one tier once"),
        ("strategy: { cascade: [[cheap-a], [gpt-9]] }\n",
         "agon.yml:5: strategy.cascade: tier 2: unknown agent \"gpt-9\" (configured: cheap-a, cheap-b, frontier)"),
        ("strategy: { cascade: [] }\n",
         "agon.yml:5: strategy.cascade: expected a list of tiers, each a list of agent ids, e.g. [[cheap-a, cheap-b], [frontier]]"),
        ("strategy: { cascade: [cheap-a, frontier] }\n", "agon.yml:5: strategy.cascade[0]: expected a list of agent ids, got \"cheap-a\""),
        ("strategy: { tiers: [[cheap-a]] }\n", "agon.yml:5: strategy.tiers: unknown key; known keys: cascade"),
        ("strategy: { }\n", "agon.yml:5: strategy: expected { cascade: [[cheap-a, cheap-b], [frontier]] }"),
    ])
    func cascadeErrorsAreOneLiners(tail: String, message: String) {
        let error = #expect(throws: AgonInputError.self) { try Config.parse(yaml: Self.agents + tail) }
        #expect(error?.description == message)
    }

    @Test func expectedTimesAreValidated() {
        let zero = #expect(throws: AgonInputError.self) {
            try Config.parse(yaml: "agents:\n  a: { harness: claude, expected_ttft: 0s }\n")
        }
        #expect(zero?.description == "agon.yml:2: agents.a.expected_ttft: must be longer than zero")
        let verifier = #expect(throws: AgonInputError.self) {
            try Config.parse(yaml: "verifiers:\n  v: { harness: claude, expected_time_to_solution: 1m }\n")
        }
        #expect(verifier?.description == "agon.yml:2: verifiers.v.expected_time_to_solution: only agents have expected times")
    }

    @Test func cacheKeyChangesWithEveryInput() {
        let entry = AgentEntry(id: "a", harness: .claude, model: "claude-sonnet-4-5", args: ["--x"])
        let budget = ResolvedBudget(maxCostUSD: 0.4, hardTimeout: 120, silenceTimeout: 60, isTallyOnly: false,
                                    enforceable: true, origin: .spec, hardTimeoutOrigin: .spec, silenceTimeoutOrigin: .spec)
        let key = CacheKey.make(specHash: "s", baseSHA: "b", entry: entry, budget: budget)
        #expect(key == CacheKey.make(specHash: "s", baseSHA: "b", entry: entry, budget: budget))
        var other = entry; other.model = "claude-opus-4-1"
        var args = entry; args.args = ["--y"]
        var cheaper = budget; cheaper.maxCostUSD = 0.3
        var shorter = budget; shorter.hardTimeout = 60
        let keys = [CacheKey.make(specHash: "t", baseSHA: "b", entry: entry, budget: budget),
                    CacheKey.make(specHash: "s", baseSHA: "c", entry: entry, budget: budget),
                    CacheKey.make(specHash: "s", baseSHA: "b", entry: other, budget: budget),
                    CacheKey.make(specHash: "s", baseSHA: "b", entry: args, budget: budget),
                    CacheKey.make(specHash: "s", baseSHA: "b", entry: entry, budget: cheaper),
                    CacheKey.make(specHash: "s", baseSHA: "b", entry: entry, budget: shorter)]
        #expect(Set(keys + [key]).count == 7)
        // An entry id is not part of what was asked: the same agent under another name is a repeat.
        var renamed = entry; renamed.id = "b"
        #expect(CacheKey.make(specHash: "s", baseSHA: "b", entry: renamed, budget: budget) == key)
    }

    @Test func onlyCleanFinishesAreCacheable() {
        var c = CandidateRecord(agent: "a", harness: .claude, outcome: .ok, state: .finished, worktree: "w", branch: "b")
        c.diff = DiffSummary(files: 1, patchPath: "p", patchSHA256: "h")
        c.snapshotSHA = String(repeating: "a", count: 40)
        #expect(CacheKey.isCacheable(c))
        for outcome in Outcome.allCases where outcome != .ok {
            var other = c; other.outcome = outcome
            #expect(!CacheKey.isCacheable(other), "\(outcome) must not be cached")
        }
        var tampered = c; tampered.tampering = ["refs/heads/main"]
        var hit = c; hit.cacheHit = CacheHit(sourceRunID: "r", sourceCostUSD: nil)
        var unsealed = c; unsealed.diff.patchSHA256 = nil
        #expect(!CacheKey.isCacheable(tampered) && !CacheKey.isCacheable(hit) && !CacheKey.isCacheable(unsealed))
    }

    @Test func slowFlags() {
        #expect(SlowFlag.flags(ttft: AgonDuration(seconds: 2), timeToSolution: .minutes(1), firstOutputMs: 1_500, durationMs: 50_000) == [])
        #expect(SlowFlag.flags(ttft: AgonDuration(seconds: 2), timeToSolution: .minutes(1), firstOutputMs: 2_001, durationMs: 60_001) == [
            SlowFlag(expectation: .ttft, expectedMs: 2_000, observedMs: 2_001),
            SlowFlag(expectation: .timeToSolution, expectedMs: 60_000, observedMs: 60_001),
        ])
        // No output at all: the whole run is the time to first output.
        #expect(SlowFlag.flags(ttft: AgonDuration(seconds: 2), timeToSolution: nil, firstOutputMs: nil, durationMs: 9_000)
                == [SlowFlag(expectation: .ttft, expectedMs: 2_000, observedMs: 9_000)])
        #expect(SlowFlag.flags(ttft: nil, timeToSolution: nil, firstOutputMs: 1, durationMs: 1) == [])
    }
}
