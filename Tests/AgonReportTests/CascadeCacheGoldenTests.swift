@testable import AgonCore
import AgonLeaderboard
@testable import AgonReport
import AgonTestSupport
@testable import AgonTournament
import Foundation
import Testing

/// Golden outputs of issue 14's cascade, exact-repeat cache and slow flag (run summary, JSON,
/// validate, leaderboard serve mix, live table).
@Suite("Cascade and cache outputs")
struct CascadeCacheGoldenTests {
    /// A two-tier cascade served by tier 2 after tier 1's panel said `revise`, with a cache hit
    /// and a slow candidate.
    static let cascadeRun: RunRecord = {
        var record = GoldenRuns.reviewed
        record.candidates[0].cacheHit = CacheHit(sourceRunID: "20251231-070000-zzzz", sourceCostUSD: 0.3125)
        record.candidates[0].costUSD = 0
        record.candidates[0].tier = 1
        record.candidates[1].slow = [SlowFlag(expectation: .timeToSolution, expectedMs: 60_000, observedMs: 95_000),
                                     SlowFlag(expectation: .ttft, expectedMs: 5_000, observedMs: 7_250)]
        record.candidates[1].tier = 2
        record.cascade = CascadeRecord(
            tiers: [["neat", "tidy"], ["sprawl"], ["frontier"]], servedByTier: 2,
            escalations: [CascadeEscalation(fromTier: 1, reason: .panelDidNotRecommendApply,
                                            detail: "panel on neat: revise, revise", reviewCostUSD: 0.0421)],
            skippedAgents: ["frontier"],
            costAvoided: CostAvoidedEstimate(estimateUSD: 1.25, perAgentUSD: ["frontier": 1.25], agentsWithoutHistory: []))
        return record
    }()

    @Test func runSummaryShowsCascadeCacheAndSlow() throws {
        let output = RunPresenter.run(Self.cascadeRun, layout: GoldenOutputTests.layout)
        try GoldenOutputTests.expectGolden(output.text, "show-cascade.txt")
        try GoldenOutputTests.expectGolden(output.json, "show-cascade.json")
        #expect(output.text.contains("cost avoided ≈ $1.25 (estimate"))
        // The replaced review's spend is in the verifier total.
        let reviews = Self.cascadeRun.reviews.compactMap(\.costUSD).reduce(0, +)
        #expect(output.text.contains(Format.usd(reviews + 0.0421) + " on verifiers"))
    }

    @Test func oldRecordsDecodeWithoutTheNewFields() throws {
        let json = RunPresenter.run(GoldenRuns.reviewed, layout: GoldenOutputTests.layout).json
        #expect(!json.contains("cache_hit") && !json.contains("\"cascade\"") && !json.contains("\"slow\""))
        let decoded = try AgonJSON.decoder.decode(RunRecord.self, from: Data(json.utf8))
        #expect(decoded.cascade == nil && decoded.candidates.allSatisfy { $0.cacheHit == nil && $0.slow.isEmpty && $0.tier == nil })
        let cascadeJSON = RunPresenter.run(Self.cascadeRun, layout: GoldenOutputTests.layout).json
        #expect(try AgonJSON.decoder.decode(RunRecord.self, from: Data(cascadeJSON.utf8)) == Self.cascadeRun)
    }

    @Test func validateShowsTiers() throws {
        var plan = GoldenPlans.plan
        plan.cascade = CascadeStrategy(tiers: [[plan.agents[0].id], plan.agents.dropFirst().map(\.id)])
        let output = PlanPresenter.output([plan])
        try GoldenOutputTests.expectGolden(output.text, "validate-cascade.txt")
        #expect(output.json.contains("\"cascade\""))
    }

    @Test func leaderboardServeMix() throws {
        let query = LeaderboardQuery(since: nil, specGlob: "specs/*", replicates: 20, seed: 3)
        let settings = LeaderboardSettings(replicates: 20, seed: 3, parallel: false)
        var result = LeaderboardComputation(settings: settings).compute(runs: LeaderboardRecords.metricRuns(), picks: [])
        result.serveMix = SpecServeMix.compute([
            CascadeServe(specPath: "specs/a.md", servedByTier: 1, tierCount: 2),
            CascadeServe(specPath: "specs/a.md", servedByTier: 2, tierCount: 2),
            CascadeServe(specPath: "specs/b.md", servedByTier: nil, tierCount: 3),
            CascadeServe(specPath: "specs/a.md", servedByTier: 1, tierCount: 2),
        ])
        let board = LeaderboardPresenter.render(result, query: query, generatedAt: GoldenRuns.created)
        try GoldenOutputTests.expectGolden(ServeMixText.text(result.serveMix), "leaderboard-serve-mix.txt")
        #expect(board.text.contains(ServeMixText.text(result.serveMix)))
        #expect(board.json.contains("\"serve_mix\""))
        // Without cascade runs the document keeps its shape.
        result.serveMix = []
        #expect(!LeaderboardPresenter.render(result, query: query, generatedAt: GoldenRuns.created).json.contains("serve_mix"))
    }

    @Test func liveTableMarksCachedAndSlowRows() {
        let rows = [
            ProgressRow(agent: "neat", state: .done(.ok), elapsedMs: 40, costUSD: 0, budgetUSD: 0.5, cacheHit: true),
            ProgressRow(agent: "slowpoke", state: .running, elapsedMs: 95_000, tokens: 0, costUSD: 0, budgetUSD: 0.5,
                        slow: [.ttft, .timeToSolution]),
        ]
        let frame = LiveProgressTable(rows: rows).frame()
        #expect(frame[2].contains("done ok cached"))
        #expect(frame[3].contains("running slow (ttft, time_to_solution)"))
        let line = ProgressEventLine.format(rows[1], at: GoldenRuns.created, timeZone: TimeZone(identifier: "UTC")!)
        #expect(line == "08:00:00 slowpoke running slow (ttft, time_to_solution) $0.00/$0.50 0 tok")
    }
}
