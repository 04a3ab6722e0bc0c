import AgonCore
import Foundation

/// Codex: `codex exec --json --skip-git-repo-check --sandbox workspace-write PROMPT`, with a private
/// `CODEX_HOME` so its rollout files can be tailed for mid-turn usage (exec's stdout reports usage
/// only when a turn ends).
struct CodexAdapter: HarnessAdapter {
    let harness = Harness.codex
    let stdoutFormat: StreamFormat? = .codexExecJSON
    let color = "#2563eb"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        var args = ["exec", "--json", "--skip-git-repo-check", "--sandbox", "workspace-write"]
        if let model = launch.model { args += ["--model", model] }
        args += launch.extraArgs
        args.append(launch.prompt)  // the prompt must stay last for codex exec
        var env: [String: String] = [:]
        if launch.env["CODEX_HOME"] == nil { env["CODEX_HOME"] = paths.codexHome }
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
