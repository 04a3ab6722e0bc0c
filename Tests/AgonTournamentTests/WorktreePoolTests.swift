import AgonCore
import AgonStore
import Foundation
import Testing
@testable import AgonTournament

/// The worktree pool end to end through the real `agon`: candidates that leave a mess, a repeat run
/// on a later base, resume, concurrent runs, damaged entries. The oracle is a fresh
/// `git worktree add` of the same base, observed by the same script with git and find.
@Suite(.serialized) struct WorktreePoolTests {
    /// Prints what a candidate finds when it starts: every path with type and mode, every file's
    /// checksum, git's status (ignored and untracked included), the index, HEAD.
    static let observe = """
    state=$( (find . -path ./.git -prune -o -printf '%y %m %p\\n' | LC_ALL=C sort
      find . -path ./.git -prune -o -type f -print | LC_ALL=C sort | xargs md5sum
      git status --porcelain --ignored --untracked-files=all
      git ls-files -s
      git rev-parse HEAD) 2>&1)
    printf '%s\\n' "$state" > observed-state.txt

    """

    /// A candidate that solves slugify and leaves a mess: a deleted, a chmod-ed and a modified
    /// tracked file, untracked files and directories, ignored build output, an empty directory.
    static let mess = """
    rm tests/test_basics.sh
    chmod 755 lib/textkit.sh
    echo "scratch" > notes.txt
    mkdir -p tmp/deep empty/dir build/cache
    echo "x" > tmp/deep/y.txt
    echo "object" > build/cache/out.o
    echo "# edited" >> README.md

    """

    /// Writes solution scripts (`slugify.sh` = `body` + the neat solution) and returns their directory.
    func solutions(_ fixture: TournamentFixture, _ name: String, _ body: String) throws -> String {
        // Under bin/, which the sandbox shows read-only (the rest of the fixture's /tmp is hidden).
        let dir = fixture.bin + "/solutions-" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let neat = try String(contentsOfFile: TournamentFixture.solutions + "/neat/slugify.sh", encoding: .utf8)
        try (body + neat).write(toFile: dir + "/slugify.sh", atomically: true, encoding: .utf8)
        return dir
    }

    func config(_ agents: [String], solutions: String, defaults: String = "") -> String {
        var text = "agents:\n"
        for agent in agents {
            text += "  \(agent): { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: \(solutions), DOUBLE_TURNS: \"1\", DOUBLE_DELAY_MS: \"1\" } }\n"
        }
        return text + defaults
    }

