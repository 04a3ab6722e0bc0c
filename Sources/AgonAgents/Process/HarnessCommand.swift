import AgonCore
import Foundation

/// A file besides stdout that carries usage, tailed while the agent runs.
public enum SideChannel: Equatable, Sendable {
    /// One file at a known path (aider's analytics log, a command's usage file).
    case file(path: String, format: StreamFormat)
    /// Codex rollout files appearing anywhere under `directory` (`rollout-*.jsonl`).
    case rollouts(directory: String, format: StreamFormat)
}

/// The concrete command line for one harness, and where its usage comes from.
///
/// Choices (documented for users):
/// - claude: `-p PROMPT --output-format stream-json --verbose --dangerously-skip-permissions`
///   (a headless run must edit files and run tests without prompts; the worktree is the
///   sandbox). Not added when the entry's args already set `--permission-mode`, `--allowedTools`
///   or `--dangerously-skip-permissions`.
/// - codex: `exec --json --skip-git-repo-check --sandbox workspace-write PROMPT`, with a private
///   `CODEX_HOME` so its rollout files can be tailed for mid-turn usage.
/// - gemini: `-p PROMPT --output-format stream-json --yolo`.
/// - opencode: `run --format json PROMPT`.
/// - pi: `--mode json -p --no-session PROMPT`.
/// - aider: `--message-file PROMPT_FILE --yes-always --no-auto-commits --no-pretty --no-stream
///   --analytics-log FILE`.
/// - command: the configured argv with templates expanded; usage from `$AGON_USAGE_FILE`.
public struct HarnessCommand: Equatable, Sendable {
    public var executable: String
    public var arguments: [String]
    /// Variables this harness needs on top of the allowlist (e.g. `CODEX_HOME`).
    public var environment: [String: String]
    /// How stdout is parsed; nil = not parsed (plain text), only kept in the transcript.
    public var stdoutFormat: StreamFormat?
    public var sideChannels: [SideChannel]

    /// Paths Agon prepares for a run under `artifactsDir`.
    public struct Paths: Sendable {
        public var promptFile: String
        public var usageFile: String
        public var analyticsLog: String
        public var codexHome: String
        public var transcript: String
        public var stderr: String

        public init(artifactsDir: String) {
            promptFile = artifactsDir + "/prompt.md"
            usageFile = artifactsDir + "/usage.jsonl"
            analyticsLog = artifactsDir + "/aider-analytics.jsonl"
            codexHome = artifactsDir + "/codex-home"
            transcript = artifactsDir + "/transcript.jsonl"
            stderr = artifactsDir + "/stderr.txt"
        }
    }

    public enum BuildError: Error, CustomStringConvertible, Equatable {
        case missingCommand
        case notAnAgentCLI(Harness)

        public var description: String {
            switch self {
            case .missingCommand: return "agent has harness 'command' but no 'command' argv"
            case .notAnAgentCLI(let h): return "harness '\(h.rawValue)' is an HTTP API for verifiers, not an agent CLI"
            }
        }
    }

    /// Prompts longer than this go by file: one argument is limited to 128 KiB on Linux
    /// (a 166 KB spec failed every CLI with "Argument list too long").
    public static let inlinePromptLimit = 100_000

    /// The prompt as an argument: the text itself, or a pointer to the prompt file when too long.
    static func inlinePrompt(_ prompt: String, promptFile: String) -> String {
        guard prompt.utf8.count > inlinePromptLimit else { return prompt }
        return "Your task is too long to pass as an argument; it is in the file `\(promptFile)`. "
            + "Read all of that file first, then do exactly what it says."
    }

    public static func build(for launch: AgentLaunch, paths: Paths) throws -> HarnessCommand {
        var launch = launch
        launch.prompt = inlinePrompt(launch.prompt, promptFile: paths.promptFile)
        let model = launch.model.map { [$0] } ?? []
        let binary = launch.binary ?? launch.harness.defaultBinary ?? ""
        var env: [String: String] = [:]
        var args: [String]
        var side: [SideChannel] = []
        switch launch.harness {
        case .claude:
            let permissionFlags = ["--permission-mode", "--allowedTools", "--allowed-tools", "--dangerously-skip-permissions"]
            let userSetsPermissions = launch.extraArgs.contains { a in permissionFlags.contains { a.hasPrefix($0) } }
            args = ["-p", launch.prompt, "--output-format", "stream-json", "--verbose"]
            if let m = launch.model { args += ["--model", m] }
            if !userSetsPermissions { args.append("--dangerously-skip-permissions") }
        case .codex:
            args = ["exec", "--json", "--skip-git-repo-check", "--sandbox", "workspace-write"]
            if !model.isEmpty { args += ["--model"] + model }
            args += launch.extraArgs
            args.append(launch.prompt)  // the prompt must stay last for codex exec
            if launch.env["CODEX_HOME"] == nil { env["CODEX_HOME"] = paths.codexHome }
            side.append(.rollouts(directory: (launch.env["CODEX_HOME"] ?? paths.codexHome) + "/sessions", format: .codexRollout))
            return HarnessCommand(executable: binary, arguments: args, environment: env, stdoutFormat: .codexExecJSON, sideChannels: side)
        case .gemini:
            args = ["-p", launch.prompt, "--output-format", "stream-json", "--yolo"]
            if !model.isEmpty { args += ["-m"] + model }
        case .opencode:
            args = ["run", "--format", "json"]
            if !model.isEmpty { args += ["-m"] + model }
            args += launch.extraArgs
            args.append(launch.prompt)
            return HarnessCommand(executable: binary, arguments: args, environment: env, stdoutFormat: .opencodeJSON, sideChannels: side)
        case .pi:
            args = ["--mode", "json", "-p", "--no-session"]
            if !model.isEmpty { args += ["--model"] + model }
            args += launch.extraArgs
            args.append(launch.prompt)
            return HarnessCommand(executable: binary, arguments: args, environment: env, stdoutFormat: .piJSON, sideChannels: side)
        case .aider:
            args = ["--message-file", paths.promptFile, "--yes-always", "--no-auto-commits", "--no-pretty", "--no-stream",
                    "--analytics-log", paths.analyticsLog]
            if !model.isEmpty { args += ["--model"] + model }
            side.append(.file(path: paths.analyticsLog, format: .aiderAnalytics))
        case .command:
            guard let argv = launch.command, let first = argv.first else { throw BuildError.missingCommand }
            let expanded = argv.map { expand($0, launch: launch, paths: paths) }
            side.append(.file(path: paths.usageFile, format: .commandUsage))
            return HarnessCommand(executable: launch.binary ?? expand(first, launch: launch, paths: paths),
                                  arguments: Array(expanded.dropFirst()) + launch.extraArgs, environment: env,
                                  stdoutFormat: nil, sideChannels: side)
        case .openai:
            throw BuildError.notAnAgentCLI(.openai)
        }
        args += launch.extraArgs
        return HarnessCommand(executable: binary, arguments: args, environment: env,
                              stdoutFormat: StreamFormat(harness: launch.harness), sideChannels: side)
    }

    static func expand(_ template: String, launch: AgentLaunch, paths: Paths) -> String {
        template.replacingOccurrences(of: "{prompt_file}", with: paths.promptFile)
            .replacingOccurrences(of: "{worktree}", with: launch.worktree)
            .replacingOccurrences(of: "{usage_file}", with: paths.usageFile)
            .replacingOccurrences(of: "{prompt}", with: launch.prompt)
    }
}
