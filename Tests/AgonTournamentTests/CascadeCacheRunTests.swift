import AgonCore
import AgonLeaderboard
import AgonStore
import Foundation
import Testing
@testable import AgonTournament

/// Cascades, the exact-repeat cache and the slow flag, end to end with the agent doubles on real
/// repositories. Whether an agent started is read from the double's own marker file
/// (`DOUBLE_DUMP_ENV`, written by the process itself), never only from the record.
@Suite(.serialized) struct CascadeCacheRunTests {
    /// One agent line; `MARK/<id>` is where the double writes its marker when it runs.
    static func agent(_ id: String, _ harness: String, model: String, solutions: String, extra: String = "",
                      env: String = "") -> String {
        "  \(id): { harness: \(harness), model: \(model), binary: BIN/\(harness), sandbox: none\(extra),\n"
            + "           env: { DOUBLE_SOLUTIONS: SOL/\(solutions), DOUBLE_DELAY_MS: \"1\", DOUBLE_DUMP_ENV: MARK/\(id)\(env) } }\n"
    }

    static func fixture(_ config: String) throws -> TournamentFixture {
        let fixture = try TournamentFixture(config: nil)
        try FileManager.default.createDirectory(atPath: fixture.root + "/markers", withIntermediateDirectories: true)
        try fixture.writeConfig(config.replacingOccurrences(of: "MARK/", with: fixture.root + "/markers/"))
        return fixture
    }

    static func started(_ fixture: TournamentFixture, _ agent: String) -> Bool {
        FileManager.default.fileExists(atPath: fixture.root + "/markers/" + agent)
    }

    static func forget(_ fixture: TournamentFixture, _ agent: String) {
        try? FileManager.default.removeItem(atPath: fixture.root + "/markers/" + agent)
    }

    static func run(_ fixture: TournamentFixture, spec: String = "specs/slugify.md", agents: [String]? = nil,
                    useCache: Bool = true, progress: ProgressSink = SilentProgress()) throws -> RunRecord {
        let tournament = Tournament(workspace: try fixture.workspace(),
                                    options: TournamentOptions(agentFilter: agents, progress: progress, useCache: useCache))
        return try #require(try tournament.run(specPaths: [fixture.repo + "/" + spec]).value.first)
    }

    /// The slugify spec with a cascade in its front matter.
    static func writeCascadeSpec(_ fixture: TournamentFixture, tiers: String) throws {
        let slugify = try String(contentsOfFile: fixture.repo + "/specs/slugify.md", encoding: .utf8)
        try fixture.write("specs/cascade.md", slugify.replacingOccurrences(of: "---\ntitle:", with: "---\nstrategy: { cascade: \(tiers) }\ntitle:"))
    }

    // MARK: - Cascade

    @Test func tierOneFailingAcceptanceEscalates() throws {
        let fixture = try Self.fixture("agents:\n"
            + Self.agent("cheap", "gemini", model: "gemini-2.5-flash", solutions: "wrong")
            + Self.agent("frontier", "claude", model: "claude-sonnet-4-5", solutions: "neat")
            + "strategy: { cascade: [[cheap], [frontier]] }\n")
        let record = try Self.run(fixture)
        let cascade = try #require(record.cascade)
        #expect(cascade.tiers == [["cheap"], ["frontier"]])
        #expect(cascade.servedByTier == 2)
        #expect(cascade.escalations == [CascadeEscalation(fromTier: 1, reason: .noCandidatePassed, detail: "no candidate passed acceptance")])
        #expect(cascade.skippedAgents.isEmpty && cascade.costAvoided == nil)
        #expect(Self.started(fixture, "cheap") && Self.started(fixture, "frontier"))
        #expect(record.candidate("cheap")?.tier == 1 && record.candidate("cheap")?.checks.acceptance == .failed)
        #expect(record.candidate("frontier")?.tier == 2 && record.candidate("frontier")?.succeeded == true)
        #expect(record.consensus?.winner == "frontier")
        // run.json on disk carries it too.
        let snapshot = try String(contentsOfFile: fixture.repo + "/.agon/runs/\(record.runID)/run.json", encoding: .utf8)
        #expect(snapshot.contains("\"served_by_tier\" : 2") && snapshot.contains("\"no_candidate_passed\""))
    }

