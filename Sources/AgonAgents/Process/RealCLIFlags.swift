import AgonCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The flags Agon passes to the real CLIs where a plain choice does not work everywhere, checked
/// end to end against the pinned versions in `make live-deps` (README: "Verified CLI versions").
public enum RealCLIFlags {
    /// Claude Code's tools a headless run needs to read, edit, run tests and keep its task list,
    /// allowed explicitly when `--dangerously-skip-permissions` cannot be used (names of 2.1.332,
    /// plus `MultiEdit`, `LS`, `TodoWrite` of earlier 2.x). Web, scheduling, worktree and
    /// agent-spawning tools are left out: the run is a local edit of one worktree.
    public static let claudeAllowedTools = ["Bash", "Edit", "MultiEdit", "Write", "Read", "Glob", "Grep", "LS",
                                            "NotebookEdit", "TodoWrite", "TaskCreate", "TaskGet", "TaskList", "TaskUpdate"]

    /// Flags that set Claude Code's permissions; when the entry's `args` has one, Agon adds none.
    public static let claudePermissionFlags = ["--permission-mode", "--allowedTools", "--allowed-tools",
                                               "--dangerously-skip-permissions"]

    /// Whether this process runs as root (Claude Code refuses `--dangerously-skip-permissions` then).
    public static var runningAsRoot: Bool { geteuid() == 0 }

    /// Claude Code's permission flags for a headless run.
    ///
    /// Claude Code 2.x refuses `--dangerously-skip-permissions` as root ("cannot be used with
    /// root/sudo privileges") unless `IS_SANDBOX=1` says it runs in a sandbox. So: not root, or
    /// `IS_SANDBOX=1` in the agent's environment (a truthful claim only inside a sandbox) → skip
    /// permissions; root without it → `acceptEdits` plus an explicit tool allowlist, which a
    /// headless run accepts as root and which lets it edit files and run commands without prompts.
    public static func claudePermissions(runningAsRoot: Bool, sandboxed: Bool) -> [String] {
        if !runningAsRoot || sandboxed { return ["--dangerously-skip-permissions"] }
        return ["--permission-mode", "acceptEdits", "--allowedTools", claudeAllowedTools.joined(separator: ",")]
    }

    /// Whether the agent's own environment says it runs in a sandbox (`IS_SANDBOX=1`).
    public static func claimsSandbox(_ launch: AgentLaunch) -> Bool {
        launch.env["IS_SANDBOX"] == "1"
    }

    /// aider's flags besides the prompt and model.
    ///
    /// - `--no-gitignore`: otherwise aider appends `.aider*` to the worktree's `.gitignore` (a scope
    ///   violation and diff noise in every aider candidate); its own files go to the artifacts
    ///   directory instead (`--chat-history-file`, `--input-history-file`).
    /// - `--no-stream`: only then does aider report the provider's usage; streaming, it counts
    ///   tokens itself with a tokenizer (0.86.2: `Tokens: 2.5k sent` for a scripted 1,000). It is
    ///   silent while the model generates, so its analytics log's `message_send_starting` /
    ///   `message_send` pause the silence timeout meanwhile (`AgentEvent.modelCall`).
    /// - `--no-check-update`, `--no-show-release-notes`, `--no-detect-urls`: no network look-ups or
    ///   prompts a headless run does not need; `LITELLM_LOCAL_MODEL_COST_MAP=True` (environment)
    ///   keeps LiteLLM from downloading its price file, and `--model-metadata-file` (the model's
    ///   price from Agon's table, written by `AgentExecutor`) keeps aider from fetching it on every
    ///   start when the model is priced.
    public static func aiderArguments(promptFile: String, analyticsLog: String, artifactsDir: String,
                                      withModelMetadata: Bool) -> [String] {
        ["--message-file", promptFile, "--yes-always", "--no-auto-commits", "--no-pretty", "--no-stream",
         "--no-gitignore", "--no-check-update", "--no-show-release-notes", "--no-detect-urls",
         "--chat-history-file", aiderHistoryFiles(artifactsDir: artifactsDir)[0],
         "--input-history-file", aiderHistoryFiles(artifactsDir: artifactsDir)[1]]
            + (withModelMetadata ? ["--model-metadata-file", aiderModelMetadataPath(artifactsDir: artifactsDir)] : [])
            + ["--analytics-log", analyticsLog]
    }

    public static func aiderModelMetadataPath(artifactsDir: String) -> String { artifactsDir + "/aider-model-metadata.json" }

    /// aider's chat and input history files, in the candidate's artifacts (not the worktree).
    public static func aiderHistoryFiles(artifactsDir: String) -> [String] {
        [artifactsDir + "/aider.chat.history.md", artifactsDir + "/aider.input.history"]
    }

    /// aider's `--model-metadata-file` (LiteLLM format) for `model` at `price`.
    static func aiderModelMetadata(model: String, price: ModelPrice) -> Data {
        let provider = model.split(separator: "/").first.map(String.init).flatMap { model.contains("/") ? $0 : nil } ?? "openai"
        var entry: [String: Any] = ["input_cost_per_token": price.inputPerToken, "output_cost_per_token": price.outputPerToken,
                                    "litellm_provider": provider, "mode": "chat"]
        if let cached = price.cacheReadPerToken { entry["cache_read_input_token_cost"] = cached }
        return (try? JSONSerialization.data(withJSONObject: [model: entry], options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Environment aider gets on top of the allowlist.
    public static let aiderEnvironment = ["LITELLM_LOCAL_MODEL_COST_MAP": "True"]
}
