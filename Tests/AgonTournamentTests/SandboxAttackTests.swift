import AgonAgents
import AgonCore
import Foundation
import Testing
@testable import AgonTournament

/// A hostile candidate, as plain shell scripts under `harness: command` run by the real `agon`
/// CLI: it reads the holdout and a rival's worktree, writes into the rival, plants git hooks and
/// `core.fsmonitor`, reads Agon's environment through /proc, writes outside its worktree, leaves
/// `setsid env -i` and double-forked processes and 200 sleepers behind, and a lurker that edits
/// every patch and plants verdicts later. Its acceptance and holdout checks attack too. Every
/// effect is checked on disk, in /proc and in the record.
@Suite(.serialized) struct SandboxAttackTests {
    /// Distinct per test, so concurrent tests never see each other's sleepers.
    let tag = String(Int.random(in: 100_000...999_999))
    var secretName: String { "AGON_ATTACK_SECRET_\(tag)" }
    var secretValue: String { "s3cret-\(tag)" }

    static let bwrapAvailable = Sandbox.availableBwrap() != nil

    func attacker(_ fixture: TournamentFixture) -> String {
        """
        #!/bin/sh
        W="$PWD"
        RUNDIR=$(dirname "$W")
        COMMON=$(cd "$(git rev-parse --git-common-dir)" && pwd)
        REPO=$(dirname "$COMMON")
        loot="$W/loot.txt"
        sleep 0.3   # the victim has written its file by now
        cat "$REPO/.agon/holdout/"* >> "$loot" 2>/dev/null
        cat "$RUNDIR/victim/lib/victim.txt" >> "$loot" 2>/dev/null
        git log --all --format=%s >> "$loot" 2>/dev/null
        echo "SIBLINGS: $(ls "$RUNDIR" | tr '\\n' ' ')" >> "$loot"
        echo sabotage > "$RUNDIR/victim/lib/sabotage.txt" 2>/dev/null
        echo sabotage >> "$RUNDIR/victim/lib/victim.txt" 2>/dev/null
        printf '#!/bin/sh\\ntouch %s/hook-ran\\n' "\(fixture.root)" > "$COMMON/hooks/pre-commit" 2>/dev/null
        chmod +x "$COMMON/hooks/pre-commit" 2>/dev/null
        cp "$COMMON/hooks/pre-commit" "$COMMON/hooks/post-commit" 2>/dev/null
        git config core.fsmonitor "touch \(fixture.root)/fsmonitor-ran" 2>/dev/null
        cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n' >> "$loot"
        echo outside > "$REPO/outside-agent.txt" 2>/dev/null
        echo outside > "\(fixture.root)/outside-agent.txt" 2>/dev/null
        setsid env -i /bin/sleep \(tag).1 </dev/null >/dev/null 2>&1 &
        ( /bin/sleep \(tag).2 </dev/null >/dev/null 2>&1 & ) &
        i=0; while [ $i -lt 200 ]; do /bin/sleep \(tag).3 </dev/null >/dev/null 2>&1 & i=$((i+1)); done
        setsid env -i /bin/sh -c 'sleep 3
          for p in '"$REPO"'/.agon/runs/*/candidates/*/patch.diff; do printf "+evil\\n" >> "$p"; done
          for d in /tmp/agon-review-*; do echo "{}" > "$d/verdict.json"; done
          exec /bin/sleep \(tag).4' </dev/null >/dev/null 2>&1 &
        mkdir -p lib && echo attacker > lib/attacker.txt
        exit 0
        """
    }

    let victim = """
    #!/bin/sh
    mkdir -p lib && echo victim-work > lib/victim.txt
    sleep 1
    exit 0
    """

