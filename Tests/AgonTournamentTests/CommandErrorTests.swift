import AgonCore
import Foundation
import Testing
@testable import AgonTournament

/// Error paths of the commands that work on recorded runs: each exits 2 with a line that names
/// what is wrong, and changes nothing.
@Suite struct CommandErrorTests {
    /// A repository with one finished run of `neat` (and `idle`, an agent that changes nothing).
    func fixtureWithRun() throws -> (TournamentFixture, String) {
        let fixture = try TournamentFixture(config: nil)
        // Under bin/ (a PATH entry): the sandbox replaces the fixture's HOME, and shows PATH entries.
        let idle = fixture.bin + "/idle-solutions"
        try FileManager.default.createDirectory(atPath: idle, withIntermediateDirectories: true)
        try "true\n".write(toFile: idle + "/slugify.sh", atomically: true, encoding: .utf8)
        try fixture.writeConfig("""
        agents:
          neat: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: SOL/neat } }
          idle: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: \(idle) } }
        verifiers:
          judge: { harness: gemini, model: gemini-2.5-flash, binary: BIN/gemini, env: { DOUBLE_REVIEW: sound } }
        """)
        let run = try fixture.agon("run", "specs/slugify.md", "--no-review", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(run.stdout.utf8))
        #expect(record.candidate("idle")?.outcome == .noChanges)
        return (fixture, record.runID)
    }

    func expectExit2(_ fixture: TournamentFixture, _ args: String..., mentions: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try fixture.run([TournamentFixture.agonBinary] + args, in: fixture.repo)
        #expect(result.0 == 2, "exit \(result.0): \(result.2)", sourceLocation: sourceLocation)
        #expect(result.2.split(separator: "\n").count == 1, "\(result.2)", sourceLocation: sourceLocation)
        #expect(result.2.contains(mentions), "\(result.2) should mention \(mentions)", sourceLocation: sourceLocation)
    }

    @Test func errorsOnRecordedRuns() throws {
        let (fixture, runID) = try fixtureWithRun()
        let statusBefore = try fixture.git("status", "--porcelain")
        try expectExit2(fixture, "run", "--resume", runID, mentions: "already finished")
        try expectExit2(fixture, "clean", "20990101-000000-zzzz", mentions: "no run 20990101-000000-zzzz")
        try expectExit2(fixture, "apply", runID, "idle", mentions: "left no changes to apply")
        try expectExit2(fixture, "review", runID, "--verifiers", "ghost", mentions: "unknown verifier \"ghost\"")
        try expectExit2(fixture, "report", "nope", mentions: "nope")
        try expectExit2(fixture, "shortlist", "nope", mentions: "nope")
        // Nothing was changed by any of them.
        #expect(try fixture.git("status", "--porcelain") == statusBefore)
        #expect(try fixture.workspace().store().picks(runID: runID).isEmpty)
        #expect(try fixture.workspace().store().run(runID)?.status == .done)
    }

    @Test func validateShowsThePlanAndEveryMissingCLI() throws {
        let fixture = try TournamentFixture(config: """
        agents:
          here:  { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude }
          ghost: { harness: codex, model: gpt-5-codex, binary: /nonexistent/codex }
        """)
        let (status, stdout, stderr) = try fixture.run([TournamentFixture.agonBinary, "validate", "specs/slugify.md"], in: fixture.repo)
        #expect(status == 2)
        #expect(stdout.contains("here") && stdout.contains("NOT FOUND"))
        #expect(stderr == "agon: ghost: CLI \"/nonexistent/codex\" not found (set `binary:` in agon.yml)\n")
    }

    /// Flag values the domain refuses are named by their flag, on one line, exit 2.
    @Test func badFlagValuesNameTheFlag() throws {
        let fixture = try TournamentFixture(config: nil)
        try expectExit2(fixture, "leaderboard", "--since", "2026-02-30", mentions: "agon: --since: expected a date like 2026-01-31")
        try expectExit2(fixture, "leaderboard", "--bootstrap=-1", mentions: "agon: --bootstrap: expected a number of bootstrap replicates >= 0, got -1")
        try expectExit2(fixture, "leaderboard", "--followups=-1", mentions: "agon: --followups: expected a number of follow-ups >= 0, got -1")
        try expectExit2(fixture, "leaderboard", "--by", "team", mentions: "agon: --by: expected agent, model, harness (one row per agent id, per harness and model, per harness), got \"team\"")
        try FileManager.default.createDirectory(atPath: fixture.repo + "/out.html", withIntermediateDirectories: true)
        try expectExit2(fixture, "report", "--leaderboard", "-o", "out.html", mentions: "agon: -o out.html: is a directory")
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/reports"))
    }

    @Test func initRefusesToOverwriteEvenABrokenConfig() throws {
        let fixture = try TournamentFixture(config: "agents: [broken\n", commit: false)
        let result = try fixture.agon("init")
        #expect(result.status == 2)
        #expect(result.stderr.contains("refusing to overwrite agon.yml"))
        #expect(try String(contentsOfFile: fixture.repo + "/agon.yml", encoding: .utf8) == "agents: [broken\n")
    }
}
