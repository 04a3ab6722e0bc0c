@testable import AgonCore
import AgonLeaderboard
import AgonReport
import AgonStore
import AgonTestSupport
@testable import AgonTournament
import Foundation
import Testing

/// `agon followup`'s output, `agon show` of a followed-up run, and the leaderboard's follow-up
/// table, byte for byte against `Golden/` (regenerate with `AGON_UPDATE_GOLDEN=1`).
@Suite("Golden outputs: follow-ups")
struct FollowUpGoldenTests {
    typealias R = LeaderboardRecords
    typealias Step = LeaderboardRecords.FollowUpStep

    static let started = Date(timeIntervalSince1970: 1_767_268_800)   // 2026-01-01T12:00:00Z

    /// claude resumed its session and now passes; aider (no resume) started fresh and still fails.
    static func result() -> FollowUp.Result {
        var claude = R.followedUp(R.candidate("neat", cost: 0.12, acceptance: .failed, turns: 3, durationMs: 40_000, tokens: 30_000),
                                  [Step(cost: 0.04, acceptance: .passed)])
        claude.attempts[1].sessionID = "5f2c9a1e-4d0b-4c7e-9a51-8f3b2d6e7c10"
        claude.attempts[1].startedAt = started
        claude.attempts[1].budgetUSD = 0.28
        var aider = R.followedUp(R.candidate("local", harness: .aider, cost: 0.05, acceptance: .failed, durationMs: 20_000),
                                 [Step(cost: 0.03, acceptance: .failed)])
        aider.attempts[1].kind = .fresh
        aider.attempts[1].startedAt = started
        aider.attempts[1].budgetUSD = 0.35
        return FollowUp.Result(runID: "20260101-120000-ab12", attempts: [
            FollowUp.Attempt(agent: "neat", attempt: claude.attempts[1], candidate: claude, note: nil),
            FollowUp.Attempt(agent: "local", attempt: aider.attempts[1], candidate: aider,
                             note: "no session id was recorded for local; started a fresh aider with the spec, its diff and the message"),
        ], reviewStale: true)
    }

    @Test func followUpTextAndJSON() throws {
        let output = FollowUpPresenter.output(Self.result())
        try GoldenOutputTests.expectGolden(output.text, "followup.txt")
        try GoldenOutputTests.expectGolden(output.json, "followup.json")
    }

    @Test func showOfAFollowedUpRunSaysTheReviewIsStale() throws {
        var record = R.run(1, candidates: Self.result().attempts.map(\.candidate))
        record.reviewStale = true
        let output = RunPresenter.run(record, layout: GoldenOutputTests.layout)
        try GoldenOutputTests.expectGolden(output.text, "show-followup.txt")
        #expect(output.text.contains("review is stale"))
        #expect(output.json.contains("\"review_stale\" : true") && output.json.contains("\"attempts\" : ["))
    }

    @Test func leaderboardFollowUpTable() throws {
        let runs = (0..<3).map { i in
            R.run(i, spec: "specs/t\(i).md", candidates: [
                i == 2 ? R.candidate("cheap", cost: 0.10, acceptance: .passed)
                    : R.followedUp(R.candidate("cheap", cost: 0.10, acceptance: .failed), [Step(cost: 0.05, acceptance: .passed)]),
                R.candidate("pricey", harness: .codex, cost: 1.00, acceptance: .passed),
            ])
        }
        let result = LeaderboardComputation(settings: LeaderboardSettings(replicates: 0, parallel: false)).compute(runs: runs, picks: [])
        let board = LeaderboardPresenter.render(result, query: LeaderboardQuery(since: nil, specGlob: nil, replicates: 0, seed: 1),
                                                generatedAt: Self.started)
        try GoldenOutputTests.expectGolden(board.text, "leaderboard-followups.txt")
        #expect(board.text.contains("Follow-ups"))
    }
}
