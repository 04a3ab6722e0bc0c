import AgonCore
import Foundation

/// An OpenAI-compatible chat-completions endpoint: verifiers only (AgonReview's client speaks
/// HTTP itself), so it has no command line.
struct OpenAIAdapter: HarnessAdapter {
    let harness = Harness.openai
    let stdoutFormat: StreamFormat? = .openAIChat
    let color = "#64748b"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        throw HarnessCommand.BuildError.notAnAgentCLI(.openai)
    }

    /// The reply text as received.
    func finalMessage(transcript: String) -> String? { Transcript.wholeText(transcript) }
}
