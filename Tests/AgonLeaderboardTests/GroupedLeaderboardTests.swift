import AgonCore
@testable import AgonLeaderboard
import AgonTestSupport
import Foundation
import Testing

private typealias R = LeaderboardRecords

/// `agon leaderboard --by model|harness` on hand-made runs with known answers.
@Suite("Grouped leaderboard")
struct GroupedLeaderboardTests {
    static func compute(_ grouping: LeaderboardGrouping) -> LeaderboardResult {
        LeaderboardComputation(settings: LeaderboardSettings(replicates: 0, seed: 3, parallel: false, grouping: grouping))
            .compute(runs: R.groupingRuns(), picks: [])
    }

    static func row(_ result: LeaderboardResult, _ harness: Harness, _ model: String?) -> AgentStanding? {
        result.agents.first { $0.harness == harness && $0.model == model }
    }

    @Test func byModelComparesOneModelAcrossHarnesses() throws {
        let result = Self.compute(.model)
        #expect(result.agents.count == 4)
        let sonnetClaude = try #require(Self.row(result, .claude, "claude-sonnet-4-6"))
        #expect(sonnetClaude.agentIDs == ["sonnet-cc", "sonnet-cc-2"])
        #expect(sonnetClaude.runs == 3 && sonnetClaude.successes == 2)
        #expect(abs(sonnetClaude.costPerSuccess.value! - 0.30) < 1e-12)   // ($0.10 + $0.30 + $0.20) / 2
        let sonnetOpencode = try #require(Self.row(result, .opencode, "claude-sonnet-4-6"))
        #expect(sonnetOpencode.agentIDs == ["sonnet-oc"] && sonnetOpencode.runs == 3 && sonnetOpencode.successes == 2)
        #expect(abs(sonnetOpencode.costPerSuccess.value! - 0.075) < 1e-12)
        #expect(sonnetOpencode.topErrors == [OutcomeCount(outcome: .timeout, count: 1)])
        let gptOpencode = try #require(Self.row(result, .opencode, "gpt-5"))
        #expect(abs(gptOpencode.costPerSuccess.value! - 0.12) < 1e-12)
    }

    @Test func byHarnessComparesOneHarnessAcrossModels() throws {
        let result = Self.compute(.harness)
        #expect(result.agents.count == 3)
        let opencode = try #require(Self.row(result, .opencode, nil))
        #expect(opencode.agentIDs == ["sonnet-oc", "gpt-oc"])
        #expect(opencode.runs == 6 && opencode.successes == 4)
        #expect(abs(opencode.costPerSuccess.value! - 0.0975) < 1e-12)   // (3 × $0.05 + 3 × $0.08) / 4
        let claude = try #require(Self.row(result, .claude, nil))
        #expect(claude.agentIDs == ["sonnet-cc", "sonnet-cc-2"] && claude.runs == 3)
        #expect(Self.compute(.agent).agents.count == 5)
    }
}
