import AgonCore
import AgonLeaderboard
import AgonTestSupport
import Foundation
import GRDB
import Testing
@testable import AgonStore

/// Schema v5 ("v5-attempts"): the leaderboard reads a followed-up candidate's attempt 1 and its
/// attempt summary from columns alone, the same as projecting the full record.
@Suite struct AttemptColumnsTests {
    typealias R = LeaderboardRecords
    typealias Step = LeaderboardRecords.FollowUpStep

    static func records() -> [RunRecord] {
        [R.run(0, candidates: [R.followedUp(R.candidate("a", cost: 0.10, acceptance: .failed), [Step(cost: 0.05, acceptance: .passed)]),
                               R.candidate("b", harness: .codex, cost: 0.30, acceptance: .passed)]),
         R.run(1, candidates: [R.followedUp(R.candidate("a", cost: 0.10, acceptance: .failed),
                                            [Step(cost: nil, acceptance: .failed), Step(cost: 0.05, acceptance: .passed)]),
                               R.followedUp(R.candidate("b", harness: .codex, outcome: .costKilled, cost: 0.30, acceptance: .skipped),
                                            [Step(cost: 0.20, acceptance: .failed)])])]
    }

    @Test func columnsMatchTheProjectionOfTheRecords() throws {
        let dir = try TemporaryDirectory()
        let store = try RunStore(url: dir.url.appendingPathComponent("s.sqlite"))
        try store.importRuns(Self.records())
        let slim = try store.leaderboardRuns()
        #expect(slim == (try store.allRunsForLeaderboard()).map(LeaderboardRun.init))
        let a0 = slim[0].candidates[0]
        // Attempt 1 in the leaderboard's columns; the summary over both attempts.
        #expect(a0.outcome == .ok && a0.checks.acceptance == .failed && a0.costUSD == 0.10 && !a0.succeeded)
        #expect(a0.attempts.count == 2 && a0.attempts.successAttempt == 2)
        #expect(abs((a0.attempts.totalCostUSD ?? 0) - 0.15) < 1e-12)
        // An unpriced follow-up leaves the total unknown; attempt 1's cost stays known.
        let a1 = slim[1].candidates[0]
        #expect(a1.attempts == AttemptSummary(count: 3, successAttempt: 3, totalCostUSD: nil))
        #expect(a1.costUSD == 0.10 && a1.costSource == .computed)
        // The base columns keep the totals and the latest outcome (what `agon list` sums).
        let total = try DatabaseQueue(path: dir.url.appendingPathComponent("s.sqlite").path).read { db in
            try Double.fetchOne(db, sql: "SELECT cost_usd FROM candidates WHERE run_id = ? AND agent = 'b'", arguments: [slim[1].runID])
        }
        #expect(abs((total ?? 0) - 0.50) < 1e-12)
        #expect(slim[1].candidates[1].outcome == .costKilled)
        try store.close()
    }

    @Test func migrationFromAnOlderStoreBackfillsTheSameColumns() throws {
        let dir = try TemporaryDirectory()
        let old = dir.url.appendingPathComponent("old.sqlite")
        try LeaderboardRunsTests.writeV1Store(old, Self.records())
        let migrated = try RunStore(url: old)
        try migrated.close()
        let fresh = dir.url.appendingPathComponent("fresh.sqlite")
        let store = try RunStore(url: fresh)
        try store.importRuns(Self.records())
        try store.close()
        let rows = try [old, fresh].map { url in
            try DatabaseQueue(path: url.path).read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM candidates ORDER BY run_id, position")
            }
        }
        #expect(rows[0] == rows[1], "candidates differ after the v5 backfill")
        let plan = try DatabaseQueue(path: old.path).read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + LeaderboardColumns.candidatesSQL("1")).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("COVERING INDEX candidates_leaderboard") }, "\(plan)")
    }
}
