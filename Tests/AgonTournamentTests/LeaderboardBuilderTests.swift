import AgonCore
import AgonLeaderboard
import AgonReport
import AgonStore
import AgonTestSupport
@testable import AgonTournament
import Foundation
import Testing

private typealias R = LeaderboardRecords

extension LeaderboardBuilder {
    /// What `agon leaderboard` prints: the computed statistics through the one presenter.
    func build(_ query: LeaderboardQuery) throws -> RenderedLeaderboard {
        LeaderboardPresenter.render(try compute(query), query: query)
    }
}

@Suite("Leaderboard builder")
struct LeaderboardBuilderTests {
    static func query(since: String? = nil, spec: String? = nil) -> LeaderboardQuery {
        LeaderboardQuery(since: since, specGlob: spec, replicates: 50, seed: 9)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func jsonCarriesEveryMetricWithSnakeCaseKeys() throws {
        let repo = try ScratchRepository()
        try repo.save(R.metricRuns())
        let board = try LeaderboardBuilder(workspace: repo.workspace()).build(Self.query())
        let document = try Self.json(board.json)
        #expect(document["schema_version"] as? Int == AgonJSON.schemaVersion)
        #expect(document["runs"] as? Int == 4)
        #expect((document["bootstrap"] as? [String: Any])?["replicates"] as? Int == 50)
        #expect(abs(((document["verifier_spend_usd"] as? NSNumber)?.doubleValue ?? 0) - 0.04) < 1e-9)
        let agents = try #require(document["agents"] as? [[String: Any]])
        #expect(agents.count == 2)
        let expectedKeys: Set<String> = [
            "agent", "agent_ids", "harness", "model", "rating", "rating_low", "rating_high", "rank", "rank_low", "rank_high",
            "provisional", "runs", "successes", "success_rate", "reviewed_runs", "wins", "win_rate", "first_attempt_specs",
            "first_attempt_successes", "first_attempt_success", "priced_runs", "unpriced_runs", "total_cost_usd",
            "cost_per_task_usd", "cost_per_success_usd", "cost_per_success_status", "tokens_per_task", "verifier_spend_usd",
            "median_time_to_first_attempt_s", "median_time_to_success_s", "median_turns", "tokens_per_sec", "cost_killed",
            "top_errors", "speed_efficiency_score", "on_frontier", "frontier_frequency", "picks", "separation",
            // follow-up columns (AttemptStatistics)
            "followup_window_k", "followed_up_runs", "successes_any_attempt", "successes_within_k_followups",
            "success_within_k_followups", "mean_reprompts_per_success", "cost_per_success_with_followups_usd",
            "cost_per_success_with_followups_status",
        ]
        for row in agents { #expect(Set(row.keys) == expectedKeys) }
        let a = try #require(agents.first { $0["agent"] as? String == "a" })
        #expect(abs(((a["cost_per_success_usd"] as? NSNumber)?.doubleValue ?? 0) - 0.9) < 1e-9)
        #expect(abs(((a["total_cost_usd"] as? NSNumber)?.doubleValue ?? 0) - 0.9) < 1e-9)
        let b = try #require(agents.first { $0["agent"] as? String == "b" })
        // ∞ cost per success: null plus the status flag.
        #expect(b["cost_per_success_usd"] is NSNull)
        #expect(b["cost_per_success_status"] as? String == "no_success")
        let errors = try #require(b["top_errors"] as? [[String: Any]])
        #expect(errors.first?["outcome"] as? String == "timeout" && errors.first?["count"] as? Int == 2)
        let verifiers = try #require(document["verifiers"] as? [[String: Any]])
        #expect(Set(verifiers[0].keys) == [
            "verifier", "harness", "model", "weight", "reviews", "valid_reviews", "valid_verdict_rate", "agreement_tau",
            "position_bias", "swap_consistency", "swapped_reviews", "self_preference", "self_preference_higher_rate", "self_preference_samples",
            "self_preference_status", "cost_usd", "unpriced_reviews",
        ])
    }

    @Test func csvHasOneRowPerAgentUnderTheHeader() throws {
        let repo = try ScratchRepository()
        try repo.save(R.metricRuns())
        let board = try LeaderboardBuilder(workspace: repo.workspace()).build(Self.query())
        let lines = board.csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("agent,harness,model,rating,rating_low,rating_high,rank_low,rank_high,provisional,runs,success_rate"))
        #expect(lines[0].contains("cost_per_success_usd") && lines[0].contains("speed_efficiency_score"))
        #expect(lines.contains { $0.hasPrefix("b,codex,model-b,") && $0.contains(",inf,") })
    }

    @Test func textMarksProvisionalRowsAndShowsVerifiers() throws {
        let repo = try ScratchRepository()
        try repo.save(R.metricRuns())
        let text = try LeaderboardBuilder(workspace: repo.workspace()).build(Self.query()).text
        #expect(text.contains("provisional"))
        #expect(text.contains("*"))
        #expect(text.contains("Verifiers"))
        #expect(text.contains("∞"))
        #expect(text.contains("unpriced runs left out of cost: a 1/4"))
    }

    @Test func sinceAndSpecFiltersSelectRuns() throws {
        let repo = try ScratchRepository()
        // Runs on 2026-01-01 … 2026-01-04; the first two on specs/one.md.
        try repo.save(R.metricRuns())
        let builder = try LeaderboardBuilder(workspace: repo.workspace())
        #expect(try Self.json(builder.build(Self.query(since: "2026-01-03")).json)["runs"] as? Int == 2)
        #expect(try Self.json(builder.build(Self.query(since: "2026-01-05")).json)["runs"] as? Int == 0)
        #expect(try Self.json(builder.build(Self.query(spec: "specs/one*")).json)["runs"] as? Int == 2)
        #expect(try Self.json(builder.build(Self.query(since: "2026-01-02", spec: "*two.md")).json)["runs"] as? Int == 2)
        #expect(try builder.build(Self.query(spec: "nothing/*")).text == "no runs match the filter\n")
    }

    @Test(arguments: ["2026-13-01", "2026-02-30", "yesterday", "2026-1-5", ""])
    func badSinceDateIsAUsageError(_ date: String) throws {
        let repo = try ScratchRepository()
        let builder = try LeaderboardBuilder(workspace: repo.workspace())
        do {
            _ = try builder.build(Self.query(since: date))
            Issue.record("accepted --since \(date)")
        } catch let error as LeaderboardQueryError {
            #expect(error == .invalidDay(date))
            #expect(error.exitCode == 2)
            #expect(error.message.contains("YYYY-MM-DD"))
        }
    }

    @Test func picksFromTheStoreCount() throws {
        let repo = try ScratchRepository()
        let runs = (0..<4).map { i in
            R.run(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex)],
                  reviews: [R.review("v", ranking: i % 2 == 0 ? ["a", "b"] : ["b", "a"])], consensus: ["a", "b"])
        }
        try repo.save(runs, picks: [ApplyRecord(runID: runs[1].runID, agent: "b", appliedAt: R.start, committed: false)])
        let document = try Self.json(LeaderboardBuilder(workspace: repo.workspace()).build(Self.query()).json)
        #expect(document["picks"] as? Int == 1)
        let agents = try #require(document["agents"] as? [[String: Any]])
        #expect(agents.first?["agent"] as? String == "b")
    }

    @Test func emptyStoreSaysHowToStart() throws {
        let repo = try ScratchRepository()
        let board = try LeaderboardBuilder(workspace: repo.workspace()).build(Self.query())
        #expect(board.text.contains("no runs yet"))
        #expect(try Self.json(board.json)["agents"] as? [Any] != nil)
    }
}
