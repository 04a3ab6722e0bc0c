import AgonCore
import Foundation

/// A file besides stdout that carries usage, tailed while the agent runs.
public enum SideChannel: Equatable, Sendable {
    /// One file at a known path (aider's analytics log, a command's usage file).
    case file(path: String, format: StreamFormat)
    /// Codex rollout files appearing anywhere under `directory` (`rollout-*.jsonl`).
    case rollouts(directory: String, format: StreamFormat)
}

/// The concrete command line for one harness, and where its usage comes from. Each CLI's
/// choices (documented for users) are in its `HarnessAdapter` under `Harnesses/`.
///
/// Verifiers (`AgentLaunch.readOnly`) read untrusted diffs, so they never get a permission bypass;
/// see `ReadOnlyFlags` for what each harness gets instead.
public struct HarnessCommand: Equatable, Sendable {
    public var executable: String
    public var arguments: [String]
    /// Variables this harness needs on top of the allowlist (e.g. `CODEX_HOME`).
    public var environment: [String: String]
    /// How stdout is parsed; nil = not parsed (plain text), only kept in the transcript.
    public var stdoutFormat: StreamFormat?
    public var sideChannels: [SideChannel]
    /// Usage the session had before this process (a resumed thread whose snapshots are cumulative); nil = none.
    public var snapshotBaseline: TokenUsage? = nil
    /// The session's reported cost before this process, when the CLI reports a session total; nil = none.
    public var reportedCostBaseline: Double? = nil

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
        /// A verifier's `args` would lift its read-only mode.
        case bypassInReadOnlyMode(Harness, String)

        public var description: String {
            switch self {
            case .missingCommand: return "agent has harness 'command' but no 'command' argv"
            case .notAnAgentCLI(let h): return "harness '\(h.rawValue)' is an HTTP API for verifiers, not an agent CLI"
            case let .bypassInReadOnlyMode(h, flag):
                return "verifier args contain \(flag), which lifts \(h.rawValue)'s read-only mode: verifiers read untrusted diffs; remove it from `args`"
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

    /// The command for `launch`, built by its harness's adapter (or its read-only form for verifiers).
    public static func build(for launch: AgentLaunch, paths: Paths) throws -> HarnessCommand {
        var launch = launch
        launch.prompt = inlinePrompt(launch.prompt, promptFile: paths.promptFile)
        if launch.readOnly { return try ReadOnlyFlags.build(for: launch, paths: paths) }
        let adapter = HarnessAdapters.adapter(for: launch.harness)
        if let resume = launch.resume, adapter.resumesSessions {
            return try adapter.resumeCommand(for: launch, session: resume, paths: paths)
        }
        return try adapter.command(for: launch, paths: paths)
    }
}
