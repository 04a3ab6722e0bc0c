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
        var args = ["exec", "--json", "--skip-git-repo-check", "--sandbox", Self.sandboxMode(launch)]
        if let model = launch.model { args += ["--model", model] }
        args += launch.extraArgs
        args.append(launch.prompt)  // the prompt must stay last for codex exec
        return HarnessCommand(executable: launch.executableName, arguments: args, environment: Self.environment(launch, paths),
                              stdoutFormat: stdoutFormat, sideChannels: [Self.rollouts(launch, paths)])
    }

    /// `codex exec resume --json … THREAD_ID MESSAGE`. `exec resume` (0.147) has no `--sandbox`,
    /// so the same mode is set with `-c sandbox_mode=…`. Its `turn.completed` usage and the
    /// rollout's totals continue the thread's running total, so the attempt is metered above
    /// the thread's usage so far (`snapshotBaseline`).
    var resumesSessions: Bool { true }

    func resumeCommand(for launch: AgentLaunch, session: SessionResume, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        var args = ["exec", "resume", "--json", "--skip-git-repo-check", "-c", "sandbox_mode=\"\(Self.sandboxMode(launch))\""]
        if let model = launch.model { args += ["--model", model] }
        args += launch.extraArgs
        args += [session.sessionID, launch.prompt]  // thread id, then the prompt, last
        var command = HarnessCommand(executable: launch.executableName, arguments: args, environment: Self.environment(launch, paths),
                                     stdoutFormat: stdoutFormat, sideChannels: [Self.rollouts(launch, paths)])
        command.snapshotBaseline = session.usageSoFar
        return command
    }

    private static func sandboxMode(_ launch: AgentLaunch) -> String {
        launch.sandbox == nil ? "workspace-write" : "danger-full-access"
    }

    private static func environment(_ launch: AgentLaunch, _ paths: HarnessCommand.Paths) -> [String: String] {
        var env: [String: String] = [:]
        if launch.env["CODEX_HOME"] == nil {
            env["CODEX_HOME"] = paths.codexHome
            // codex 0.147 will not install its sandbox helper in a CODEX_HOME under the temp
            // directory (and then every sandboxed command fails); a private TMPDIR beside it
            // keeps that true wherever the repository is.
            if launch.env["TMPDIR"] == nil { env["TMPDIR"] = paths.codexHome + "-tmp" }
        }
        return env
    }

    private static func rollouts(_ launch: AgentLaunch, _ paths: HarnessCommand.Paths) -> SideChannel {
        .rollouts(directory: (launch.env["CODEX_HOME"] ?? paths.codexHome) + "/sessions", format: .codexRollout)
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
