import AgonCore
import AgonStore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// `agon` on a PostgreSQL store: a whole run written there (and nothing in `.agon/agon.sqlite`),
/// `agon store migrate` copying a SQLite history once, and its error lines.
@Suite struct SharedStoreCommandTests {
    static let hasServer = StoreBackend.postgresURL != nil

    func agon(_ fixture: TournamentFixture, _ args: [String], store: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = fixture.environment
        if let store { environment["AGON_STORE_URL"] = store }
        return try ProcessRun.run([TournamentFixture.agonBinary] + args, in: fixture.repo, environment: environment, scratch: fixture.root)
    }

    @Test(.enabled(if: hasServer)) func runListShowAndLeaderboardUseThePostgresStore() throws {
        let fixture = try TournamentFixture(config: TournamentFixture.fourAgents)
        let scratch = try ScratchStore(.postgres)
        let run = try agon(fixture, ["run", "specs/slugify.md", "--no-review", "--json"], store: scratch.urlOrPath)
        #expect(run.status == 1 || run.status == 0, "\(run.stderr)")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(run.stdout.utf8))
        // The run lives in PostgreSQL only.
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/agon.sqlite"))
        #expect(try scratch.open().run(record.runID) == record)
        let list = try agon(fixture, ["list", "--json"], store: scratch.urlOrPath)
        #expect(list.status == 0 && list.stdout.contains(record.runID), "\(list.stderr)")
        let show = try agon(fixture, ["show", String(record.runID.prefix(12)), "--json"], store: scratch.urlOrPath)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(try AgonJSON.decoder.decode(RunRecord.self, from: Data(show.stdout.utf8)) == record)
        let board = try agon(fixture, ["leaderboard", "--format", "csv"], store: scratch.urlOrPath)
        #expect(board.status == 0 && board.stdout.contains("neat"), "\(board.stderr)")
        // Without the URL the repository has no runs.
        #expect(try agon(fixture, ["list"]).stdout.contains(record.runID) == false)
    }

    @Test func runArtifactsGoToTheArtifactRoot() throws {
        let fixture = try TournamentFixture(config: TournamentFixture.fourAgents)
        let shared = try TemporaryDirectory()
        try fixture.writeConfig(TournamentFixture.fourAgents + "\nartifact_root: \(shared.path)\n")
        let run = try agon(fixture, ["run", "specs/slugify.md", "--no-review", "--json"])
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(run.stdout.utf8))
        let neat = try #require(record.candidate("neat"))
        let patchPath = try #require(neat.diff.patchPath)
        #expect(patchPath.hasPrefix(shared.path + "/runs/\(record.runID)/candidates/neat/"), "\(patchPath)")
        #expect(FileManager.default.fileExists(atPath: patchPath))
        #expect(FileManager.default.fileExists(atPath: shared.path + "/runs/\(record.runID)/manifest.json"))
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs/\(record.runID)"))
        // The index stays in the repository; `show` finds the run and its patch.
        #expect(FileManager.default.fileExists(atPath: fixture.repo + "/.agon/agon.sqlite"))
        #expect(try agon(fixture, ["show", record.runID]).status == 0)
    }

    @Test(.enabled(if: hasServer)) func storeMigrateCopiesOnceAndReportsCounts() throws {
        let fixture = try TournamentFixture(config: nil)
        let local = try fixture.workspace().store()
        var rng = SplitMix64(seed: 3)
        let runs = (0..<2).map { SyntheticStore.makeRun(index: $0, agents: ["a", "b"], start: Date(timeIntervalSince1970: 1_767_225_600), rng: &rng) }
        try local.importRuns(runs)
        try local.recordPick(ApplyRecord(runID: runs[0].runID, agent: "b", appliedAt: Date(timeIntervalSince1970: 1_767_300_000), committed: true))
        let scratch = try ScratchStore(.postgres)

        let first = try agon(fixture, ["store", "migrate", "--to", scratch.urlOrPath, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let copied = try AgonJSON.decoder.decode(VersionedDocument<StoreMigrationResult>.self, from: Data(first.stdout.utf8)).body
        #expect(copied.runsCopied == 2 && copied.candidatesCopied == 4 && copied.reviewsCopied == 6 && copied.picksCopied == 1)
        #expect(copied.runsAlreadyPresent == 0)
        let target = try scratch.open()
        #expect(try target.allRunsForLeaderboard() == (try local.allRunsForLeaderboard()))
        #expect(try target.picks() == (try local.picks()))

        let second = try agon(fixture, ["store", "migrate", "--to", scratch.urlOrPath])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("copied 0 runs (0 candidates, 0 reviews, 0 picks) from "), "\(second.stdout)")
        #expect(second.stdout.contains("skipped 2 runs already in the target"))
        #expect(try target.picks().count == 1)
        #expect(try target.runCount() == 2)
    }

    @Test func storeMigrateErrorLines() throws {
        let fixture = try TournamentFixture(config: nil)
        let nowhere = try TemporaryDirectory()
        // No SQLite store in the repository yet.
        let missing = try agon(fixture, ["store", "migrate", "--to", "postgres://h/db"])
        #expect(missing.status == 2 && missing.stderr.hasPrefix("agon: no SQLite store at "), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/agon.sqlite"))
        var rng = SplitMix64(seed: 1)
        try fixture.workspace().store().importRuns([SyntheticStore.makeRun(index: 0, agents: ["a"], start: Date(), rng: &rng)])
        var lines: [String] = []
        for url in ["mysql://h/db", "postgresql://agon:hunter2@/agon?host=\(nowhere.path)"] {
            let result = try agon(fixture, ["store", "migrate", "--to", url])
            #expect(result.status != 0)
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix("agon: "), "\(result.stderr)")
            #expect(!result.stderr.contains("hunter2"), "a password was printed: \(result.stderr)")
            lines.append(result.stderr)
        }
        #expect(lines[0].contains("bad store URL"), "\(lines[0])")
        #expect(lines[1].contains("cannot reach the PostgreSQL store"), "\(lines[1])")
        // A bad AGON_STORE_URL stops every command before it does anything.
        let list = try agon(fixture, ["list"], store: "sqlite:///tmp/x")
        #expect(list.status != 0 && list.stderr.contains("bad store URL"), "\(list.stderr)")
        guard Self.hasServer else { return }
        let foreign = try ScratchStore(.postgres)
        _ = try foreign.sql("CREATE TABLE invoices (id bigint)")
        let refused = try agon(fixture, ["store", "migrate", "--to", foreign.urlOrPath])
        #expect(refused.status != 0 && refused.stderr.contains("not an Agon database"), "\(refused.stderr)")
        #expect(try foreign.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()") == "1")
    }
}
