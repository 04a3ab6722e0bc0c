import AgonCore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// The real agent CLIs `make live-deps` installs (pinned, in the project-local `.venv-live/`).
enum LiveCLIs {
    static let bin = TournamentFixture.packageRoot + "/.venv-live/bin"
    static let names = ["claude", "codex", "aider"]

    static func path(_ name: String) -> String? {
        let path = bin + "/" + name
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static var available: Bool { names.allSatisfy { path($0) != nil } }
}

/// A repository with one bug (`calc.add` subtracts), a fake HOME holding a codex login and model
/// provider, the scripted model server, and the real CLIs configured against it.
///
/// It lives under the temp directory on purpose: codex 0.147 will not install its sandbox helper
/// in a CODEX_HOME under its TMPDIR, and every command it runs then fails — unless Agon gives it
/// a private TMPDIR, as it does.
final class LiveFixture {
    let root: String
    var repo: String { root + "/repo" }
    var home: String { root + "/home" }
    let server: ScriptedModelServer

    init(budget: Double) throws {
        root = NSTemporaryDirectory() + "agon-live-" + String(UUID().uuidString.prefix(8))
        server = try ScriptedModelServer()
        let fm = FileManager.default
        try fm.createDirectory(atPath: repo + "/calc", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: home + "/.codex", withIntermediateDirectories: true)
        try "def add(a, b):\n    return a - b\n".write(toFile: repo + "/calc/__init__.py", atomically: true, encoding: .utf8)
        try """
        ---
        title: Fix calc.add
        acceptance:
          - python3 -c "import calc; assert calc.add(2, 3) == 5"
        paths: ["calc/**"]
        budget: { max_cost_usd: \(budget), hard_timeout: 3m, silence_timeout: 2m }
        ---
        `calc.add` subtracts; make it add.
        """.write(toFile: repo + "/fix.md", atomically: true, encoding: .utf8)
        // The user's own codex setup: a login and a model provider; Agon must carry both into the
        // agent's private CODEX_HOME.
        try """
        model_provider = "scripted"
        [model_providers.scripted]
        name = "scripted"
        base_url = "\(server.baseURL(script: "codex"))/v1"
        env_key = "SCRIPTED_API_KEY"
        wire_api = "responses"
        """.write(toFile: home + "/.codex/config.toml", atomically: true, encoding: .utf8)
        try #"{"OPENAI_API_KEY": null}"#.write(toFile: home + "/.codex/auth.json", atomically: true, encoding: .utf8)
        try """
        agents:
          claude: { harness: claude, model: claude-sonnet-4-5, binary: \(LiveCLIs.bin)/claude,
                    env: { ANTHROPIC_BASE_URL: "\(server.baseURL(script: "claude"))", ANTHROPIC_API_KEY: sk-live-test } }
          codex:  { harness: codex, model: gpt-5-codex, binary: \(LiveCLIs.bin)/codex,
                    env: { SCRIPTED_API_KEY: sk-live-test } }
          aider:  { harness: aider, model: openai/gpt-4.1-mini, binary: \(LiveCLIs.bin)/aider,
                    env: { OPENAI_API_BASE: "\(server.baseURL(script: "aider"))/v1", OPENAI_API_KEY: sk-live-test } }
        """.write(toFile: repo + "/agon.yml", atomically: true, encoding: .utf8)
        try git("init", "-q", "-b", "main")
        try "/worktrees/\n/.agon/\n".write(toFile: repo + "/.git/info/exclude", atomically: true, encoding: .utf8)
        try git("add", "-A")
        try git("commit", "-qm", "calc")
    }

    deinit {
        server.stop()
        _ = try? run(["git", "worktree", "prune"])
        try? FileManager.default.removeItem(atPath: root)
    }

    var environment: [String: String] {
        ["PATH": LiveCLIs.bin + ":/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"]
    }

    @discardableResult
    func git(_ args: String...) throws -> String {
        let (status, out, err) = try run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com"] + args)
        guard status == 0 else { throw TournamentFixture.FixtureError("git \(args.joined(separator: " ")) failed: \(err)") }
        return out
    }

