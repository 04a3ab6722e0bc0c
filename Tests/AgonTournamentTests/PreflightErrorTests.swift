import Foundation
import Testing
@testable import AgonTournament

/// Every preflight error a user can hit: one clear line on stderr, exit code 2, and nothing made.
@Suite struct PreflightErrorTests {
    /// Runs `agon args…` and checks the documented failure shape; returns stderr.
    func expectUsageError(_ fixture: TournamentFixture, _ args: [String], mentions: String,
                          sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (status, _, stderr) = try fixture.run([TournamentFixture.agonBinary] + args, in: fixture.repo)
        #expect(status == 2, "exit \(status): \(stderr)", sourceLocation: sourceLocation)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(stderr)", sourceLocation: sourceLocation)
        #expect(stderr.hasPrefix("agon: "), "\(stderr)", sourceLocation: sourceLocation)
        #expect(stderr.contains(mentions), "\(stderr) should mention \(mentions)", sourceLocation: sourceLocation)
        // Nothing half-made: no worktrees, no agon branches, no recorded runs.
        #expect(try fixture.git("branch", "--list", "agon/*").isEmpty, sourceLocation: sourceLocation)
        #expect(try fixture.git("worktree", "list").split(separator: "\n").count <= 1, sourceLocation: sourceLocation)
        let store = fixture.repo + "/.agon/agon.sqlite"
        if FileManager.default.fileExists(atPath: store) {
            #expect(try fixture.workspace().store().listRuns().isEmpty, sourceLocation: sourceLocation)
        }
    }

    @Test func notARepository() throws {
        let fixture = try TournamentFixture()
        let outside = fixture.root + "/plain"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let (status, _, stderr) = try fixture.run([TournamentFixture.agonBinary, "run", "x.md"], in: outside)
        #expect(status == 2)
        #expect(stderr == "agon: not a git repository: \(outside)\n")
    }

    @Test func repositoryWithNoCommits() throws {
        let fixture = try TournamentFixture(commit: false)
        try expectUsageError(fixture, ["run", "specs/slugify.md"], mentions: "has no commits")
    }

    @Test func unknownAgent() throws {
        let fixture = try TournamentFixture()
        try expectUsageError(fixture, ["run", "specs/slugify.md", "--agents", "neat,nope"], mentions: "unknown agent \"nope\"")
    }

    @Test func missingCLIBinary() throws {
        let fixture = try TournamentFixture(config: "agents:\n  ghost: { harness: claude, binary: /nonexistent/claude }\n")
        try expectUsageError(fixture, ["run", "specs/slugify.md"], mentions: "CLI \"/nonexistent/claude\" not found")
    }

    @Test func verifierWithAPermissionBypass() throws {
        let fixture = try TournamentFixture(config: """
            agents:
              neat: { harness: claude, binary: BIN/claude }
            verifiers:
              judge: { harness: claude, binary: BIN/claude, args: ["--dangerously-skip-permissions"] }

            """)
        try expectUsageError(fixture, ["run", "specs/slugify.md"],
                             mentions: "verifier \"judge\": args contain --dangerously-skip-permissions, which lifts claude's read-only mode")
    }

    @Test func unreadableSpec() throws {
        let fixture = try TournamentFixture()
        try expectUsageError(fixture, ["run", "specs/missing.md"], mentions: "cannot read spec specs/missing.md")
    }

    @Test func missingBaseRef() throws {
        let fixture = try TournamentFixture()
        try fixture.write("specs/based.md", "---\nbase: no-such-branch\n---\nDo it.\n")
        try expectUsageError(fixture, ["run", "specs/based.md"], mentions: "base \"no-such-branch\" does not name a commit")
    }

    @Test func malformedSpecs() throws {
        let fixture = try TournamentFixture()
        try fixture.write("specs/unclosed.md", "---\ntitle: x\nDo it.\n")
        try expectUsageError(fixture, ["run", "specs/unclosed.md"], mentions: "specs/unclosed.md:1")
        try fixture.write("specs/type.md", "---\ntitle: x\nbudget: { max_cost_usd: lots }\n---\nDo it.\n")
        try expectUsageError(fixture, ["validate", "specs/type.md"], mentions: "specs/type.md:3: budget.max_cost_usd")
        try fixture.write("specs/key.md", "---\ntitle: x\nreviewers: [a]\n---\nDo it.\n")
        try expectUsageError(fixture, ["run", "specs/key.md"], mentions: "specs/key.md:3: reviewers")
    }