    /// A cascade from agon.yml (which `--resume`'s agent filter would otherwise drop) killed
    /// during tier 2: the resume keeps tier 1 and its escalation, reruns only tier 2.
    @Test func resumeKeepsTheCascade() throws {
        let fixture = try Self.fixture("agents:\n"
            + Self.agent("cheap", "gemini", model: "gemini-2.5-flash", solutions: "wrong")
            + Self.agent("frontier", "claude", model: "claude-sonnet-4-5", solutions: "neat")
            + "strategy: { cascade: [[cheap], [frontier]] }\n")
        let finished = try Self.run(fixture)
        // As if agon had been killed while tier 2 ran: the record as it stood then.
        let store = try fixture.workspace().store()
        _ = try store.updateRun(finished.runID) { record in
            record.status = .interrupted
            record.finishedAt = nil
            record.cascade?.servedByTier = nil
            record.consensus = nil
            let index = record.candidates.firstIndex { $0.agent == "frontier" }!
            record.candidates[index] = CandidateRecord(agent: "frontier", harness: .claude, state: .pending,
                                                       worktree: record.candidates[index].worktree,
                                                       branch: record.candidates[index].branch)
        }
        Self.forget(fixture, "cheap")
        Self.forget(fixture, "frontier")
        let tournament = Tournament(workspace: try fixture.workspace(), options: TournamentOptions(progress: SilentProgress()))
        let resumed = try #require(try tournament.resume(runID: finished.runID).value.first)
        #expect(!Self.started(fixture, "cheap"))
        #expect(Self.started(fixture, "frontier"))
        #expect(resumed.cascade?.servedByTier == 2)
        #expect(resumed.cascade?.escalations.map(\.fromTier) == [1])
        #expect(resumed.candidate("frontier")?.tier == 2 && resumed.candidate("frontier")?.succeeded == true)
    }

