import AgonCore
import Foundation

/// Codex: `codex exec --json --skip-git-repo-check --sandbox workspace-write PROMPT` (inside Agon's
/// sandbox `danger-full-access`: codex's own bwrap cannot nest there), with a private
/// `CODEX_HOME` (the user's `auth.json` and `config.toml` copied in) so its rollout files can be
/// tailed for mid-turn usage (exec's stdout reports usage only when a turn ends), and a private `TMPDIR`.
struct CodexAdapter: HarnessAdapter {
    let harness = Harness.codex
    let stdoutFormat: StreamFormat? = .codexExecJSON
    let color = "#2563eb"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        // Inside Agon's bubblewrap sandbox codex's own (bwrap again) cannot start: no capabilities
        // are left to nest namespaces, and every command it runs fails. Agon's sandbox already
        // confines it to its worktree, so codex's is turned off there.
        let mode = launch.sandbox == nil ? "workspace-write" : "danger-full-access"
        var args = ["exec", "--json", "--skip-git-repo-check", "--sandbox", mode]
        if let model = launch.model { args += ["--model", model] }
        args += launch.extraArgs
        args.append(launch.prompt)  // the prompt must stay last for codex exec
        var env: [String: String] = [:]
        if launch.env["CODEX_HOME"] == nil {
            env["CODEX_HOME"] = paths.codexHome
            // codex 0.147 will not install its sandbox helper in a CODEX_HOME under the temp
            // directory (and then every sandboxed command fails); a private TMPDIR beside it
            // keeps that true wherever the repository is.
            if launch.env["TMPDIR"] == nil { env["TMPDIR"] = paths.codexHome + "-tmp" }
        }
        let rollouts = SideChannel.rollouts(directory: (launch.env["CODEX_HOME"] ?? paths.codexHome) + "/sessions", format: .codexRollout)
        return HarnessCommand(executable: launch.executableName, arguments: args, environment: env, stdoutFormat: stdoutFormat,
                              sideChannels: [rollouts])
    }

    /// The last `agent_message` item.
    func finalMessage(transcript: String) -> String? {
        var last: String?
        for (type, object) in Transcript.typedObjects(transcript) {
            if type == "item.completed", let item = object["item"], item["type"]?.string == "agent_message",
               let text = item["text"]?.string {
                last = text
            }
        }
        return last
    }
}
