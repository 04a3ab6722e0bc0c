import AgonCore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonLeaderboard

/// The follow-up columns on hand-made records, against answers worked out by hand below.
@Suite struct AttemptStatisticsTests {
    typealias R = LeaderboardRecords
    typealias Step = LeaderboardRecords.FollowUpStep

    /// cheap: r1 fails ($0.10) then passes at attempt 2 (+$0.05); r2 passes at once ($0.10);
    /// r3 fails, fails (+$0.05), passes at attempt 3 (+$0.05); r4 fails ($0.10), no follow-up.
    /// pricey: p1 passes at once ($1.00); p2 fails ($1.00) and its follow-up fails too (+$0.50).
    static func runs() -> [RunRecord] {
        let cheap = [
            R.followedUp(R.candidate("cheap", cost: 0.10, acceptance: .failed), [Step(cost: 0.05, acceptance: .passed)]),
            R.candidate("cheap", cost: 0.10, acceptance: .passed),
            R.followedUp(R.candidate("cheap", cost: 0.10, acceptance: .failed),
                         [Step(cost: 0.05, acceptance: .failed), Step(cost: 0.05, acceptance: .passed)]),
            R.candidate("cheap", cost: 0.10, acceptance: .failed),
        ]
        let pricey = [
            R.candidate("pricey", harness: .codex, cost: 1.00, acceptance: .passed),
            R.followedUp(R.candidate("pricey", harness: .codex, cost: 1.00, acceptance: .failed), [Step(cost: 0.50, acceptance: .failed)]),
        ]
        return (0..<4).map { i in
            R.run(i, spec: "specs/t\(i).md", candidates: [cheap[i]] + (i < 2 ? [pricey[i]] : []))
        }
    }

    func standing(_ agent: String, k: Int = 1, _ runs: [RunRecord] = runs()) throws -> AgentStanding {
        var settings = LeaderboardSettings(replicates: 0, parallel: false)
        settings.followUpWindow = k
        let result = LeaderboardComputation(settings: settings).compute(runs: runs, picks: [])
        return try #require(result.agents.first { $0.agentIDs == [agent] })
    }

    @Test func recordFollowUpSumsTheAttempts() throws {
        let r3 = Self.runs()[2].candidates[0]
        #expect(r3.attempts.map(\.number) == [1, 2, 3])
        #expect(r3.attempts.map(\.checks.acceptance) == [.failed, .failed, .passed])
        #expect(abs((r3.costUSD ?? 0) - 0.20) < 1e-12)
        #expect(r3.turns == 3 && r3.durationMs == 60_000)
        #expect(r3.successAttempt == 3)
        #expect(r3.checks.acceptance == .passed && r3.snapshotSHA == String(repeating: "3", count: 40))
    }

    @Test func cheapAgentColumns() throws {
        let cheap = try standing("cheap")
        // First-attempt meaning kept: 1 of 4 runs succeeded at attempt 1; first-attempt cost
        // $0.40 over that 1 success.
        #expect(cheap.runs == 4 && cheap.successes == 1 && cheap.successRate == 0.25)
        #expect(cheap.costPerSuccess == .usd(0.4))
        #expect(abs(cheap.totalCostUSD - 0.40) < 1e-12)
        let a = cheap.attempts
        #expect(a.followUpWindow == 1 && a.followedUpRuns == 2)
        // Within 1 follow-up: r1 (attempt 2) and r2 (attempt 1) → 2 of 4.
        #expect(a.successesWithinK == 2 && a.successWithinK == 0.5)
        // Successes at any attempt: r1, r2, r3; reprompts 1 + 0 + 2 = 3 → 1 per success.
        #expect(a.successesAnyAttempt == 3 && a.meanRepromptsPerSuccess == 1.0)
        // All spend ($0.15 + $0.10 + $0.20 + $0.10 = $0.55) over 3 successes.
        let cost = try #require(a.costPerSuccessWithFollowUps.value)
        #expect(abs(cost - 0.55 / 3) < 1e-12)
    }

    @Test func theWindowIsK() throws {
        #expect(try standing("cheap", k: 0).attempts.successWithinK == 0.25)   // k = 0 is the success rate
        #expect(try standing("cheap", k: 2).attempts.successWithinK == 0.75)
        #expect(try standing("cheap", k: 5).attempts.successesWithinK == 3)
    }

    @Test func priceyAgentColumns() throws {
        let pricey = try standing("pricey")
        #expect(pricey.runs == 2 && pricey.successRate == 0.5 && pricey.costPerSuccess == .usd(2.0))
        let a = pricey.attempts
        #expect(a.followedUpRuns == 1 && a.successWithinK == 0.5 && a.meanRepromptsPerSuccess == 0)
        // $1.00 + $1.50 over its one success.
        #expect(a.costPerSuccessWithFollowUps == .usd(2.5))
    }

    @Test func unpricedAttemptsAndNoSuccessStayApart() throws {
        let unpriced = R.followedUp(R.candidate("u", cost: 0.10, acceptance: .failed), [Step(cost: nil, acceptance: .passed)])
        #expect(unpriced.costSource == .unpriced && unpriced.costUSD == nil)
        let never = R.followedUp(R.candidate("n", cost: 0.10, acceptance: .failed), [Step(cost: 0.10, acceptance: .failed)])
        let runs = [R.run(0, candidates: [unpriced, never])]
        #expect(try standing("u", runs).attempts.costPerSuccessWithFollowUps == .unpriced)
        #expect(try standing("u", runs).attempts.meanRepromptsPerSuccess == 1)
        #expect(try standing("n", runs).attempts.costPerSuccessWithFollowUps == .noSuccess)
        #expect(try standing("n", runs).attempts.meanRepromptsPerSuccess == nil)
    }

    @Test func oldRecordsAreOneImplicitAttempt() throws {
        let json = """
        {"agent":"a","harness":"claude","model":"m","outcome":"ok","state":"finished","cost_usd":0.1,
         "computed_cost_usd":0.1,"reported_cost_usd":null,"cost_source":"computed","cost_killed_at":null,"budget_usd":null,
         "tokens":{"input":1,"cached_input":0,"cache_write":0,"output":1,"reasoning":0},"turns":1,
         "first_attempt_ms":null,"duration_ms":1000,"tokens_per_sec":null,"exit_status":"exit 0",
         "diff":{"files":1,"insertions":1,"deletions":0,"patch_path":null,"changed_paths":["x"]},
         "checks":{"acceptance":"passed","holdout":"skipped","scope":"skipped"},
         "check_results":[{"kind":"acceptance","command":"t","status":"passed","duration_ms":1,"exit_code":0,"output_path":null}],
         "scope_violations":[],"worktree":"w","branch":"b","snapshot_sha":null,"transcript_path":null,
         "stderr_path":null,"malformed_lines":0,"api_error_message":null,"findings":[]}
        """
        let old = try AgonJSON.decoder.decode(CandidateRecord.self, from: Data(json.utf8))
        #expect(old.attempts.isEmpty && old.sessionID == nil)
        #expect(old.attemptHistory.count == 1 && old.attemptHistory[0].kind == .initial)
        #expect(old.successAttempt == 1)
        #expect(LeaderboardCandidate(old).attempts == AttemptSummary(count: 1, successAttempt: 1, totalCostUSD: 0.1))
    }
}
