import AgonCore
import Foundation

/// Aider: `aider --message-file PROMPT_FILE --yes-always --no-auto-commits --no-pretty --no-stream
/// --no-gitignore … --analytics-log FILE` (`RealCLIFlags.aiderArguments`); usage comes from the
/// analytics log, tailed while it runs.
struct AiderAdapter: HarnessAdapter {
    let harness = Harness.aider
    let stdoutFormat: StreamFormat? = .aiderStdout
    let color = "#0891b2"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        var args = RealCLIFlags.aiderArguments(promptFile: paths.promptFile, analyticsLog: paths.analyticsLog,
                                               artifactsDir: launch.artifactsDir,
                                               withModelMetadata: launch.model != nil && launch.price != nil)
        if let model = launch.model { args += ["--model", model] }
        args += launch.extraArgs
        return HarnessCommand(executable: launch.executableName, arguments: args, environment: RealCLIFlags.aiderEnvironment, stdoutFormat: stdoutFormat,
                              sideChannels: [.file(path: paths.analyticsLog, format: .aiderAnalytics)])
    }

    /// Plain text: the whole output.
    func finalMessage(transcript: String) -> String? { Transcript.wholeText(transcript) }
}
