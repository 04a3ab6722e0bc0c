import AgonCore
import Foundation

/// OpenCode: `opencode run --format json PROMPT`.
struct OpenCodeAdapter: HarnessAdapter {
    let harness = Harness.opencode
    let stdoutFormat: StreamFormat? = .opencodeJSON
    let color = "#9333ea"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        Transcript.promptLast(["run", "--format", "json"], modelFlag: "-m", launch: launch, format: .opencodeJSON)
    }

    /// The assistant text after the last tool call, joined (it streams parts).
    func finalMessage(transcript: String) -> String? {
        var pieces: [String] = []
        for (type, object) in Transcript.typedObjects(transcript) {
            if type == "text", let text = object["part"]?["text"]?.string {
                pieces.append(text)
            } else if type == "tool_use" {
                pieces = []
            }
        }
        return Transcript.joined(pieces)
    }
}