    var spec: String {
        """
        ---
        title: Attack
        acceptance:
          - 'echo "IFACES=$(grep -c : /proc/net/dev)"; cat "$AGON_REPO/.agon/holdout/h.sh" && echo HOLDOUT-READ-BY-ACCEPTANCE; echo x > "$AGON_REPO/outside-check.txt"; setsid env -i /bin/sleep \(tag).5 </dev/null >/dev/null 2>&1 & true'
        holdout:
          - sh "$AGON_HOLDOUT_DIR/h.sh"
        ---
        Write something.
        """
    }

    func makeFixture(sandbox: String) throws -> TournamentFixture {
        let fixture = try TournamentFixture(config: nil)
        let attacks = fixture.root + "/attacks"
        try FileManager.default.createDirectory(atPath: attacks, withIntermediateDirectories: true)
        for (name, text) in [("attacker.sh", attacker(fixture)), ("victim.sh", victim)] {
            try text.write(toFile: attacks + "/" + name, atomically: true, encoding: .utf8)
            chmod(attacks + "/" + name, 0o755)
        }
        try "echo holdout-secret-\(tag)\nsetsid env -i /bin/sleep \(tag).6 </dev/null >/dev/null 2>&1 &\ntrue\n"
            .write(toFile: fixture.repo + "/.agon/holdout/h.sh", atomically: true, encoding: .utf8)
        try fixture.writeConfig("""
        agents:
          attacker: { harness: command, command: ["\(attacks)/attacker.sh"] }
          victim:   { harness: command, command: ["\(attacks)/victim.sh"] }
        defaults: { sandbox: \(sandbox), parallel: 2 }
        """)
        try fixture.write("specs/attack.md", spec)
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "attack spec")
        return fixture
    }

    /// `agon` with a secret in its own environment that no agent entry passes through.
    func agon(_ fixture: TournamentFixture, _ args: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TournamentFixture.agonBinary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: fixture.repo)
        process.environment = fixture.environment.merging([secretName: secretValue]) { a, _ in a }
        let out = fixture.root + "/agon-out-" + UUID().uuidString, err = out + ".err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Live processes whose command line carries this test's tag.
    func survivors() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  !stat.contains(") Z ") else { return nil }
            let cmdline = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: " ")
            return cmdline.contains(tag) ? "\(pid): \(cmdline)" : nil
        }
    }

    func file(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test(.enabled(if: SandboxAttackTests.bwrapAvailable, "bubblewrap is not installed"))
    func everyAttackIsContainedInTheSandbox() throws {
        let fixture = try makeFixture(sandbox: "bwrap")
        let hooksBefore = try FileManager.default.contentsOfDirectory(atPath: fixture.repo + "/.git/hooks").sorted()
        let result = try agon(fixture, ["run", "specs/attack.md", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(result.stdout.utf8))
        #expect(record.status == .done)
        let attacker = try #require(record.candidate("attacker"))
        let victim = try #require(record.candidate("victim"))
        #expect(attacker.sandbox == "bwrap" && victim.sandbox == "bwrap")
        #expect(attacker.outcome == .ok && victim.outcome == .ok,
                "\(file(fixture.repo + "/" + (attacker.stderrPath ?? "")) ?? "") \(file(fixture.repo + "/" + (victim.stderrPath ?? "")) ?? "")")
        #expect(result.stderr.contains("sandbox bwrap"))

        // Nothing read: no holdout, no rival's work, no sibling listing, no secret of Agon's.
        let worktree = fixture.repo + "/" + attacker.worktree
        let loot = try #require(file(worktree + "/loot.txt"))
        #expect(!loot.contains("holdout-secret"))
        #expect(!loot.contains("victim-work"))
        #expect(loot.contains("SIBLINGS: attacker \n"), "\(loot.prefix(300))")
        #expect(!loot.contains(secretValue))
        #expect(!loot.contains("agon snapshot"))   // no rival's snapshot commit through refs or reflogs

        // Nothing written: the victim's patch is its own, no hook, no fsmonitor, nothing outside.
        let victimPatch = try #require(file(fixture.repo + "/" + (victim.diff.patchPath ?? "")))
        #expect(!victimPatch.contains("sabotage"))
        #expect(victim.diff.changedPaths == ["lib/victim.txt"])
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/" + victim.worktree + "/lib/sabotage.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.repo + "/.git/hooks").sorted() == hooksBefore)
        #expect(!(file(fixture.repo + "/.git/config") ?? "").contains("fsmonitor"))
        for path in ["/outside-agent.txt", "/outside-check.txt"] {
            #expect(!FileManager.default.fileExists(atPath: fixture.repo + path))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/outside-agent.txt"))
        _ = try fixture.git("status")
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/fsmonitor-ran"))

        // The checks: acceptance could not read the holdout and had no network; holdout ran with it.
        let acceptancePath = try #require(attacker.checkResults.first { $0.kind == .acceptance }?.outputPath)
        let acceptanceLog = try #require(file(acceptancePath))
        #expect(acceptanceLog.contains("IFACES=1"), "\(acceptanceLog)")
        #expect(!acceptanceLog.contains("HOLDOUT-READ-BY-ACCEPTANCE"))
        #expect(attacker.checks.holdout == .passed)
        let holdoutPath = try #require(attacker.checkResults.first { $0.kind == .holdout }?.outputPath)
        let holdoutLog = try #require(file(holdoutPath))
        #expect(holdoutLog.contains("holdout-secret-\(tag)"))

        // No process left: not the setsid/env -i ones, the double fork, the 200 sleepers, the lurker
        // or the checks' sleepers.
        #expect(survivors().isEmpty, "\(survivors().prefix(5))")
        sleep(4)   // the lurker's delay: had it survived, it would have edited the patches by now
        #expect(!(file(fixture.repo + "/" + (attacker.diff.patchPath ?? "")) ?? "").contains("evil"))
        let apply = try fixture.agon("apply", record.runID, "victim")
        #expect(apply.status == 0, "\(apply.stderr)")
    }

    @Test func withoutTheSandboxTamperingIsReportedAndUndone() throws {
        let fixture = try makeFixture(sandbox: "none")
        let hooksBefore = try FileManager.default.contentsOfDirectory(atPath: fixture.repo + "/.git/hooks").sorted()
        let result = try agon(fixture, ["run", "specs/attack.md", "--json"])
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(result.stdout.utf8))
        #expect(result.stderr.contains("sandbox none"))
        #expect(result.stderr.contains("sandbox: none for attacker, victim"))
        let attacker = try #require(record.candidate("attacker"))
        #expect(attacker.sandbox == "none")
        // The attacks work here (so the sandboxed test's "contained" is not an attack that failed anyway).
        let loot = try #require(file(fixture.repo + "/" + attacker.worktree + "/loot.txt"))
        #expect(loot.contains("holdout-secret-\(tag)") && loot.contains("victim-work") && loot.contains(secretValue))
        #expect(attacker.outcome == .tampered, "\(record.candidates.map { "\($0.agent) \($0.outcome.map(\.rawValue) ?? "") \($0.tampering)" })")
        #expect(attacker.tampering.contains { $0.hasPrefix("hooks/pre-commit") && $0.contains("attacker") })
        #expect(attacker.tampering.contains { $0.hasPrefix("config") })
        // Restored: the planted hooks and fsmonitor are gone before anything can run them.
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.repo + "/.git/hooks").sorted() == hooksBefore)
        #expect(!(file(fixture.repo + "/.git/config") ?? "").contains("fsmonitor"))
        _ = try fixture.git("status")
        #expect(!FileManager.default.fileExists(atPath: fixture.root + "/fsmonitor-ran"))
        // Orphans (setsid env -i, double forks) die with the run: Agon is their subreaper.
        #expect(TournamentFixture.wait(timeout: 3) { survivors().isEmpty }, "\(survivors().prefix(5))")

        // The HTML report says so too: the run's mode, a banner naming both agents, the tampering.
        let page = fixture.root + "/report.html"
        let report = try fixture.agon("report", record.runID, "-o", page)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try #require(file(page))
        #expect(html.contains("<dd class=\"sandbox-mode\"><span class=\"badge bad\">none (unsandboxed)</span></dd>"))
        #expect(html.contains("<strong>Unsandboxed:</strong> <code>"))
        #expect(html.contains("<code>attacker</code>, <code>victim</code>") || html.contains("<code>victim</code>, <code>attacker</code>"))
        #expect(html.contains("<li>tampered: <code>attacker</code>: ") && html.contains("hooks/pre-commit"))
        #expect(html.components(separatedBy: "<tr class=\"unsandboxed\">").count - 1 == 2)

        // The lurker is gone, so edit a patch by hand the way it would have: apply refuses.
        let victim = try #require(record.candidate("victim"))
        let patchPath = fixture.repo + "/" + (victim.diff.patchPath ?? "")
        let handle = try #require(FileHandle(forWritingAtPath: patchPath))
        handle.seekToEndOfFile()
        handle.write(Data("+evil\n".utf8))
        try handle.close()
        let apply = try fixture.agon("apply", record.runID, "victim", "--commit")
        #expect(apply.status == 1)
        #expect(apply.stderr.hasPrefix("agon: "), "\(apply.stderr)")
        #expect(apply.stderr.contains("was changed after it was recorded"), "\(apply.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/lib/victim.txt"))
    }

    @Test(.enabled(if: SandboxAttackTests.bwrapAvailable, "bubblewrap is not installed"))
    func anAgentCanStillUseGitOnItsOwnBranch() throws {
        let fixture = try TournamentFixture(config: nil)
        let script = fixture.root + "/committer.sh"
        try """
        #!/bin/sh
        set -e
        mkdir -p lib && echo staged > lib/staged.txt && git add lib/staged.txt
        echo committed > lib/committed.txt && git add lib/committed.txt
        git -c user.name=a -c user.email=a@example.com commit -qm "agent commit"
        git status --short > /dev/null && git diff HEAD~1 --stat > /dev/null
        echo "BRANCH=$(git rev-parse --abbrev-ref HEAD)" > lib/branch.txt
        echo staged-only > lib/staged2.txt && git add lib/staged2.txt
        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        try fixture.writeConfig("agents:\n  committer: { harness: command, command: [\"\(script)\"] }\n")
        try fixture.write("specs/commit.md", "---\ntitle: Commit\nacceptance: [\"test -f lib/committed.txt\"]\n---\nCommit.\n")
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "spec")
        let result = try fixture.agon("run", "specs/commit.md", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(result.stdout.utf8))
        let candidate = try #require(record.candidate("committer"))
        #expect(candidate.outcome == .ok, "\(file(fixture.repo + "/" + (candidate.stderrPath ?? "")) ?? "")")
        #expect(candidate.diff.changedPaths.sorted() == ["lib/branch.txt", "lib/committed.txt", "lib/staged.txt", "lib/staged2.txt"])
        let branch = try #require(file(fixture.repo + "/" + candidate.worktree + "/lib/branch.txt"))
        #expect(branch == "BRANCH=\(candidate.branch)\n")
        // The snapshot is a real commit of the repository whose objects all exist (blobs the agent
        // added went to its private store and were merged back).
        #expect(try fixture.git("cat-file", "-t", try #require(candidate.snapshotSHA)) == "commit\n")
        #expect(try fixture.git("fsck", "--connectivity-only", "--no-dangling").isEmpty)
        #expect(try fixture.agon("apply", record.runID, "committer").status == 0)
    }

    @Test(.enabled(if: SandboxAttackTests.bwrapAvailable, "bubblewrap is not installed"))
    func networkNoneCutsAnAgentOff() throws {
        let fixture = try TournamentFixture(config: nil)
        let probe = "echo \"IFACES=$(grep -c : /proc/net/dev)\" > ifaces.txt"
        try fixture.writeConfig("""
        agents:
          online:  { harness: command, command: ["/bin/sh", "-c", "\(probe.replacingOccurrences(of: "\"", with: "\\\""))"] }
          offline: { harness: command, command: ["/bin/sh", "-c", "\(probe.replacingOccurrences(of: "\"", with: "\\\""))"], network: none }
        """)
        try fixture.write("specs/net.md", "---\ntitle: Net\n---\nProbe.\n")
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "spec")
        let result = try fixture.agon("run", "specs/net.md", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(result.stdout.utf8))
        func ifaces(_ agent: String) throws -> String? {
            file(fixture.repo + "/" + (try #require(record.candidate(agent))).worktree + "/ifaces.txt")
        }
        let host = try String(contentsOfFile: "/proc/net/dev", encoding: .utf8).split(separator: "\n").filter { $0.contains(":") }.count
        #expect(try ifaces("offline") == "IFACES=1\n")            // loopback only
        #expect(try ifaces("online") == "IFACES=\(host)\n")       // the host's interfaces
    }

    /// The index (in the agent's own, writable admin dir) can claim a file is unchanged — stat data
    /// matching the file on disk — while naming other content. Acceptance would then test the
    /// file while review, holdout and apply got the index's content.
    @Test func aForgedIndexCannotSwapThePatch() throws {
        let fixture = try TournamentFixture(config: nil)
        let forger = fixture.bin + "/forge.py"   // under bin/: visible in the sandbox (a PATH entry)
        try """
        import hashlib, os, struct, subprocess
        def run(*a): return subprocess.run(a, check=True, capture_output=True, text=True).stdout.strip()
        os.makedirs("lib", exist_ok=True)
        open("lib/x.txt", "w").write("EVIL\\n")
        run("git", "add", "lib/x.txt")
        open("lib/x.txt", "w").write("good\\n")
        index = run("git", "rev-parse", "--git-path", "index")
        data = bytearray(open(index, "rb").read())
        st = os.stat("lib/x.txt")
        pos, count = 12, struct.unpack(">I", data[8:12])[0]
        for _ in range(count):
            flags = struct.unpack(">H", data[pos + 60:pos + 62])[0]
            name = bytes(data[pos + 62:pos + 62 + (flags & 0xFFF)])
            if name == b"lib/x.txt":
                struct.pack_into(">IIIIII", data, pos, int(st.st_ctime), st.st_ctime_ns % 10**9,
                                 int(st.st_mtime), st.st_mtime_ns % 10**9, st.st_dev & 0xFFFFFFFF, st.st_ino & 0xFFFFFFFF)
                struct.pack_into(">I", data, pos + 36, st.st_size)
            pos += (62 + (flags & 0xFFF) + 8) & ~7
        data[-20:] = hashlib.sha1(bytes(data[:-20])).digest()
        open(index, "wb").write(bytes(data))
        """.write(toFile: forger, atomically: true, encoding: .utf8)
        try fixture.writeConfig("agents:\n  forger: { harness: command, command: [\"/usr/bin/python3\", \"\(forger)\"] }\n")
        try fixture.write("specs/forge.md", "---\ntitle: Forge\nacceptance: [\"grep -q good lib/x.txt\"]\n---\nForge.\n")
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "spec")
        let result = try fixture.agon("run", "specs/forge.md", "--json")
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(result.stdout.utf8))
        let candidate = try #require(record.candidate("forger"))
        #expect(candidate.outcome == .ok, "\(file(fixture.repo + "/" + (candidate.stderrPath ?? "")) ?? "")")
        let patch = try #require(file(fixture.repo + "/" + (candidate.diff.patchPath ?? "")))
        #expect(patch.contains("+good") && !patch.contains("EVIL"), "\(patch)")
    }
}
