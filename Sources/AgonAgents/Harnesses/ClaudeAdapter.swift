import AgonCore
import Foundation

/// Claude Code: `claude -p PROMPT --output-format stream-json --verbose --dangerously-skip-permissions`.
/// A headless run must edit files and run tests without prompts (the worktree is the sandbox); as
/// root, where Claude Code refuses that flag, `--permission-mode acceptEdits --allowedTools …`
/// instead (`RealCLIFlags.claudePermissions`). The permission flags are left out when the entry's
/// args already set `--permission-mode`, `--allowedTools` or `--dangerously-skip-permissions`.
struct ClaudeAdapter: HarnessAdapter {
    let harness = Harness.claude
    let stdoutFormat: StreamFormat? = .claudeStreamJSON
    let color = "#d9730d"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        arguments(launch, resuming: nil)
    }

    /// `claude -p MESSAGE --resume SESSION_ID` with the same stream-json and permission flags.
    /// A resumed session's `result` reports the SESSION's totals (`modelUsage`, `total_cost_usd`,
    /// earlier processes included; seen with 2.1.332), so the attempt is metered above them.
    var resumesSessions: Bool { true }

    func resumeCommand(for launch: AgentLaunch, session: SessionResume, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        var command = arguments(launch, resuming: session.sessionID)
        command.snapshotBaseline = session.usageSoFar
        command.reportedCostBaseline = session.reportedCostSoFar
        return command
    }

    private func arguments(_ launch: AgentLaunch, resuming sessionID: String?) -> HarnessCommand {
        let userSetsPermissions = launch.extraArgs.contains { a in RealCLIFlags.claudePermissionFlags.contains { a.hasPrefix($0) } }
        var args = ["-p", launch.prompt]
        if let sessionID { args += ["--resume", sessionID] }
        args += ["--output-format", "stream-json", "--verbose"]
        if let m = launch.model { args += ["--model", m] }
        if !userSetsPermissions {
            args += RealCLIFlags.claudePermissions(runningAsRoot: launch.runningAsRoot, sandboxed: RealCLIFlags.claimsSandbox(launch))
        }
        args += launch.extraArgs
        return HarnessCommand(executable: launch.executableName, arguments: args, environment: [:], stdoutFormat: stdoutFormat,
                              sideChannels: [])
    }

    /// The `result` line's text, else the first assistant text block.
    func finalMessage(transcript: String) -> String? {
        var last: String?
        var pieces: [String] = []
        for (type, object) in Transcript.typedObjects(transcript) {
            if type == "result", let text = object["result"]?.string, !text.isEmpty {
                last = text
            } else if type == "assistant", let message = object["message"], message.object != nil {
                let text = Transcript.textBlocks(message)
                if !text.isEmpty && last == nil { pieces = [text] }
            }
        }
        return last ?? Transcript.joined(pieces)
    }
}
