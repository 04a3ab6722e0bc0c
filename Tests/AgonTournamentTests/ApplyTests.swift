import AgonCore
import Foundation
import Testing
@testable import AgonTournament

/// `agon apply`: clean apply and commit, a dirty tree, a moved HEAD (refused, then 3-way), a conflict.
@Suite(.serialized) struct ApplyTests {
    /// A fixture with one finished run of `neat` on the slugify spec; returns the run id.
    func fixtureWithRun() throws -> (TournamentFixture, String) {
        let fixture = try TournamentFixture()
        let run = try fixture.agon("run", "specs/slugify.md", "--agents", "neat", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(run.stdout.utf8))
        return (fixture, record.runID)
    }

    @Test func cleanApplyCommitsWithTheSpecTitleAndRecordsThePick() throws {
        let (fixture, runID) = try fixtureWithRun()
        let applied = try fixture.agon("apply", runID, "neat", "--commit", "--json")
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try fixture.git("log", "-1", "--format=%s") == "Add tk_slugify to textkit\n")
        #expect(try fixture.git("status", "--porcelain", "--untracked-files=no").isEmpty)
        #expect(try fixture.run(["sh", "tests/test_slugify.sh"], in: fixture.repo).0 == 0)
        let picks = try fixture.workspace().store().picks(runID: runID)
        #expect(picks.map(\.agent) == ["neat"])
        #expect(picks.first?.committed == true)
    }

    @Test func applyWithoutCommitLeavesTheChangeInTheWorkTree() throws {
        let (fixture, runID) = try fixtureWithRun()
        #expect(try fixture.agon("apply", runID, "neat").status == 0)
        let status = try fixture.git("status", "--porcelain")
        #expect(status.contains(" M lib/textkit.sh"))
        #expect(status.contains("?? tests/test_slugify.sh") || status.contains("A  tests/test_slugify.sh"))
    }

    @Test func dirtyTreeIsRefused() throws {
        let (fixture, runID) = try fixtureWithRun()
        try fixture.write("README.md", "local change\n")
        let refused = try fixture.agon("apply", runID, "neat")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("uncommitted changes"))
        #expect(try String(contentsOfFile: fixture.repo + "/README.md", encoding: .utf8) == "local change\n")
        #expect(try fixture.workspace().store().picks(runID: runID).isEmpty)
    }

    @Test func movedHeadIsRefusedThenAppliedThreeWay() throws {
        let (fixture, runID) = try fixtureWithRun()
        try fixture.write("README.md", "# textkit\n\nMoved on.\n")
        try fixture.git("commit", "-qam", "unrelated change")
        let refused = try fixture.agon("apply", runID, "neat")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("has moved from the run's base"))
        let threeWay = try fixture.agon("apply", runID, "neat", "--onto-current", "--commit")
        #expect(threeWay.status == 0, "\(threeWay.stderr)")
        #expect(try fixture.run(["sh", "tests/test_slugify.sh"], in: fixture.repo).0 == 0)
        #expect(try String(contentsOfFile: fixture.repo + "/README.md", encoding: .utf8).contains("Moved on."))
    }

    @Test func conflictFailsWithoutHalfApplying() throws {
        let (fixture, runID) = try fixtureWithRun()
        // Rewrite the lines the patch's context relies on.
        try fixture.write("lib/textkit.sh", "# rewritten\ntk_trim() { :; }\n")
        try fixture.git("commit", "-qam", "rewrite the library")
        let head = try fixture.git("rev-parse", "HEAD")
        let failed = try fixture.agon("apply", runID, "neat", "--onto-current")
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("does not apply"))
        #expect(try fixture.git("rev-parse", "HEAD") == head)
        #expect(try fixture.workspace().store().picks(runID: runID).isEmpty)
    }

    @Test func unknownCandidateOrEmptyPatchIsUsageError() throws {
        let (fixture, runID) = try fixtureWithRun()
        let unknown = try fixture.agon("apply", runID, "ghost")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("has no candidate \"ghost\""))
    }

    @Test func untrackedFilesInTheWayAreNeverTouched() throws {
        let (fixture, runID) = try fixtureWithRun()
        try fixture.write("README.md", "# textkit\n\nMoved on.\n")
        try fixture.git("commit", "-qam", "move HEAD")
        try fixture.write("tests/test_slugify.sh", "MY PRECIOUS WORK\n")
        for args in [["apply", runID, "neat"], ["apply", runID, "neat", "--onto-current"]] {
            let refused = try fixture.run([TournamentFixture.agonBinary] + args, in: fixture.repo)
            #expect(refused.0 == 2 || refused.0 == 1)
        }
        #expect(try String(contentsOfFile: fixture.repo + "/tests/test_slugify.sh", encoding: .utf8) == "MY PRECIOUS WORK\n")
    }

    @Test func commitTakesOnlyThePatchsPaths() throws {
        let (fixture, runID) = try fixtureWithRun()
        try fixture.write(".env.local", "SECRET=1\n")
        try fixture.write("scratch/todo.txt", "notes\n")
        #expect(try fixture.agon("apply", runID, "neat", "--commit").status == 0)
        let committed = try fixture.git("show", "--name-only", "--format=", "HEAD")
        #expect(committed.split(separator: "\n").sorted() == ["lib/textkit.sh", "tests/test_slugify.sh"])
        #expect(try fixture.git("status", "--porcelain").contains("?? .env.local"))
    }
}
