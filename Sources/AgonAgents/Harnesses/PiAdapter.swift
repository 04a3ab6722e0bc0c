import AgonCore
import Foundation

/// pi: `pi --mode json -p --no-session PROMPT`.
struct PiAdapter: HarnessAdapter {
    let harness = Harness.pi
    let stdoutFormat: StreamFormat? = .piJSON
    let color = "#db2777"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        Transcript.promptLast(["--mode", "json", "-p", "--no-session"], modelFlag: "--model", launch: launch, format: .piJSON)
    }

    /// The text of the last assistant `message_end`.
    func finalMessage(transcript: String) -> String? {
        var last: String?
        for (type, object) in Transcript.typedObjects(transcript) {
            if type == "message_end", let message = object["message"], message["role"]?.string == "assistant" {
                let text = Transcript.textBlocks(message)
                if !text.isEmpty { last = text }
            }
        }
        return last
    }
}
