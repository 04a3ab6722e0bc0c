import AgonCore
import Foundation
import Testing
import AgonReport
@testable import AgonTournament

@Suite("agon doctor and run preflight")
struct DoctorTests {
    /// A fake `claude` whose --help lacks `--verbose`: a CLI version Agon's flags do not fit.
    static func writeOldClaude(in fx: TournamentFixture) throws -> String {
        let path = fx.bin + "/old-claude"
        try """
        #!/bin/sh
        case "$1" in
          --version) echo "1.0.0 (Claude Code)";;
          --help) echo "Usage: claude [options]"; echo "  -p, --print   --output-format <f>   --model <m>"; echo "  --permission-mode <m>   --allowedTools <t...>   --dangerously-skip-permissions";;
          *) echo "error: unknown option" >&2; exit 1;;
        esac
        """.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func everyDemoCLIIsFoundWithItsVersionAndEveryFlagAccepted() throws {
        let fx = try TournamentFixture()
        let report = Doctor(workspace: try fx.workspace()).examine()
        #expect(report.entries.map(\.id) == ["neat", "sprawl", "wrong", "spendy"])
        for entry in report.entries {
            #expect(entry.version == "\(entry.harness.rawValue) (agent-double) 1.0.0")
            #expect(entry.checks.first { $0.name == "flags" }?.status == .ok, "\(entry.id): \(entry.checks)")
            #expect(entry.checks.first { $0.name == "price" }?.status == .ok)
        }
        #expect(!report.hasErrors, "\(report.problems.map(\.line))")
    }

    @Test func aFlagTheCLIDoesNotListFailsDoctorAndStopsTheRunBeforeAnythingIsCreated() throws {
        let fx = try TournamentFixture(config: nil)
        let old = try Self.writeOldClaude(in: fx)
        try fx.writeConfig("agents:\n  sonnet: { harness: claude, model: claude-sonnet-4-5, binary: \(old) }\n")
        try fx.git("add", "-A")
        try fx.git("commit", "-qm", "textkit")
        let doctor = try fx.agon("doctor")
        #expect(doctor.status == 2)
        #expect(doctor.stderr.contains("agon: sonnet: this claude does not list --verbose in its --help"), "\(doctor.stderr)")
        #expect(doctor.stdout.contains("1.0.0 (Claude Code)"))

        let run = try fx.agon("run", "specs/wordcount.md")
        #expect(run.status == 2)
        #expect(run.stderr.contains("agon: preflight: sonnet: this claude does not list --verbose"), "\(run.stderr)")
        let trial = try fx.agon("try", "sonnet", "specs/wordcount.md")
        #expect(trial.status == 2)
        #expect(trial.stderr.contains("agon: preflight: sonnet: this claude does not list --verbose"), "\(trial.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fx.repo + "/.agon/runs"), "a run was created")
        let worktrees = (try? FileManager.default.contentsOfDirectory(atPath: fx.repo + "/worktrees")) ?? []
        #expect(worktrees.allSatisfy { $0.hasPrefix(".") }, "worktrees were created: \(worktrees)")
    }

    @Test func claudeSkippingPermissionsAsRootIsAnErrorUnlessTheEntryClaimsASandbox() throws {
        let fx = try TournamentFixture(config: """
        agents:
          skip:    { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, args: [--dangerously-skip-permissions] }
          bypass:  { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, args: [--permission-mode, bypassPermissions] }
          boxed:   { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, args: [--dangerously-skip-permissions], env: { IS_SANDBOX: "1" } }
          default: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude }
        """)
        var doctor = Doctor(workspace: try fx.workspace())
        doctor.runningAsRoot = true
        let root = doctor.examine()
        let refused = root.problems.filter { $0.status == .error }.map(\.line)
        #expect(refused.count == 2)
        #expect(refused.allSatisfy { $0.contains("Claude Code refuses --dangerously-skip-permissions") })
        #expect(Set(refused.map { String($0.prefix(while: { $0 != ":" })) }) == ["skip", "bypass"])
        doctor.runningAsRoot = false
        #expect(!doctor.examine().hasErrors)
    }

    @Test func missingCLIUnreachableEndpointAndUnpricedModelEachGetOneLine() throws {
        let fx = try TournamentFixture(config: """
        agents:
          ghost: { harness: codex, model: gpt-5-codex, binary: no-such-codex }
          local: { harness: aider, model: my-local-model, binary: BIN/aider, env: { OPENAI_API_BASE: "http://127.0.0.1:1/v1", OPENAI_API_KEY: sk-test } }
        verifiers:
          judge: { harness: openai, model: gpt-4.1-mini, base_url: "http://127.0.0.1:1/v1", api_key_env: JUDGE_KEY }
        """)
        let doctor = try fx.agon("doctor")
        #expect(doctor.status == 2)
        let lines = doctor.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("agon: ghost: CLI \"no-such-codex\" not found on PATH (install it or set `binary:` in agon.yml)"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("agon: local: OPENAI_API_BASE http://127.0.0.1:1/v1 is not reachable (Connection refused)") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("agon: judge: base_url http://127.0.0.1:1/v1 is not reachable") })
        #expect(lines.contains { $0.hasPrefix("agon: local: model \"my-local-model\" has no price") })
        #expect(lines.contains("agon: judge: no API key or login found for openai: set JUDGE_KEY in Agon's environment (named by `api_key_env`)"))
        // The fixed key is never printed.
        #expect(!doctor.stdout.contains("sk-test") && !doctor.stderr.contains("sk-test"))
    }

