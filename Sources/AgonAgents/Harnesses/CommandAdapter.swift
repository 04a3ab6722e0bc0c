import AgonCore
import Foundation

/// Any program: the configured argv with `{prompt_file}`, `{prompt}`, `{worktree}` and
/// `{usage_file}` expanded; usage (if any) from the JSON Lines file named by `$AGON_USAGE_FILE`.
struct CommandAdapter: HarnessAdapter {
    let harness = Harness.command
    let stdoutFormat: StreamFormat? = nil
    let color = "#a16207"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        guard let argv = launch.command, let first = argv.first else { throw HarnessCommand.BuildError.missingCommand }
        let expanded = argv.map { expand($0, launch: launch, paths: paths) }
        return HarnessCommand(executable: launch.binary ?? expand(first, launch: launch, paths: paths),
                              arguments: Array(expanded.dropFirst()) + launch.extraArgs, environment: [:],
                              stdoutFormat: nil, sideChannels: [.file(path: paths.usageFile, format: .commandUsage)])
    }

    /// Plain text: the whole output.
    func finalMessage(transcript: String) -> String? { Transcript.wholeText(transcript) }

    func expand(_ template: String, launch: AgentLaunch, paths: HarnessCommand.Paths) -> String {
        template.replacingOccurrences(of: "{prompt_file}", with: paths.promptFile)
            .replacingOccurrences(of: "{worktree}", with: launch.worktree)
            .replacingOccurrences(of: "{usage_file}", with: paths.usageFile)
            .replacingOccurrences(of: "{prompt}", with: launch.prompt)
    }
}
