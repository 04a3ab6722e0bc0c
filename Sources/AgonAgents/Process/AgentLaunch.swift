import AgonCore
import Foundation

/// Everything needed to run one agent once: the lead maps a config entry + spec onto this.
public struct AgentLaunch: Sendable {
    public var harness: Harness
    /// CLI path or name; nil = the harness's usual name on PATH.
    public var binary: String?
    public var model: String?
    /// Extra arguments appended after Agon's own.
    public var extraArgs: [String]
    /// For `harness: command`: argv with `{prompt_file}`, `{prompt}`, `{worktree}`, `{usage_file}` templates.
    public var command: [String]?
    /// Variables set explicitly for this agent.
    public var env: [String: String]
    /// Names (or `PREFIX*` patterns) of the parent's variables this agent may see, e.g. its API key.
    public var passThroughEnv: [String]
    public var price: ModelPrice?
    /// Budget in USD; nil or 0 = tally only, no enforcement.
    public var maxCostUSD: Double?
    public var hardTimeout: TimeInterval
    /// Seconds without any stdout/stderr byte before the agent is stopped; 0 = off.
    public var silenceTimeout: TimeInterval
    public var killGrace: TimeInterval
    public var prompt: String
    public var worktree: String
    /// Directory for prompt.md, transcript, stderr, usage files and a private CODEX_HOME.
    public var artifactsDir: String
    /// The environment the allowlist draws from; nil = this process's environment.
    public var parentEnvironment: [String: String]?
    public var maxLineBytes: Int
    public var transcriptCapBytes: Int
    public var stderrCapBytes: Int
    /// Whether the agent runs as root (decides Claude Code's permission flags); tests set it.
    public var runningAsRoot: Bool = RealCLIFlags.runningAsRoot
    /// Review mode: the CLI may read but not write, run commands or fetch (see `ReadOnlyFlags`).
    public var readOnly = false
    /// Directories outside `worktree` a read-only CLI may also read (the review packet file).
    public var readableDirectories: [String] = []
    /// The sandbox the agent runs in; nil = unsandboxed (process group only).
    public var sandbox: Sandbox?
    /// A follow-up that continues an earlier session (`prompt` is then the follow-up message);
    /// nil = a fresh invocation. Only harnesses whose adapter `resumesSessions` use it.
    public var resume: SessionResume?

    public init(harness: Harness, binary: String? = nil, model: String? = nil, extraArgs: [String] = [],
                command: [String]? = nil, env: [String: String] = [:], passThroughEnv: [String] = [],
                price: ModelPrice? = nil, maxCostUSD: Double? = nil, hardTimeout: TimeInterval = 600,
                silenceTimeout: TimeInterval = 0, killGrace: TimeInterval = 0.5, prompt: String, worktree: String,
                artifactsDir: String, parentEnvironment: [String: String]? = nil, maxLineBytes: Int = 1 << 20,
                transcriptCapBytes: Int = 64 << 20, stderrCapBytes: Int = 4 << 20, sandbox: Sandbox? = nil) {
        self.harness = harness
        self.binary = binary
        self.model = model
        self.extraArgs = extraArgs
        self.command = command
        self.env = env
        self.passThroughEnv = passThroughEnv
        self.price = price
        self.maxCostUSD = maxCostUSD
        self.hardTimeout = hardTimeout
        self.silenceTimeout = silenceTimeout
        self.killGrace = killGrace
        self.prompt = prompt
        self.worktree = worktree
        self.artifactsDir = artifactsDir
        self.parentEnvironment = parentEnvironment
        self.maxLineBytes = maxLineBytes
        self.transcriptCapBytes = transcriptCapBytes
        self.stderrCapBytes = stderrCapBytes
        self.sandbox = sandbox
    }
}

/// The earlier session a follow-up continues.
public struct SessionResume: Sendable, Equatable {
    /// The CLI's session or thread id, as its output named it.
    public var sessionID: String
    /// The session's usage so far (what cumulative snapshots of the resumed session start from).
    public var usageSoFar: TokenUsage
    /// The artifacts directory of the attempt that made the session (where a CLI's private
    /// session files were kept).
    public var artifactsDir: String?
    /// The cost the CLI itself reported for the session so far (0: none).
    public var reportedCostSoFar: Double

    public init(sessionID: String, usageSoFar: TokenUsage = .zero, artifactsDir: String? = nil, reportedCostSoFar: Double = 0) {
        self.sessionID = sessionID
        self.usageSoFar = usageSoFar
        self.artifactsDir = artifactsDir
        self.reportedCostSoFar = reportedCostSoFar
    }
}