    func agon(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) {
        try run([TournamentFixture.agonBinary] + args)
    }

    func run(_ argv: [String]) throws -> (Int32, String, String) {
        try ProcessRun.run(argv, in: repo, environment: environment, scratch: root)
    }

    func record(_ stdout: String) throws -> RunRecord {
        try AgonJSON.decoder.decode(RunRecord.self, from: Data(stdout.utf8))
    }

    func text(_ relative: String?) -> String {
        guard let relative else { return "" }
        let path = relative.hasPrefix("/") ? relative : repo + "/" + relative
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func artifact(_ record: RunRecord, _ agent: String, _ name: String) -> String {
        repo + "/.agon/runs/\(record.runID)/candidates/\(agent)/\(name)"
    }
}

/// The fix every script makes, in each CLI's own way of editing.
enum LiveScripts {
    static let sed = "sed -i 's/return a - b/return a + b/' calc/__init__.py"
    /// aider edits through SEARCH/REPLACE blocks in the reply text (its `diff` edit format).
    static let aiderEdit = """
    calc/__init__.py
    ```python
    <<<<<<< SEARCH
        return a - b
    =======
        return a + b
    >>>>>>> REPLACE
    ```
    """
}

@Suite("Real CLIs (claude, codex, aider) against the scripted model server", .serialized,
       .enabled(if: LiveCLIs.available, "the real CLIs are not installed: run `make live-deps` (pinned claude, codex, aider in .venv-live)"))
struct LiveCLITests {
    @Test func aTournamentOfRealCLIsMetersEveryScriptedToken() throws {
        let fx = try LiveFixture(budget: 1.0)
        let server = fx.server
        try server.script("claude", [.tool("Bash", ["command": LiveScripts.sed, "description": "fix add"], input: 1000, output: 50),
                                     .text("Done.", input: 1200, output: 10)])
        try server.script("codex", [.tool("exec_command", ["cmd": LiveScripts.sed], input: 1000, output: 50),
                                    .text("Done.", input: 1200, output: 10)])
        // aider asks to add a file its model names, then resends: the edit comes in the second call.
        // Counts that aider's stdout rounds ("1.2k sent"): only its analytics log has them exactly.
        try server.script("aider", [.text("The bug is in calc/__init__.py.", input: 1234, output: 56),
                                    .text(LiveScripts.aiderEdit, input: 1321, output: 7, delayMs: 50)])

        let (status, stdout, stderr) = try fx.agon("run", "fix.md", "--json")
        #expect(status == 0, "agon run failed: \(stderr)")
        let record = try fx.record(stdout)
        // Prices from the built-in table, per million tokens (input, output): an independent
        // pricing of the script's exact usage.
        let expected: [String: (usage: TokenUsage, cost: Double, turns: Int)] = [
            "claude": (TokenUsage(input: 2200, output: 60), 2200 * 3.0e-6 + 60 * 15.0e-6, 2),
            "codex": (TokenUsage(input: 2200, output: 60), 2200 * 1.25e-6 + 60 * 10.0e-6, 2),
            "aider": (TokenUsage(input: 2555, output: 63), 2555 * 0.4e-6 + 63 * 1.6e-6, 2),
        ]
        for (agent, want) in expected {
            let candidate = try #require(record.candidate(agent), "no candidate \(agent)")
            let stderrText = fx.text(candidate.stderrPath)
            #expect(candidate.outcome == .ok, "\(agent): \(candidate.outcome.map(\.rawValue) ?? "-") \(candidate.apiErrorMessage ?? "") \(stderrText.suffix(2000))")
            // Agon's flags were accepted: no usage error from the CLI's argument parser.
            for refusal in ["unknown option", "unexpected argument", "unrecognized arguments", "cannot be used with root"] {
                #expect(!stderrText.contains(refusal), "\(agent) refused a flag: \(stderrText.suffix(800))")
            }
            // The scripted edit is in the worktree and in the patch, and nothing else is.
            #expect(fx.text(candidate.worktree + "/calc/__init__.py") == "def add(a, b):\n    return a + b\n", "\(agent)'s worktree")
            let patch = fx.text(candidate.diff.patchPath)
            #expect(patch.contains("+    return a + b"), "\(agent)'s patch: \(patch)")
            #expect(candidate.diff.changedPaths == ["calc/__init__.py"], "\(agent) changed \(candidate.diff.changedPaths)")
            #expect(candidate.checks.acceptance == .passed)
            // Tokens are exactly the script's; cost is the script priced by the table.
            #expect(candidate.tokens == want.usage, "\(agent) tokens")
            #expect(abs((candidate.computedCostUSD ?? -1) - want.cost) < 1e-12, "\(agent) computed \(candidate.computedCostUSD ?? -1) vs \(want.cost)")
            // cost_usd is the CLI's own figure where it reports one (aider: from its exact analytics
            // log, not the rounded "$0.00098 session" it prints first).
            #expect(abs((candidate.costUSD ?? -1) - want.cost) < 1e-12, "\(agent) cost \(candidate.costUSD ?? -1)")
            #expect(server.turnsServed(script: agent) == want.turns, "\(agent) made \(server.turnsServed(script: agent)) model calls")
            // The transcript is kept.
            #expect(!fx.text(candidate.transcriptPath).isEmpty, "\(agent) transcript")
        }
        // Claude Code's own total_cost_usd is kept beside Agon's and agrees with it.
        let claude = try #require(record.candidate("claude"))
        #expect(abs((claude.reportedCostUSD ?? -1) - 0.0075) < 1e-12)
        // codex ran with the user's login and provider, copied into its private CODEX_HOME.
        let codexHome = fx.artifact(record, "codex", "codex-home")
        #expect(fx.text(codexHome + "/config.toml").hasPrefix(fx.text(fx.home + "/.codex/config.toml")))
        #expect(FileManager.default.fileExists(atPath: codexHome + "/auth.json"))
        // aider left no .gitignore edit and no chat history in the worktree (its repo-map cache is
        // there, ignored by the snapshot: changed_paths above is calc/__init__.py alone).
        let aider = try #require(record.candidate("aider"))
        let aiderFiles = try FileManager.default.contentsOfDirectory(atPath: fx.repo + "/" + aider.worktree)
        #expect(!aiderFiles.contains(".gitignore") && !aiderFiles.contains { $0.hasPrefix(".aider.chat") }, "\(aiderFiles)")
        // aider reports the same cost as Agon's table (it priced from the metadata file Agon gave it).
        #expect(abs((aider.reportedCostUSD ?? -1) - expected["aider"]!.cost) < 1e-12, "aider reported \(aider.reportedCostUSD ?? -1)")
        #expect(TournamentFixture.processes(ofRun: record.runID).isEmpty)
        LiveCapture.keep(record: record, fixture: fx)
    }