    @Test func tierOnePassingStopsAndTierTwoNeverStarts() throws {
        let fixture = try Self.fixture("agents:\n"
            + Self.agent("cheap", "claude", model: "claude-sonnet-4-5", solutions: "neat")
            + Self.agent("frontier", "codex", model: "gpt-5-codex", solutions: "neat", env: ", DOUBLE_TURNS: \"3\""))
        // History for the estimate: one earlier run of the frontier agent alone.
        let history = try Self.run(fixture, agents: ["frontier"])
        let frontierCost = try #require(history.candidate("frontier")?.costUSD)
        Self.forget(fixture, "frontier")

        try Self.writeCascadeSpec(fixture, tiers: "[[cheap], [frontier]]")
        let validated = try fixture.agon("validate", "specs/cascade.md")
        #expect(validated.status == 0, "\(validated.stderr)")
        #expect(validated.stdout.contains("cascade  tier 1: cheap  →  tier 2: frontier"))

        let record = try Self.run(fixture, spec: "specs/cascade.md")
        let cascade = try #require(record.cascade)
        #expect(cascade.servedByTier == 1)
        #expect(cascade.escalations.isEmpty)
        #expect(cascade.skippedAgents == ["frontier"])
        // The estimate is the frontier's leaderboard cost per task: its one priced run.
        #expect(cascade.costAvoided == CostAvoidedEstimate(estimateUSD: frontierCost, perAgentUSD: ["frontier": frontierCost],
                                                           agentsWithoutHistory: []))
        // Tier 2 never started: no process wrote its marker, no worktree, no branch, no candidate.
        #expect(Self.started(fixture, "cheap"))
        #expect(!Self.started(fixture, "frontier"))
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/worktrees/\(record.runID)/frontier"))
        #expect(try fixture.git("branch", "--list", "agon/\(record.runID)/*") .contains("frontier") == false)
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs/\(record.runID)/candidates/frontier"))
        #expect(record.candidates.map(\.agent) == ["cheap"])
        #expect(record.agentsPlanned == ["cheap", "frontier"])

        // The leaderboard's serve mix counts the cascade run (the history run is no cascade).
        let board = try LeaderboardBuilder(workspace: try fixture.workspace())
            .compute(LeaderboardQuery(since: nil, specGlob: nil, replicates: 0, seed: 1))
        #expect(board.serveMix == [SpecServeMix(specPath: "specs/cascade.md", runs: 1, servedByTier: [1, 0], unserved: 0)])
        let shown = try fixture.agon("show", record.runID)
        #expect(shown.stdout.contains("cascade: tiers 1: cheap | 2: frontier; served by tier 1"))
        #expect(shown.stdout.contains("cost avoided ≈ \(Format.usd(frontierCost)) (estimate from the leaderboard's cost per task)"))
        let report = try fixture.agon("report", record.runID)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: report.stdout.trimmingCharacters(in: .whitespacesAndNewlines), encoding: .utf8)
        #expect(html.contains("<ul class=\"strategy-notes\"><li>cascade: tiers 1: cheap | 2: frontier; served by tier 1</li>"))
    }

    @Test func panelSayingReviseEscalates() throws {
        let fixture = try Self.fixture("agents:\n"
            + Self.agent("neat", "claude", model: "claude-sonnet-4-5", solutions: "neat")
            + Self.agent("tidy", "gemini", model: "gemini-2.5-flash", solutions: "neat",
                         env: ", DOUBLE_EDITS: \"lib/textkit.sh=# slug helpers end here\"")
            + Self.agent("frontier", "codex", model: "gpt-5-codex", solutions: "neat")
            + "verifiers:\n  judge: { harness: claude, model: qwen3-coder, binary: BIN/claude, sandbox: none,"
            + " env: { DOUBLE_REVIEW: sound, DOUBLE_REVIEW_RECOMMEND: revise } }\n"
            + "strategy: { cascade: [[neat, tidy], [frontier]] }\n")
        let record = try Self.run(fixture)
        let cascade = try #require(record.cascade)
        #expect(cascade.escalations.first?.fromTier == 1)
        #expect(cascade.escalations.first?.reason == .panelDidNotRecommendApply)
        #expect(cascade.escalations.first?.detail.hasPrefix("panel on ") == true)
        #expect(Self.started(fixture, "frontier"))
        // Tier 2 was reviewed with the earlier candidates; the panel said revise again: nobody served.
        #expect(cascade.servedByTier == nil)
        #expect(cascade.escalations.map(\.fromTier) == [1, 2])
        // Tier 1's review was replaced by tier 2's: its spend is kept on the escalation.
        #expect(cascade.escalations[0].reviewCostUSD != nil)
        #expect(record.reviews.count == 1 && record.reviews[0].displayOrder.count == 3)
    }

    @Test func cascadeThatDoesNotFitTheLineupIsOneAgonLine() throws {
        let fixture = try Self.fixture("agents:\n"
            + Self.agent("cheap", "claude", model: "claude-sonnet-4-5", solutions: "neat")
            + Self.agent("frontier", "codex", model: "gpt-5-codex", solutions: "neat"))
        try Self.writeCascadeSpec(fixture, tiers: "[[cheap], [gpt-9]]")
        let unknown = try fixture.agon("run", "specs/cascade.md")
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "agon: specs/cascade.md: strategy: unknown agent \"gpt-9\" (agon.yml has: cheap, frontier)\n")
        #expect(unknown.stderr.split(separator: "\n").count == 1, "\(unknown.stderr)")
        // With a lineup of its own, the spec's cascade must fit it.
        try fixture.write("specs/lineup.md", "---\nagents: [cheap]\nstrategy: { cascade: [[cheap], [frontier]] }\n---\n# T\n")
        let outside = try fixture.agon("validate", "specs/lineup.md")
        #expect(outside.status == 2)
        #expect(outside.stderr.contains("agon: specs/lineup.md: strategy: cascade names agent \"frontier\", which is not in this run's lineup (cheap); "
                                        + "add it to the spec's `agents:` (or agon.yml) or remove it from the tiers"), "\(outside.stderr)")
        try Self.writeCascadeSpec(fixture, tiers: "[[cheap], []]")
        let empty = try fixture.agon("validate", "specs/cascade.md")
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("agon: specs/cascade.md:2: strategy.cascade[1]: tier 2 is empty: name at least one agent"), "\(empty.stderr)")
        try Self.writeCascadeSpec(fixture, tiers: "[[cheap]]")
        let missing = try fixture.agon("validate", "specs/cascade.md", "--agents", "cheap,frontier")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("agon: specs/cascade.md: strategy: agent \"frontier\" is in the lineup but in no cascade tier"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs"))
    }

    // MARK: - Exact-repeat cache

    @Test func exactRepeatReusesTheFinishedCandidate() throws {
        let config = "agents:\n" + Self.agent("neat", "claude", model: "claude-sonnet-4-5", solutions: "neat")
        let fixture = try Self.fixture(config)
        let first = try Self.run(fixture)
        let original = try #require(first.candidate("neat"))
        #expect(original.cacheHit == nil && original.cacheKey != nil && Self.started(fixture, "neat"))
        Self.forget(fixture, "neat")

        let sink = RecordingProgress()
        let second = try Self.run(fixture, progress: sink)
        let hit = try #require(second.candidate("neat"))
        // The live table says so, and never showed the agent running.
        #expect(sink.rows.last { $0.agent == "neat" }.map { $0.cacheHit && $0.costUSD == 0 } == true)
        #expect(!sink.rows.contains { $0.agent == "neat" && $0.state == .running })
        #expect(hit.cacheHit == CacheHit(sourceRunID: first.runID, sourceCostUSD: original.costUSD))
        // No agent process: the double never wrote its marker and Agon has no transcript.
        #expect(!Self.started(fixture, "neat"))
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs/\(second.runID)/candidates/neat/transcript.jsonl"))
        #expect(hit.costUSD == 0 && hit.tokens == .zero && hit.turns == 0 && hit.outcome == .ok)
        // The result is re-materialised and re-checked in the new worktree.
        #expect(hit.checks == CheckSummary(acceptance: .passed, holdout: .passed, scope: .passed))
        #expect(FileManager.default.contents(atPath: fixture.repo + "/" + hit.diff.patchPath!)
                == FileManager.default.contents(atPath: fixture.repo + "/" + original.diff.patchPath!))
        #expect(FileManager.default.fileExists(atPath: fixture.repo + "/\(hit.worktree)/tests/test_slugify.sh"))
        let shown = try fixture.agon("show", second.runID)
        #expect(shown.stdout.contains("cache: neat reused its result from run \(first.runID) ($0 spent, no agent started;"))

        // Not a new observation: the leaderboard (read from the store's columns) sees one run.
        let board = try LeaderboardBuilder(workspace: try fixture.workspace())
            .compute(LeaderboardQuery(since: nil, specGlob: nil, replicates: 0, seed: 1))
        #expect(board.runs == 2)
        #expect(board.agents.first { $0.agentIDs == ["neat"] }?.runs == 1)

        // --no-cache runs the agent.
        let third = try Self.run(fixture, useCache: false)
        #expect(third.candidate("neat")?.cacheHit == nil && Self.started(fixture, "neat"))
    }

    @Test func changedBudgetModelOrSpecMissesTheCache() throws {
        let base = Self.agent("neat", "claude", model: "claude-sonnet-4-5", solutions: "neat")
        let fixture = try Self.fixture("agents:\n" + base)
        _ = try Self.run(fixture)
        func expectMiss(_ label: String, spec: String = "specs/slugify.md") throws {
            Self.forget(fixture, "neat")
            let record = try Self.run(fixture, spec: spec)
            #expect(record.candidate("neat")?.cacheHit == nil, "\(label) must miss the cache")
            #expect(Self.started(fixture, "neat"), "\(label): the agent must run")
        }
        // The budget: the spec sets the cap and hard timeout, the entry's silence timeout still counts.
        try fixture.writeConfig(("agents:\n" + base.replacingOccurrences(of: "sandbox: none", with: "sandbox: none, budget: { silence_timeout: 7m }"))
            .replacingOccurrences(of: "MARK/", with: fixture.root + "/markers/"))
        try expectMiss("a changed budget")
        try fixture.writeConfig(("agents:\n" + base.replacingOccurrences(of: "claude-sonnet-4-5", with: "claude-opus-4-1"))
            .replacingOccurrences(of: "MARK/", with: fixture.root + "/markers/"))
        try expectMiss("a changed model")
        let slugify = try String(contentsOfFile: fixture.repo + "/specs/slugify.md", encoding: .utf8)
        try fixture.write("specs/slugify.md", slugify + "\nKeep it POSIX sh.\n")
        try expectMiss("a changed spec")
        // The same model, spec and budget again: a hit.
        Self.forget(fixture, "neat")
        #expect(try Self.run(fixture).candidate("neat")?.cacheHit != nil)
        #expect(!Self.started(fixture, "neat"))
    }

    @Test func aPatchThatFailsItsSealIsNotReused() throws {
        let fixture = try Self.fixture("agents:\n" + Self.agent("neat", "claude", model: "claude-sonnet-4-5", solutions: "neat"))
        let first = try Self.run(fixture)
        let patch = fixture.repo + "/" + (try #require(first.candidate("neat")?.diff.patchPath))
        // A process left behind rewrites the sealed patch: it must not be re-applied.
        try "diff --git a/evil b/evil\n".write(toFile: patch, atomically: true, encoding: .utf8)
        Self.forget(fixture, "neat")
        let second = try Self.run(fixture)
        #expect(second.candidate("neat")?.cacheHit == nil)
        #expect(Self.started(fixture, "neat"))
    }

    // MARK: - Slow flag

    @Test func slowAgentsAreFlaggedNeverKilled() throws {
        let fixture = try Self.fixture("agents:\n"
            + Self.agent("slowpoke", "claude", model: "claude-sonnet-4-5", solutions: "neat",
                         extra: ", expected_ttft: 0.001, expected_time_to_solution: 0.2", env: ", DOUBLE_TURNS: \"2\"")
                .replacingOccurrences(of: "DOUBLE_DELAY_MS: \"1\"", with: "DOUBLE_DELAY_MS: \"700\"")
            + Self.agent("calm", "gemini", model: "gemini-2.5-flash", solutions: "neat",
                         extra: ", expected_ttft: 10m, expected_time_to_solution: 10m"))
        let sink = RecordingProgress()
        let record = try Self.run(fixture, progress: sink)
        let slow = try #require(record.candidate("slowpoke"))
        #expect(slow.outcome == .ok && slow.succeeded)
        #expect(slow.slow.map(\.expectation) == [.ttft, .timeToSolution])
        let solution = try #require(slow.slow.last)
        #expect(solution.expectedMs == 200 && solution.observedMs == slow.durationMs && solution.observedMs >= 1_400)
        #expect(slow.slow[0].observedMs == slow.firstOutputMs)
        #expect(record.candidate("calm")?.slow == [])
        // The live table flagged it while it was still running.
        #expect(sink.rows.contains { $0.agent == "slowpoke" && $0.state == .running && $0.slow.contains(.timeToSolution) })
        // Live, only the run's length could show (its first output came at once); the final row has both.
        #expect(Set(sink.rows.last { $0.agent == "slowpoke" }?.slow ?? []) == [.ttft, .timeToSolution])
        #expect(!sink.rows.contains { $0.agent == "calm" && !$0.slow.isEmpty })
    }
}

/// Every row the pipeline reported, in order.
final class RecordingProgress: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [ProgressRow] = []
    var rows: [ProgressRow] { lock.lock(); defer { lock.unlock() }; return collected }
    func note(_ line: String) {}
    func rows(_ rows: [ProgressRow], stateChanged: Bool) { lock.lock(); collected += rows; lock.unlock() }
    func changed(_ row: ProgressRow) {}
    func close() {}
}