    @Test func keysArePresentByNameNeverByValue() throws {
        let fx = try TournamentFixture(config: """
        agents:
          sonnet: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: [ANTHROPIC_API_KEY] }
          nokey:  { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude }
        """)
        var workspace = try fx.workspace()
        workspace.environment["ANTHROPIC_API_KEY"] = "sk-ant-very-secret"
        let outcome = Doctor(workspace: workspace).run()
        #expect(outcome.exitCode == 0)
        let output = DoctorPresenter.output(outcome.value)
        #expect(!output.text.contains("sk-ant-very-secret") && !output.json.contains("sk-ant-very-secret"))
        let report = try AgonJSON.decoder.decode(DoctorReport.self, from: Data(output.json.utf8))
        #expect(report.entries[0].checks.first { $0.name == "login" } == DoctorCheck(name: "login", status: .ok, detail: "ANTHROPIC_API_KEY"))
        #expect(report.entries[1].checks.first { $0.name == "login" }?.status == .warning)
        #expect(outcome.errors.contains("nokey: no API key or login found for claude: add `env: [ANTHROPIC_API_KEY]` to the entry, or run `claude login`"))
    }

    /// A `command` agent is a competitor's own program: doctor and the run's preflight locate it
    /// but never run it (run outside the sandbox, `--version` could be the whole attack).
    @Test func aCommandAgentIsLocatedNeverRun() throws {
        let fx = try TournamentFixture(config: nil)
        let marker = fx.root + "/command-ran"
        let program = fx.bin + "/competitor"
        try "#!/bin/sh\necho \"$@\" >> \(marker)\n".write(toFile: program, atomically: true, encoding: .utf8)
        chmod(program, 0o755)
        try fx.writeConfig("agents:\n  rival: { harness: command, command: [\"\(program)\"] }\n")
        let doctor = try fx.agon("doctor", "--json")
        #expect(doctor.status == 0, "\(doctor.stderr)")
        #expect(doctor.stdout.contains("never run by doctor"))
        #expect(!FileManager.default.fileExists(atPath: marker), "doctor ran the command agent")
        // The run's preflight neither: the only invocation is the sandboxed agent itself.
        try fx.write("specs/t.md", "---\ntitle: t\n---\nDo t.\n")
        _ = try fx.agon("run", "specs/t.md", "--no-review")
        let calls = (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
        #expect(!calls.contains("--version") && !calls.contains("--help"), "\(calls)")
    }

    @Test func withoutAgonYmlDoctorSaysWhatToDo() throws {
        let fx = try TournamentFixture(config: nil)
        let doctor = try fx.agon("doctor")
        #expect(doctor.status == 2)
        #expect(doctor.stderr == "agon: no agon.yml in \(fx.repo); run `agon init` or pass --config\n")
    }

    @Test func helpParsingMatchesWholeFlagsOnly() {
        let help = "  -p, --print  Print\n  --model <m>\n  --verbose-ish\n  --allowedTools, --allowed-tools <tools...>\n  [--json]"
        #expect(Doctor.help(help, lists: "-p"))
        #expect(Doctor.help(help, lists: "--model"))
        #expect(Doctor.help(help, lists: "--allowedTools"))
        #expect(Doctor.help(help, lists: "--json"))
        #expect(!Doctor.help(help, lists: "--verbose"))
        #expect(!Doctor.help(help, lists: "--print-all"))
        #expect(Doctor.flags(in: ["-p", "a prompt", "--x=1", "--model", "m", "-c", "k=v"], harness: .claude) == ["-p", "--x", "--model", "-c"])
    }
}
