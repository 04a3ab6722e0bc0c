import AgonCore
import Foundation

/// Command lines for verifier CLIs, which read candidates' untrusted diffs and so must not be
/// able to act on instructions hidden in them: no permission bypass, only reading tools.
///
/// Per harness (flags checked against `--help` of claude 2.1.332 and codex-cli 0.147.0; the
/// others against their documentation):
/// - claude: `--tools Read,Grep,Glob` (no other built-in tool exists for the session),
///   `--allowedTools Read,Grep,Glob`, `--permission-mode dontAsk` (anything else is denied, not
///   prompted), `--strict-mcp-config` (no MCP servers from user or project settings);
/// - codex: `exec --sandbox read-only`;
/// - gemini: no `--yolo`, `--approval-mode default` (tools that need approval are not run headless);
/// - opencode: `OPENCODE_CONFIG_CONTENT` with `permission` edit/bash/webfetch/external_directory `deny`;
/// - pi: `--tools read,grep,find,ls`;
/// - aider: `--dry-run --no-suggest-shell-commands --no-auto-lint --no-auto-test` (edits are not written);
/// - command: the configured argv as is — Agon cannot know its flags; the sandbox is its only limit.
///
/// A verifier whose `args` carry a bypass flag is refused (`BuildError.bypassInReadOnlyMode`).
///
/// Seen in real runs (no API key, 2026-11-30): claude 2.1.332's `init` event reports
/// `"tools":["Glob","Grep","Read"]`, `"mcp_servers":[]`, `"permissionMode":"dontAsk"`; codex-cli
/// 0.147.0's rollout records `"sandbox_policy":{"type":"read-only"}` with approval policy never.
public enum ReadOnlyFlags {
    /// Flags that lift a harness's permission checks or sandbox.
    public static func bypassFlags(_ harness: Harness) -> [String] {
        switch harness {
        case .claude: return ["--dangerously-skip-permissions", "--allow-dangerously-skip-permissions", "bypassPermissions",
                              "acceptEdits", "--permission-mode=auto", "--tools=default"]
        case .codex: return ["--dangerously-bypass-approvals-and-sandbox", "--full-auto", "danger-full-access",
                             "workspace-write", "--yolo"]
        case .gemini: return ["--yolo", "-y", "yolo", "auto_edit"]
        case .opencode: return ["--auto", "--dangerously-skip-permissions"]
        case .pi: return ["--yolo", "bash", "edit", "write"]
        case .aider: return ["--no-dry-run", "--suggest-shell-commands", "--auto-test", "--test-cmd", "--lint-cmd"]
        case .command, .openai: return []
        }
    }

    /// The bypass flag in `args`, if any (`--flag=value` forms included).
    public static func bypass(in args: [String], harness: Harness) -> String? {
        let flags = bypassFlags(harness)
        for arg in args {
            let parts = arg.split(separator: "=", maxSplits: 1).map(String.init) + arg.split(separator: ",").map(String.init)
            if let hit = flags.first(where: { flag in arg == flag || parts.contains(flag) }) { return hit }
        }
        return nil
    }

    static let claudeTools = "Read,Grep,Glob"
    static let opencodePermissions = #"{"permission":{"edit":"deny","bash":"deny","webfetch":"deny","external_directory":"deny"}}"#

    static func build(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        if let flag = bypass(in: launch.extraArgs, harness: launch.harness) {
            throw HarnessCommand.BuildError.bypassInReadOnlyMode(launch.harness, flag)
        }
        let binary = launch.executableName
        let model = launch.model.map { [$0] } ?? []
        var env: [String: String] = [:]
        var args: [String]
        var side: [SideChannel] = []
        let format = HarnessAdapters.adapter(for: launch.harness).stdoutFormat
        switch launch.harness {
        case .claude:
            args = ["-p", launch.prompt, "--output-format", "stream-json", "--verbose",
                    "--tools", claudeTools, "--allowedTools", claudeTools, "--permission-mode", "dontAsk", "--strict-mcp-config"]
            if let m = launch.model { args += ["--model", m] }
            for directory in launch.readableDirectories { args += ["--add-dir", directory] }
            args += launch.extraArgs
        case .codex:
            args = ["exec", "--json", "--skip-git-repo-check", "--sandbox", "read-only"]
            if !model.isEmpty { args += ["--model"] + model }
            args += launch.extraArgs
            args.append(launch.prompt)
            if launch.env["CODEX_HOME"] == nil {
                env["CODEX_HOME"] = paths.codexHome
                // See CodexAdapter: codex needs a TMPDIR outside the temp directory for its helper.
                if launch.env["TMPDIR"] == nil { env["TMPDIR"] = paths.codexHome + "-tmp" }
            }
            side.append(.rollouts(directory: (launch.env["CODEX_HOME"] ?? paths.codexHome) + "/sessions", format: .codexRollout))
            return HarnessCommand(executable: binary, arguments: args, environment: env, stdoutFormat: .codexExecJSON, sideChannels: side)
        case .gemini:
            args = ["-p", launch.prompt, "--output-format", "stream-json", "--approval-mode", "default"]
            if !model.isEmpty { args += ["-m"] + model }
            if !launch.readableDirectories.isEmpty { args += ["--include-directories", launch.readableDirectories.joined(separator: ",")] }
            args += launch.extraArgs
        case .opencode:
            args = ["run", "--format", "json"]
            if !model.isEmpty { args += ["-m"] + model }
            args += launch.extraArgs
            args.append(launch.prompt)
            env["OPENCODE_CONFIG_CONTENT"] = opencodePermissions
        case .pi:
            args = ["--mode", "json", "-p", "--no-session", "--tools", "read,grep,find,ls"]
            if !model.isEmpty { args += ["--model"] + model }
            args += launch.extraArgs
            args.append(launch.prompt)
        case .aider:
            args = ["--message-file", paths.promptFile, "--yes-always", "--dry-run", "--no-suggest-shell-commands",
                    "--no-auto-lint", "--no-auto-test", "--no-auto-commits", "--no-pretty", "--no-stream",
                    "--analytics-log", paths.analyticsLog]
            if !model.isEmpty { args += ["--model"] + model }
            args += launch.extraArgs
            side.append(.file(path: paths.analyticsLog, format: .aiderAnalytics))
        case .command, .openai:
            var plain = launch
            plain.readOnly = false
            return try HarnessCommand.build(for: plain, paths: paths)
        }
        return HarnessCommand(executable: binary, arguments: args, environment: env, stdoutFormat: format, sideChannels: side)
    }
}
