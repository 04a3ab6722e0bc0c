import AgonAgents
import Foundation
import Testing

/// The bubblewrap sandbox under the real supervisor: signals, exit codes, escapees, /proc, files.
@Suite(.enabled(if: Sandbox.availableBwrap() != nil, "bubblewrap is not installed"))
struct SandboxTests {
    let root = NSTemporaryDirectory() + "agon-sandbox-" + UUID().uuidString.prefix(8)
    var work: String { root + "/work" }
    var secret: String { root + "/secret" }

    init() throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: secret, withIntermediateDirectories: true)
        try "hidden\n".write(toFile: secret + "/file", atomically: true, encoding: .utf8)
    }

    var sandbox: Sandbox {
        Sandbox(bwrap: Sandbox.availableBwrap()!, mounts: [.hide(root), .writable(work)], network: false)
    }

    func run(_ script: String, sandbox: Sandbox?, grace: TimeInterval = 0.5, stopAfter: TimeInterval? = nil) throws -> (SupervisedRun, String) {
        let spec = SpawnSpec(executable: "/bin/sh", arguments: ["-c", script], workingDirectory: work,
                             environment: ["PATH": "/usr/bin:/bin"], transcriptPath: root + "/out", stderrPath: root + "/err",
                             sandbox: sandbox)
        let supervisor = ProcessGroupSupervisor(spec: spec, limits: SupervisionLimits(hardTimeout: 20, killGrace: grace))
        if let stopAfter {
            DispatchQueue.global().asyncAfter(deadline: .now() + stopAfter) { supervisor.stop(.cancelled) }
        }
        var lines: [String] = []
        let result = try supervisor.run(onLine: { lines.append(String($0)) })
        return (result, lines.joined(separator: "\n"))
    }

    func alive(_ marker: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), !stat.contains(") Z ") else { return false }
            return String(decoding: data, as: UTF8.self).contains(marker)
        }
    }

    @Test func exitCodesAndSignalsPassThrough() throws {
        #expect(try run("exit 7", sandbox: sandbox).0.exitStatus == .exited(7))
        #expect(try run("kill -SEGV $$", sandbox: sandbox).0.exitStatus == .signaled(SIGSEGV))
    }

    @Test func hiddenPathsAndForeignProcessesAreInvisible() throws {
        let (result, output) = try run("cat \(secret)/file || echo NO-SECRET; echo x > \(root)/planted; ls /proc | grep -c '^[0-9]'; echo w > out.txt",
                                       sandbox: sandbox)
        #expect(result.exitStatus == .exited(0))
        #expect(output.contains("NO-SECRET") && !output.contains("hidden"))
        #expect(!FileManager.default.fileExists(atPath: root + "/planted"))
        #expect(FileManager.default.fileExists(atPath: work + "/out.txt"))   // its own directory is writable
        let pids = Int(output.split(separator: "\n").first { Int($0) != nil } ?? "") ?? 99
        #expect(pids <= 4, "\(output)")   // bwrap's init, sh, ls, grep: nothing of the host
    }

    @Test func escapedProcessesDieWithTheSandbox() throws {
        let marker = "\(Int.random(in: 100_000...999_999)).25"
        // Each escapee proves it started (a file in the worktree) before the leader exits, so the
        // check below cannot pass because nothing ever ran.
        let script = """
        setsid env -i /bin/sh -c 'echo a > escaped-a.txt; exec /bin/sleep \(marker)' </dev/null >/dev/null 2>&1 &
        ( /bin/sh -c 'echo b > escaped-b.txt; exec /bin/sleep \(marker)' </dev/null >/dev/null 2>&1 & ) &
        while [ ! -f escaped-a.txt ] || [ ! -f escaped-b.txt ]; do sleep 0.01; done
        exit 0
        """
        let (result, _) = try run(script, sandbox: sandbox)
        #expect(result.exitStatus == .exited(0))
        #expect(FileManager.default.fileExists(atPath: work + "/escaped-a.txt") && FileManager.default.fileExists(atPath: work + "/escaped-b.txt"))
        let escaped = alive(marker)
        #expect(escaped.isEmpty, "escapees outlived the sandbox: \(escaped)")
        for pid in escaped { kill(pid, SIGKILL) }
    }

    @Test func sigtermReachesTheAgentNotJustBwrap() throws {
        // The agent traps SIGTERM and writes a file: it must get its grace period.
        let (result, _) = try run("trap 'echo bye > term.txt; exit 0' TERM; echo up; while :; do sleep 0.05; done",
                                  sandbox: sandbox, grace: 2, stopAfter: 0.5)
        #expect(result.stopReason == .cancelled)
        #expect(!result.usedSIGKILL)
        #expect((try? String(contentsOfFile: work + "/term.txt", encoding: .utf8)) == "bye\n")
    }

    @Test func ignoringSIGTERMEndsWithSIGKILLAfterTheGrace() throws {
        let started = MonotonicClock.now()
        let (result, _) = try run("trap '' TERM; echo up; while :; do sleep 0.05; done", sandbox: sandbox, grace: 0.5, stopAfter: 0.3)
        #expect(result.usedSIGKILL)
        #expect(result.survivors.isEmpty)
        #expect(MonotonicClock.now() - started < 3)
    }

    @Test func aProgramInAHiddenDirectoryIsExposedReadOnly() throws {
        let tool = secret + "/tool.sh"
        try "#!/bin/sh\necho tool-ran\n".write(toFile: tool, atomically: true, encoding: .utf8)
        chmod(tool, 0o755)
        var box = sandbox
        #expect(!box.exposes(tool))
        box.expose(executable: tool)
        #expect(box.exposes(tool))
        let spec = SpawnSpec(executable: tool, arguments: [], workingDirectory: work, environment: ["PATH": "/usr/bin:/bin"],
                             transcriptPath: root + "/out", stderrPath: root + "/err", sandbox: sandbox)
        var lines: [String] = []
        let result = try ProcessGroupSupervisor(spec: spec, limits: SupervisionLimits(hardTimeout: 10)).run(onLine: { lines.append(String($0)) })
        #expect(result.exitStatus == .exited(0))
        #expect(lines == ["tool-ran"])
    }

    /// A link on a visible path to a program installed where the sandbox hides (a package cloned
    /// under /tmp, a virtual environment): the program runs with its installation (here a helper
    /// beside its `bin/`), and the hidden directory's other files stay hidden.
    @Test func aVisibleLinkToAHiddenInstallationRunsWithItsInstallation() throws {
        let prefix = secret + "/venv"
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: prefix + "/lib", withIntermediateDirectories: true)
        try "echo helper-ran\n".write(toFile: prefix + "/lib/helper.sh", atomically: true, encoding: .utf8)
        try "#!/bin/sh\n. \"$(dirname \"$(readlink -f \"$0\")\")/../lib/helper.sh\"\ncat \(secret)/file 2>/dev/null || echo file-hidden\n"
            .write(toFile: prefix + "/bin/tool", atomically: true, encoding: .utf8)
        chmod(prefix + "/bin/tool", 0o755)
        let link = work + "/tool"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: prefix + "/bin/tool")
        var box = sandbox
        #expect(box.exposes(link) && !box.exposes(prefix + "/bin/tool"))
        box.expose(executable: link)
        #expect(box.exposes(prefix + "/lib/helper.sh") && !box.exposes(secret + "/file"))
        let spec = SpawnSpec(executable: link, arguments: [], workingDirectory: work, environment: ["PATH": "/usr/bin:/bin"],
                             transcriptPath: root + "/out", stderrPath: root + "/err", sandbox: box)
        var lines: [String] = []
        let result = try ProcessGroupSupervisor(spec: spec, limits: SupervisionLimits(hardTimeout: 10)).run(onLine: { lines.append(String($0)) })
        #expect(result.exitStatus == .exited(0))
        #expect(lines == ["helper-ran", "file-hidden"])
    }
}
