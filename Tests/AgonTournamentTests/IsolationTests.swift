import AgonCore
import Foundation
import Testing
@testable import AgonTournament

/// Names and runs that must not step on each other.
@Suite(.serialized) struct IsolationTests {
    @Test func agentIdsCannotCollideWithScratchWorktrees() throws {
        // `holdout-neat` once named neat's holdout worktree; scratch trees now live under `_holdout/`.
        let fixture = try TournamentFixture(config: """
        agents:
          neat:         { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: SOL/neat } }
          holdout-neat: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                          env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_DELAY_MS: "300" } }
        """)
        let result = try fixture.agon("run", "specs/slugify.md", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(result.stdout.utf8))
        for candidate in record.candidates {
            #expect(candidate.outcome == .ok, "\(candidate.agent): \(candidate.apiErrorMessage ?? "")")
            #expect(candidate.checks == CheckSummary(acceptance: .passed, holdout: .passed, scope: .passed))
        }
    }

    @Test func cleanLeavesALiveRunAlone() throws {
        let fixture = try TournamentFixture(config: """
        agents:
          slow: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                  env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "40", DOUBLE_DELAY_MS: "100" } }
        """)
        let agon = try fixture.startAgon(["run", "specs/slugify.md"])
        defer { if agon.isRunning { kill(agon.processIdentifier, SIGKILL) } }
        let store = fixture.repo + "/.agon/agon.sqlite"
        #expect(TournamentFixture.wait(timeout: 30) {
            FileManager.default.fileExists(atPath: store)
                && (try? fixture.workspace().store().listRuns().first?.status) == .running
        })
        let runID = try #require(try fixture.workspace().store().listRuns().first?.runID)
        let all = try fixture.agon("clean", "--all")
        #expect(all.status == 0)
        #expect(all.stdout.contains("skipped \(runID): still being run"))
        let one = try fixture.agon("clean", runID)
        #expect(one.status == 2)
        let resume = try fixture.agon("run", "--resume", runID)
        #expect(resume.status == 2)
        #expect(resume.stderr.contains("still being run by another agon process"))
        agon.waitUntilExit()
        #expect(agon.terminationStatus == 0, "\(fixture.startedOutput)")
        #expect(try fixture.workspace().store().run(runID)?.candidate("slow")?.outcome == .ok)
    }

    @Test func runExcludesItsOwnDirectoriesFromGit() throws {
        let fixture = try TournamentFixture()
        try "".write(toFile: fixture.repo + "/.git/info/exclude", atomically: true, encoding: .utf8)
        #expect(try fixture.agon("run", "specs/slugify.md", "--agents", "neat").status == 0)
        #expect(try fixture.git("status", "--porcelain").isEmpty)
    }
}