    /// A fixture whose repository ignores `build/`.
    func makeFixture(_ agents: [String], defaults: String = "") throws -> TournamentFixture {
        let fixture = try TournamentFixture(config: nil)
        try fixture.write(".gitignore", "build/\n")
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "ignore build output")
        try fixture.writeConfig(config(agents, solutions: try solutions(fixture, "mess", Self.mess), defaults: defaults))
        return fixture
    }

    func useObserver(_ fixture: TournamentFixture, _ agents: [String], defaults: String = "") throws {
        try fixture.writeConfig(config(agents, solutions: try solutions(fixture, "observe", Self.observe), defaults: defaults))
    }

    /// What the observer sees in a fresh `git worktree add` of HEAD.
    func freshObservation(_ fixture: TournamentFixture) throws -> String {
        let path = fixture.root + "/fresh-" + UUID().uuidString.prefix(6)
        try fixture.git("worktree", "add", "-q", "--detach", path, "HEAD")
        defer { _ = try? fixture.git("worktree", "remove", "--force", path) }
        let (status, _, err) = try fixture.run(["sh", "-c", Self.observe], in: path)
        #expect(status == 0, "\(err)")
        return try String(contentsOfFile: path + "/observed-state.txt", encoding: .utf8)
    }

    func observation(_ fixture: TournamentFixture, run: String, agent: String) throws -> String {
        try String(contentsOfFile: fixture.repo + "/worktrees/\(run)/\(agent)/observed-state.txt", encoding: .utf8)
    }

    func runJSON(_ fixture: TournamentFixture, _ args: String...) throws -> RunRecord {
        let result = try fixture.run([TournamentFixture.agonBinary] + args + ["--json"], in: fixture.repo)
        #expect(result.0 == 0, "\(result.2)")
        return try AgonJSON.decoder.decode(RunRecord.self, from: Data(result.1.utf8))
    }

    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return lstat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    /// A worktree's identity: the inode of `specs/reverse.md`, which no candidate here touches and
    /// no base changes, so reuse keeps it. `hold` hard-links it under the fixture so the inode cannot
    /// be freed and handed to a new file while the test runs.
    static func identity(of worktree: String, hold fixture: TournamentFixture? = nil) throws -> UInt64? {
        let file = worktree + "/specs/reverse.md"
        if let fixture {
            let held = fixture.root + "/held/" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: fixture.root + "/held", withIntermediateDirectories: true)
            try FileManager.default.linkItem(atPath: file, toPath: held)
        }
        return inode(file)
    }

    /// The parked worktrees by id, with their identities (held).
    func pool(_ fixture: TournamentFixture) throws -> [String: UInt64] {
        let dir = fixture.repo + "/worktrees/_pool"
        var result: [String: UInt64] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            result[name] = try Self.identity(of: dir + "/" + name, hold: fixture)
        }
        return result
    }

    func commitLaterBase(_ fixture: TournamentFixture) throws {
        for i in 0..<3 {
            try fixture.write("lib/extra\(i).sh", "# extra \(i)\n")
            try fixture.git("add", "-A")
            try fixture.git("commit", "-qm", "extra \(i)")
        }
    }

    @Test func repeatRunOnALaterBaseReusesPooledWorktreesThatMatchAFreshCheckout() throws {
        let agents = ["a1", "a2"]
        let fixture = try makeFixture(agents)
        let first = try runJSON(fixture, "run", "--no-cache", "specs/slugify.md")
        #expect(first.candidates.allSatisfy { $0.outcome == .ok })
        let cleaned = try fixture.agon("clean", first.runID, "--json")
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(cleaned.stdout.contains("\"worktrees_pooled\""))
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/worktrees/" + first.runID))
        #expect(try fixture.git("branch", "--list", "agon/*").isEmpty)
        let pooled = try pool(fixture)
        #expect(pooled.count == 2)

        try commitLaterBase(fixture)
        try useObserver(fixture, agents)
        let second = try runJSON(fixture, "run", "--no-cache", "specs/slugify.md")
        #expect(second.candidates.allSatisfy { $0.outcome == .ok && $0.checks.acceptance == .passed })
        let fresh = try freshObservation(fixture)
        #expect(fresh.contains("lib/extra2.sh"))
        for agent in agents {
            #expect(try observation(fixture, run: second.runID, agent: agent) == fresh)
            let inode = try Self.identity(of: fixture.repo + "/worktrees/\(second.runID)/\(agent)")
            #expect(inode != nil && Set(pooled.values).contains(inode!), "\(agent)'s worktree was not taken from the pool")
        }
        #expect(try pool(fixture).isEmpty)
        try fixture.git("fsck", "--strict", "--no-progress")
        #expect(try fixture.git("worktree", "prune", "--dry-run", "-v").isEmpty)
    }

    @Test func resumeRecyclesTheKilledAttemptsWorktree() throws {
        let fixture = try makeFixture([])
        let mess = try solutions(fixture, "mess", Self.mess)
        try fixture.writeConfig("""
        agents:
          fast: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: \(mess), DOUBLE_TURNS: "1", DOUBLE_DELAY_MS: "1" } }
          slow: { harness: codex, model: gpt-5-codex, binary: BIN/codex, env: { DOUBLE_SOLUTIONS: \(mess), DOUBLE_MODE: hang } }
        """)
        let agon = try fixture.startAgon(["run", "--no-cache", "specs/slugify.md"])
        var runID: String?
        let ready = try TournamentFixture.wait(timeout: 30) {
            guard FileManager.default.fileExists(atPath: fixture.repo + "/.agon/agon.sqlite") else { return false }
            let store = try fixture.workspace().store()
            guard let id = try store.listRuns().first?.runID, let run = try store.run(id) else { return false }
            runID = id
            return run.candidate("fast")?.state == .finished && run.candidate("slow")?.state == .running
        }
        #expect(ready, "\(fixture.startedOutput)")
        kill(agon.processIdentifier, SIGKILL)
        agon.waitUntilExit()
        let id = try #require(runID)
        let slowTree = fixture.repo + "/worktrees/\(id)/slow"
        let inodeBefore = try Self.identity(of: slowTree, hold: fixture)
        // What the killed attempt left behind (the hanging double itself writes nothing).
        let (messStatus, _, messErr) = try fixture.run(["sh", "-c", Self.mess], in: slowTree)
        #expect(messStatus == 0, "\(messErr)")

        let observer = try solutions(fixture, "observe", Self.observe)
        try fixture.writeConfig("""
        agents:
          fast: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: \(mess) } }
          slow: { harness: codex, model: gpt-5-codex, binary: BIN/codex, env: { DOUBLE_SOLUTIONS: \(observer), DOUBLE_TURNS: "1" } }
        """)
        let resumed = try runJSON(fixture, "run", "--resume", id)
        #expect(resumed.candidate("slow")?.outcome == .ok)
        #expect(try observation(fixture, run: id, agent: "slow") == freshObservation(fixture))
        #expect(try Self.identity(of: slowTree) == inodeBefore, "the killed attempt's worktree was not recycled")
        #expect(resumed.candidate("slow")?.diff.changedPaths.contains("notes.txt") == false)
    }

    @Test func concurrentRunsShareThePoolWithoutSharingAWorktree() throws {
        let fixture = try makeFixture(["a1", "a2"])
        let first = try runJSON(fixture, "run", "--no-cache", "specs/slugify.md")
        #expect(try fixture.agon("clean", first.runID).status == 0)
        let pooled = Set(try pool(fixture).values)
        #expect(pooled.count == 2)

        try useObserver(fixture, ["b1", "b2"])
        let one = try fixture.startAgon(["run", "--no-cache", "specs/slugify.md"])
        let two = try fixture.startAgon(["run", "--no-cache", "specs/slugify.md"])
        one.waitUntilExit()
        two.waitUntilExit()
        #expect(one.terminationStatus == 0 && two.terminationStatus == 0, "\(fixture.startedOutput)")
        let store = try fixture.workspace().store()
        let runs = try store.listRuns().map(\.runID).filter { $0 != first.runID }
        #expect(runs.count == 2)
        let fresh = try freshObservation(fixture)
        var inodes: [UInt64] = []
        for run in runs {
            for agent in ["b1", "b2"] {
                #expect(try observation(fixture, run: run, agent: agent) == fresh)
                inodes.append(try #require(try Self.identity(of: fixture.repo + "/worktrees/\(run)/\(agent)")))
            }
        }
        #expect(Set(inodes).count == 4)
        #expect(Set(inodes).intersection(pooled) == pooled)   // both pooled worktrees were used, once each
        #expect(try pool(fixture).isEmpty)
        try fixture.git("fsck", "--strict", "--no-progress")
    }

    @Test func damagedEntriesAreDeletedAndReplacedByFreshWorktrees() throws {
        let agents = ["a1", "a2", "a3"]
        let fixture = try makeFixture(agents)
        let first = try runJSON(fixture, "run", "--no-cache", "specs/slugify.md")
        #expect(try fixture.agon("clean", first.runID).status == 0)
        let pooled = try pool(fixture)
        #expect(pooled.count == 3)
        let ids = pooled.keys.sorted()
        let fm = FileManager.default
        // 1: its handover record is garbage; 2: git's metadata points elsewhere; 3: its directory is gone;
        // 4: a record naming a directory outside the pool, which must survive.
        try "{ not json".write(toFile: fixture.repo + "/.agon/worktrees/agon-pool-\(ids[0]).json", atomically: true, encoding: .utf8)
        let precious = fixture.root + "/precious"
        try fm.createDirectory(atPath: precious, withIntermediateDirectories: true)
        try "keep me\n".write(toFile: precious + "/file.txt", atomically: true, encoding: .utf8)
        try #"{"path":"\#(precious)","commit":"\#(first.baseSHA)","seconds":0,"nanoseconds":0}"#
            .write(toFile: fixture.repo + "/.agon/worktrees/agon-pool-precious.json", atomically: true, encoding: .utf8)
        try "/elsewhere/.git\n".write(toFile: fixture.repo + "/.git/worktrees/agon-pool-\(ids[1])/gitdir", atomically: true, encoding: .utf8)
        try fm.removeItem(atPath: fixture.repo + "/worktrees/_pool/" + ids[2])

        try useObserver(fixture, agents)
        let second = try runJSON(fixture, "run", "--no-cache", "specs/slugify.md")
        #expect(second.candidates.allSatisfy { $0.outcome == .ok })
        let fresh = try freshObservation(fixture)
        for agent in agents {
            #expect(try observation(fixture, run: second.runID, agent: agent) == fresh)
            let inode = try #require(try Self.identity(of: fixture.repo + "/worktrees/\(second.runID)/\(agent)"))
            #expect(!Set(pooled.values).contains(inode), "a damaged entry was reused")
        }
        #expect(try pool(fixture).isEmpty)
        let metadata = try fm.contentsOfDirectory(atPath: fixture.repo + "/.git/worktrees")
        #expect(!metadata.contains { $0.hasPrefix("agon-pool-") })
        let records = try fm.contentsOfDirectory(atPath: fixture.repo + "/.agon/worktrees")
        #expect(!records.contains { $0.hasPrefix("agon-pool-") })
        #expect(try fixture.git("worktree", "prune", "--dry-run", "-v").isEmpty)
        try fixture.git("fsck", "--strict", "--no-progress")
        #expect(try String(contentsOfFile: precious + "/file.txt", encoding: .utf8) == "keep me\n")
    }

    @Test func finishedRunReturnsItsWorktreesUpToThePoolSizeAndCleanPoolEmptiesIt() throws {
        let fixture = try makeFixture(["a1", "a2"], defaults: "defaults: { keep_worktrees: false, pool_size: 1, pool_keep_ignored: true }\n")
        let first = try runJSON(fixture, "run", "--no-cache", "specs/slugify.md")
        #expect(first.candidates.allSatisfy { $0.outcome == .ok })
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/worktrees/" + first.runID))
        #expect(try pool(fixture).count == 1)
        // The branches (the candidates' snapshots) stay for `agon apply`.
        let branches = try fixture.git("branch", "--list", "agon/*")
        #expect(branches.split(separator: "\n").count == 2, "branches: \(branches)")
        #expect(try fixture.git("worktree", "list").split(separator: "\n").count == 2)

        // pool_keep_ignored: the ignored build output survives into the next candidate's worktree; nothing else does.
        try useObserver(fixture, ["b1"], defaults: "defaults: { pool_keep_ignored: true }\n")
        let second = try runJSON(fixture, "run", "--no-cache", "specs/slugify.md")
        let seen = try observation(fixture, run: second.runID, agent: "b1")
        #expect(seen.contains("build/cache/out.o"))
        #expect(seen.contains("!! build/"))
        #expect(!seen.contains("notes.txt") && !seen.contains("tmp/deep"))

        #expect(try fixture.agon("clean", second.runID).status == 0)
        #expect(try pool(fixture).count == 1)
        let emptied = try fixture.agon("clean", "--pool", "--json")
        #expect(emptied.status == 0, "\(emptied.stderr)")
        #expect(emptied.stdout.contains("\"pool_entries_removed\" : 1") || emptied.stdout.contains("\"pool_entries_removed\":1"))
        #expect(try pool(fixture).isEmpty)
        #expect(try fixture.git("worktree", "list").split(separator: "\n").count == 1)
        #expect(try fixture.git("worktree", "prune", "--dry-run", "-v").isEmpty)

        let bare = try fixture.agon("clean")
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("name a run, or pass --all or --pool"))
        let purgeAlone = try fixture.agon("clean", "--pool", "--purge")
        #expect(purgeAlone.status == 2)
        #expect(purgeAlone.stderr.contains("--purge needs a run or --all"), "\(purgeAlone.stderr)")
    }

    @Test func poolSizeZeroRemovesEverythingAsBefore() throws {
        let fixture = try makeFixture(["a1"], defaults: "defaults: { pool_size: 0 }\n")
        let first = try runJSON(fixture, "run", "--no-cache", "specs/slugify.md")
        let cleaned = try fixture.agon("clean", first.runID)
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(cleaned.stdout.contains("1 worktrees") && !cleaned.stdout.contains("kept for reuse"), "\(cleaned.stdout)")
        #expect(try pool(fixture).isEmpty)
        #expect(try fixture.git("worktree", "list").split(separator: "\n").count == 1)
        let records = (try? FileManager.default.contentsOfDirectory(atPath: fixture.repo + "/.agon/worktrees")) ?? []
        #expect(records.isEmpty, "\(records)")
    }
}
