import AgonCore
import Foundation
import Testing
@testable import AgonAgents

/// Verifier command lines: no permission bypass for any harness, read-only tools instead, and a
/// verifier entry that tries to add a bypass through `args` is refused.
@Suite struct ReadOnlyFlagsTests {
    let paths = HarnessCommand.Paths(artifactsDir: "/a")

    func verifier(_ h: Harness, extra: [String] = [], readable: [String] = []) -> AgentLaunch {
        var launch = AgentLaunch(harness: h, model: "m", extraArgs: extra, prompt: "review", worktree: "/base", artifactsDir: "/a")
        launch.readOnly = true
        launch.readableDirectories = readable
        return launch
    }

    /// Every flag that lifts a permission check or sandbox in any harness Agon drives.
    static let bypasses = ["--dangerously-skip-permissions", "--allow-dangerously-skip-permissions", "bypassPermissions",
                           "acceptEdits", "--yolo", "-y", "--dangerously-bypass-approvals-and-sandbox", "--full-auto",
                           "danger-full-access", "workspace-write", "--auto", "--approval-mode=yolo"]

    @Test(arguments: [Harness.claude, .codex, .gemini, .opencode, .pi, .aider])
    func noVerifierCommandLineCarriesABypass(harness: Harness) throws {
        let command = try HarnessCommand.build(for: verifier(harness), paths: paths)
        for flag in Self.bypasses { #expect(!command.arguments.contains(flag), "\(harness): \(flag)") }
        #expect(!command.arguments.contains("--yes-always") || command.arguments.contains("--dry-run"))
        // The same harness as a competing agent does carry its bypass (the worktree is its sandbox).
        if harness == .claude || harness == .gemini || harness == .codex {
            let agent = try HarnessCommand.build(for: AgentLaunch(harness: harness, model: "m", prompt: "x", worktree: "/w", artifactsDir: "/a"), paths: paths)
            #expect(agent.arguments.contains { ["--dangerously-skip-permissions", "acceptEdits", "--yolo", "workspace-write"].contains($0) })
        }
    }

    @Test func eachHarnessGetsItsReadOnlyMode() throws {
        let claude = try HarnessCommand.build(for: verifier(.claude, readable: ["/scratch"]), paths: paths)
        #expect(claude.arguments == ["-p", "review", "--output-format", "stream-json", "--verbose", "--tools", "Read,Grep,Glob",
                                     "--allowedTools", "Read,Grep,Glob", "--permission-mode", "dontAsk", "--strict-mcp-config",
                                     "--model", "m", "--add-dir", "/scratch"])
        let codex = try HarnessCommand.build(for: verifier(.codex), paths: paths)
        #expect(codex.arguments == ["exec", "--json", "--skip-git-repo-check", "--sandbox", "read-only", "--model", "m", "review"])
        #expect(codex.environment["CODEX_HOME"] == "/a/codex-home")
        let gemini = try HarnessCommand.build(for: verifier(.gemini), paths: paths)
        #expect(gemini.arguments == ["-p", "review", "--output-format", "stream-json", "--approval-mode", "default", "-m", "m"])
        let opencode = try HarnessCommand.build(for: verifier(.opencode), paths: paths)
        let config = try #require(opencode.environment["OPENCODE_CONFIG_CONTENT"])
        let permission = try #require((try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any])?["permission"] as? [String: String])
        #expect(permission == ["edit": "deny", "bash": "deny", "webfetch": "deny", "external_directory": "deny"])
        let pi = try HarnessCommand.build(for: verifier(.pi), paths: paths)
        #expect(pi.arguments.contains("--tools") && pi.arguments[pi.arguments.firstIndex(of: "--tools")! + 1] == "read,grep,find,ls")
        let aider = try HarnessCommand.build(for: verifier(.aider), paths: paths)
        #expect(aider.arguments.contains("--dry-run") && aider.arguments.contains("--no-suggest-shell-commands"))
    }

    @Test(arguments: [(Harness.claude, "--dangerously-skip-permissions"), (.claude, "--permission-mode=bypassPermissions"),
                      (.codex, "--sandbox=danger-full-access"), (.codex, "--full-auto"), (.gemini, "--yolo"), (.gemini, "-y"),
                      (.pi, "read,bash"), (.aider, "--no-dry-run")])
    func aBypassInVerifierArgsIsRefused(harness: Harness, flag: String) {
        let error = #expect(throws: HarnessCommand.BuildError.self) {
            try HarnessCommand.build(for: verifier(harness, extra: [flag]), paths: paths)
        }
        #expect(error?.description.contains("lifts \(harness.rawValue)'s read-only mode") == true)
    }

    // MARK: - Against the real CLIs, when installed

    /// `claude` from PATH, else the one bundled with the `claude-agent-sdk` Python package.
    static var realClaude: String? {
        if let onPath = which("claude") { return onPath }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import claude_agent_sdk, os; print(os.path.dirname(claude_agent_sdk.__file__) + '/_bundled/claude')"]
        let out = Pipe()
        probe.standardOutput = out
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return nil }
        probe.waitUntilExit()
        let path = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return probe.terminationStatus == 0 && FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func help(_ binary: String, _ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    @Test(.enabled(if: realClaude != nil, "no real claude CLI (PATH or pip claude-agent-sdk)"))
    func claudesHelpKnowsEveryReadOnlyFlag() throws {
        let help = try Self.help(try #require(Self.realClaude), ["--help"])
        for flag in ["--tools", "--allowedTools", "--permission-mode", "--strict-mcp-config", "--add-dir", "--output-format", "--verbose"] {
            #expect(help.contains(flag), "claude --help lacks \(flag)")
        }
        #expect(help.contains("\"dontAsk\""), "claude's --permission-mode has no dontAsk")
    }

    @Test(.enabled(if: which("codex") != nil, "no real codex CLI on PATH"))
    func codexHelpKnowsTheReadOnlySandbox() throws {
        let help = try Self.help(try #require(Self.which("codex")), ["exec", "--help"])
        #expect(help.contains("--sandbox") && help.contains("read-only"))
        #expect(help.contains("--skip-git-repo-check") && help.contains("--json"))
    }
}
