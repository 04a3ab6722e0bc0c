import AgonCore
import AgonStore
import AgonReport
import AgonTestSupport
import AgonTournament
import Foundation
import Testing

private typealias R = LeaderboardRecords

/// The leaderboard report's insights from a real SQLite store: durations, costs, review
/// statuses and picks survive the store's leaderboard projection.
@Suite("HTML report insights from the store")
struct ReportWriterInsightsTests {
    @Test func insightsComeFromStoredRunsAndPicks() throws {
        let repo = try ScratchRepository()
        // a: $0.40 and 180 s over 2 successes; b: $0.40 and 60 s over 1 (cheaper vs faster: neither dominated).
        let runs = [
            R.run(0, candidates: [R.candidate("a", cost: 0.1, durationMs: 60_000),
                                  R.candidate("b", harness: .codex, outcome: .timeout, cost: 0.2, durationMs: 30_000)],
                  reviews: [R.review("v", ranking: ["a"], cost: 0.01)], consensus: ["a", "b"], gated: ["b"]),
            R.run(1, candidates: [R.candidate("a", cost: 0.3, durationMs: 120_000),
                                  R.candidate("b", harness: .codex, cost: 0.2, durationMs: 30_000)]),
        ]
        try repo.save(runs, picks: [ApplyRecord(runID: runs[0].runID, agent: "a", appliedAt: R.start, committed: true)])
        var writer = try ReportWriter(workspace: repo.workspace())
        writer.leaderboardQuery = LeaderboardQuery(since: nil, specGlob: nil, replicates: 20, seed: 2)
        let html = try String(contentsOfFile: try writer.write(runID: nil, leaderboard: true, output: nil), encoding: .utf8)
        // ($0.10 + $0.20 + $0.01) over the one picked run.
        #expect(html.contains("<p class=\"spend-per-patch\" data-applied-runs=\"1\" data-usd=\"0.31\" data-lower-bound=\"false\">"))
        #expect(html.contains("data-agent=\"a\" data-harness=\"claude\" data-usd-per-success=\"0.2\" data-seconds-per-success=\"90\" "
            + "data-success-rate=\"1\" data-dominated=\"false\""))
        #expect(html.contains("data-agent=\"b\" data-harness=\"codex\" data-usd-per-success=\"0.4\" data-seconds-per-success=\"60\" "
            + "data-success-rate=\"0.5\" data-dominated=\"false\""))
        #expect(html.contains("<tr data-code=\"timeout\" data-source=\"outcome\" data-count=\"1\" data-out-of=\"4\">"))
        #expect(html.contains("data-period=\"day\""))
        #expect(!html.contains("<script"))
    }
}