    @Test func aBudgetCrossedMidStreamKillsEachRealCLIWithNoSurvivors() throws {
        let fx = try LiveFixture(budget: 0.05)
        let server = fx.server
        // Each CLI starts a background `sleep` (a grandchild that must die too), then its usage
        // crosses $0.05 while the server holds the next stream open.
        let background = "(sleep 120 >/dev/null 2>&1 &); sleep 121 >/dev/null 2>&1 & echo started"
        try server.script("claude", [
            .tool("Bash", ["command": background, "description": "start"], input: 1000, output: 50),
            // Claude Code prints the text block (with message_start's usage) while the stream stays open.
            ScriptedModelServer.Turn(text: "Working on it", tool: nil, usage: .init(input: 40_000, output: 50), delay_ms: 100,
                                     stall: nil, hold_open: true),
        ], afterLast: .stall)
        try server.script("codex", [.tool("exec_command", ["cmd": background], input: 50_000, output: 50)],
                          afterLast: .stall)
        // aider: a block whose SEARCH text does not match makes aider retry (a second, stalled call).
        try server.script("aider", [.text(LiveScripts.aiderEdit.replacingOccurrences(of: "return a - b", with: "return a * b"),
                                          input: 200_000, output: 50)], afterLast: .stall)
        let started = Date()
        let (_, stdout, stderr) = try fx.agon("run", "fix.md", "--json", "--no-review")
        let record = try fx.record(stdout)
        for agent in LiveCLIs.names {
            let candidate = try #require(record.candidate(agent), "no candidate \(agent): \(stderr)")
            #expect(candidate.outcome == .costKilled, "\(agent): \(candidate.outcome.map(\.rawValue) ?? "-") \(fx.text(candidate.stderrPath).suffix(1500))")
            #expect((candidate.costKilledAt ?? 0) > 0.05, "\(agent) killed at \(candidate.costKilledAt ?? 0)")
            #expect(!fx.text(candidate.transcriptPath).isEmpty, "\(agent) transcript")
        }
        // Killed, not timed out: well under the 3-minute hard timeout and the `sleep 120`s.
        #expect(Date().timeIntervalSince(started) < 100)
        // No process of the run survives: not the CLIs, not the background sleeps they started.
        #expect(TournamentFixture.wait(timeout: 5) { TournamentFixture.processes(ofRun: record.runID).isEmpty },
                "survivors: \(TournamentFixture.processes(ofRun: record.runID))")
    }

