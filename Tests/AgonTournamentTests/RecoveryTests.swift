import AgonAgents
import AgonCore
import AgonStore
import Foundation
import Testing
@testable import AgonTournament

/// A bad day: Ctrl-C, `agon` itself SIGKILLed mid-run, and cleaning up afterwards.
@Suite(.serialized) struct RecoveryTests {
    static let slowAndFast = """
    agents:
      fast: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
              env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "1", DOUBLE_DELAY_MS: "1" } }
      slow: { harness: codex, model: gpt-5-codex, binary: BIN/codex,
              env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_MODE: hang } }
    """

    func latestRun(_ fixture: TournamentFixture) throws -> RunRecord? {
        guard FileManager.default.fileExists(atPath: fixture.repo + "/.agon/agon.sqlite") else { return nil }
        let store = try fixture.workspace().store()
        guard let id = try store.listRuns().first?.runID else { return nil }
        return try store.run(id)
    }

    @Test func resumeAfterAgonIsKilled() throws {
        let fixture = try TournamentFixture(config: Self.slowAndFast)
        let agon = try fixture.startAgon(["run", "specs/slugify.md"])
        // Wait until the fast candidate is recorded as finished while the slow one still runs.
        let ready = try TournamentFixture.wait(timeout: 30) {
            try latestRun(fixture)?.candidate("fast")?.state == .finished
        }
        #expect(ready, "\(fixture.startedOutput)")
        let before = try #require(try latestRun(fixture))
        #expect(before.candidate("slow")?.state == .running)
        kill(agon.processIdentifier, SIGKILL)
        agon.waitUntilExit()
        if Sandbox.availableBwrap() != nil {
            // Sandboxed, the agent dies with agon (--die-with-parent): nothing is left behind…
            #expect(TournamentFixture.wait(timeout: 5) { TournamentFixture.processes(ofRun: before.runID).isEmpty })
        } else {
            // …unsandboxed, a silent agent outlives its killed parent (nothing it writes hits a closed pipe)…
            #expect(!TournamentFixture.processes(ofRun: before.runID).isEmpty)
        }
        // Nobody holds the run any more: list and show say so instead of "running".
        let show = try fixture.agon("show", before.runID)
        #expect(show.stdout.contains("  stale  ") && show.stdout.contains("agon run --resume \(before.runID)"), "\(show.stdout)")
        #expect(try fixture.agon("list").stdout.contains("stale"))

        // …until `--resume` kills it before redoing the unfinished candidate from a fresh worktree.
        try fixture.writeConfig(Self.slowAndFast.replacingOccurrences(of: "DOUBLE_MODE: hang", with: "DOUBLE_TURNS: \"2\""))
        let resumed = try fixture.agon("run", "--resume", before.runID, "--json")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = try AgonJSON.decoder.decode(RunRecord.self, from: Data(resumed.stdout.utf8))
        #expect(after.runID == before.runID)
        #expect(after.status == .done)
        #expect(after.candidate("fast") == before.candidate("fast"))    // kept as it was
        #expect(after.candidate("slow")?.outcome == .ok)
        #expect(after.candidate("slow")?.turns == 2)
        #expect(TournamentFixture.processes(ofRun: before.runID).isEmpty)

        // Clean leaves git no worktree but the pooled ones; records stay.
        let cleaned = try fixture.agon("clean", before.runID)
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(try Self.worktreesOutsideThePool(fixture).isEmpty)
        #expect(try fixture.git("branch", "--list", "agon/*").isEmpty)
        #expect(try fixture.git("worktree", "prune", "--dry-run", "-v").isEmpty)
        #expect(try latestRun(fixture) != nil)
    }

    @Test func ctrlCStopsEveryAgentAndMarksTheRunInterrupted() throws {
        let fixture = try TournamentFixture(config: """
        agents:
          stuck: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_MODE: hang } }
          slow:  { harness: gemini, model: gemini-2.5-flash, binary: BIN/gemini, env: { DOUBLE_TURNS: "500", DOUBLE_DELAY_MS: "50" } }
        """)
        let agon = try fixture.startAgon(["run", "specs/slugify.md"])
        let started = try TournamentFixture.wait(timeout: 30) {
            try latestRun(fixture)?.candidates.allSatisfy { $0.state == .running } == true
        }
        #expect(started)
        let runID = try #require(try latestRun(fixture)?.runID)
        #expect(TournamentFixture.wait(timeout: 10) { TournamentFixture.processes(ofRun: runID).count >= 2 })
        kill(agon.processIdentifier, SIGINT)
        agon.waitUntilExit()
        #expect(agon.terminationStatus == 130, "\(fixture.startedOutput)")
        let record = try #require(try latestRun(fixture))
        #expect(record.status == .interrupted)
        #expect(TournamentFixture.processes(ofRun: runID).isEmpty)
        // An interrupted run resumes.
        try fixture.writeConfig("""
        agents:
          stuck: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: SOL/neat } }
          slow:  { harness: gemini, model: gemini-2.5-flash, binary: BIN/gemini, env: { DOUBLE_SOLUTIONS: SOL/neat } }
        """)
        let resumed = try fixture.agon("run", "--resume", runID)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try latestRun(fixture)?.status == .done)
    }

    @Test func cleanAllAndPurge() throws {
        let fixture = try TournamentFixture()
        #expect(try fixture.agon("run", "specs/slugify.md", "--agents", "neat,wrong").status == 0)
        #expect(try fixture.agon("run", "specs/reverse.md", "--agents", "neat").status == 0)
        #expect(try fixture.git("worktree", "list").split(separator: "\n").count == 4)
        let kept = try fixture.agon("clean", "--all")
        #expect(kept.status == 0)
        #expect(try Self.worktreesOutsideThePool(fixture).isEmpty)
        #expect(try fixture.git("branch", "--list", "agon/*").isEmpty)
        #expect(try fixture.workspace().store().listRuns().count == 2)
        let purged = try fixture.agon("clean", "--all", "--purge")
        #expect(purged.status == 0)
        #expect(try fixture.workspace().store().listRuns().isEmpty)
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: fixture.repo + "/.agon/runs")) ?? []
        #expect(runs.isEmpty)
        // `--pool` deletes the worktrees kept for reuse too.
        #expect(try fixture.agon("clean", "--pool").status == 0)
        #expect(try fixture.git("worktree", "list").split(separator: "\n").count == 1)
    }

    /// Linked worktrees git lists that are not parked in `worktrees/_pool/`.
    static func worktreesOutsideThePool(_ fixture: TournamentFixture) throws -> [String] {
        try fixture.git("worktree", "list", "--porcelain").split(separator: "\n")
            .filter { $0.hasPrefix("worktree ") && !$0.hasSuffix("/repo") && !$0.contains("/worktrees/_pool/") }.map(String.init)
    }
}