    @Test func malformedConfig() throws {
        let fixture = try TournamentFixture(config: "agents:\n  a: { harness: claud }\n")
        try expectUsageError(fixture, ["run", "specs/slugify.md"], mentions: "agon.yml:2: agents.a.harness")
        try fixture.writeConfig("agents:\n  a: { harness: claude, budget: { max_cost_usd: -1 } }\n")
        try expectUsageError(fixture, ["validate", "specs/slugify.md"], mentions: "agents.a.budget.max_cost_usd")
        try fixture.writeConfig("agents: [oops\n")
        try expectUsageError(fixture, ["validate", "specs/slugify.md"], mentions: "agon.yml")
    }

    @Test func badUsageIsExitTwo() throws {
        let fixture = try TournamentFixture()
        let (status, _, _) = try fixture.run([TournamentFixture.agonBinary, "run"], in: fixture.repo)
        #expect(status == 2)
        let (unknown, _, _) = try fixture.run([TournamentFixture.agonBinary, "frobnicate"], in: fixture.repo)
        #expect(unknown == 2)
        try expectUsageError(fixture, ["show", "nope"], mentions: "no runs recorded")
    }

    @Test func validatePrintsThePlan() throws {
        let fixture = try TournamentFixture()
        let (status, stdout, _) = try fixture.run([TournamentFixture.agonBinary, "validate", "specs/slugify.md", "--json"], in: fixture.repo)
        #expect(status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        let plan = try #require((object["plans"] as? [[String: Any]])?.first)
        #expect((plan["base_sha"] as? String)?.count == 40)
        let agents = try #require(plan["agents"] as? [[String: Any]])
        #expect(agents.map { $0["id"] as? String } == ["neat", "sprawl", "wrong", "spendy"])
        #expect((agents[0]["budget"] as? [String: Any])?["max_cost_usd"] as? Double == 0.40)
    }

    @Test func unpricedModelsAreCalledOut() throws {
        let fixture = try TournamentFixture(config: "agents:\n  local: { harness: claude, model: my-local-model, binary: BIN/claude }\n")
        let (status, stdout, _) = try fixture.run([TournamentFixture.agonBinary, "validate", "specs/slugify.md"], in: fixture.repo)
        #expect(status == 0)
        #expect(stdout.contains("UNPRICED"))
        #expect(stdout.contains("has no price"))
        let models = try fixture.agon("models")
        #expect(models.stdout.contains("WARNING: local runs an unpriced model"))
    }

    @Test func initWritesStarterFilesAndRefusesToOverwrite() throws {
        let fixture = try TournamentFixture(config: nil)
        try FileManager.default.removeItem(atPath: fixture.repo + "/specs")
        let first = try fixture.agon("init")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: fixture.repo + "/agon.yml"))
        #expect(FileManager.default.fileExists(atPath: fixture.repo + "/specs/example.md"))
        let exclude = try String(contentsOfFile: fixture.repo + "/.git/info/exclude", encoding: .utf8)
        #expect(exclude.contains("/worktrees/"))
        // The starter files parse.
        let validated = try fixture.agon("validate", "specs/example.md")
        #expect(validated.status == 0, "\(validated.stderr)")
        let again = try fixture.agon("init")
        #expect(again.status == 2)
        #expect(again.stderr.contains("refusing to overwrite"))
    }
}

@Test func readCommandsDoNotCreateAStore() throws {
    let fixture = try TournamentFixture()
    #expect(try fixture.agon("list").status == 0)
    #expect(try fixture.agon("leaderboard").status == 0)
    let show = try fixture.agon("show")
    #expect(show.status == 2)
    #expect(show.stderr.contains("no runs recorded"))
    #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/agon.sqlite"))
    #expect(try fixture.git("status", "--porcelain").isEmpty)
}