    @Test func doctorChecksTheRealCLIs() throws {
        let fx = try LiveFixture(budget: 1.0)
        let (status, stdout, stderr) = try fx.agon("doctor", "--json")
        #expect(status == 0, "doctor: \(stderr)")
        let report = try AgonJSON.decoder.decode(DoctorReport.self, from: Data(stdout.utf8))
        for entry in report.entries {
            #expect(entry.version != nil, "\(entry.id) version")
            let flags = try #require(entry.checks.first { $0.name == "flags" }, "\(entry.id) flags")
            #expect(flags.status == .ok, "\(entry.id): \(flags.detail)")
            #expect(entry.checks.first { $0.name == "endpoint" }?.status != .error)
        }
        // What doctor says about root is what the real Claude Code does.
        if RealCLIFlagsProbe.runningAsRoot {
            let refused = try fx.run([LiveCLIs.bin + "/claude", "-p", "hi", "--dangerously-skip-permissions"])
            #expect(refused.0 != 0 && refused.2.contains("cannot be used with root/sudo privileges"), "\(refused)")
            try (fx.text(fx.repo + "/agon.yml") + "\n" + """
              skipper: { harness: claude, model: claude-sonnet-4-5, binary: \(LiveCLIs.bin)/claude,
                         args: [--dangerously-skip-permissions], env: { ANTHROPIC_API_KEY: sk-live-test } }
            """).write(toFile: fx.repo + "/agon.yml", atomically: true, encoding: .utf8)
            let run = try fx.agon("run", "fix.md", "--agents", "skipper")
            #expect(run.status == 2)
            #expect(run.stderr.contains("agon: preflight: skipper: Claude Code refuses --dangerously-skip-permissions"), "\(run.stderr)")
        }
        #expect(report.entries.map(\.version) == [
            "2.1.332 (Claude Code)", "codex-cli 0.147.0", "aider 0.86.2",
        ].map(Optional.some), "the versions the README says were verified")
    }
}

/// Whether the tests run as root (Claude Code's refusal applies only then).
enum RealCLIFlagsProbe {
    static var runningAsRoot: Bool { getuid() == 0 }
}

/// Copies the real CLIs' output of a live run next to the build (`.build/agon-live-capture/`)
/// so new parser fixtures can be taken from it by hand.
enum LiveCapture {
    static func keep(record: RunRecord, fixture: LiveFixture) {
        let target = TournamentFixture.packageRoot + "/.build/agon-live-capture"
        try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for candidate in record.candidates {
            for name in ["transcript.jsonl", "stderr.txt", "aider-analytics.jsonl"] {
                let source = fixture.artifact(record, candidate.agent, name)
                let destination = target + "/\(candidate.agent)-\(name)"
                try? FileManager.default.removeItem(atPath: destination)
                try? FileManager.default.copyItem(atPath: source, toPath: destination)
            }
        }
    }
}
