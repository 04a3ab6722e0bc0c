import AgonCore
import Foundation

/// Gemini CLI: `gemini -p PROMPT --output-format stream-json --yolo`. It reports usage only at
/// the end, so its budget is enforced by the timeouts alone.
struct GeminiAdapter: HarnessAdapter {
    let harness = Harness.gemini
    let stdoutFormat: StreamFormat? = .geminiStreamJSON
    let color = "#16a34a"

    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        var args = ["-p", launch.prompt, "--output-format", "stream-json", "--yolo"]
        if let model = launch.model { args += ["-m", model] }
        args += launch.extraArgs
        return HarnessCommand(executable: launch.executableName, arguments: args, environment: [:], stdoutFormat: stdoutFormat,
                              sideChannels: [])
    }

    /// The assistant text after the last tool call, joined (it streams deltas).
    func finalMessage(transcript: String) -> String? {
        var pieces: [String] = []
        for (type, object) in Transcript.typedObjects(transcript) {
            if type == "message", object["role"]?.string == "assistant", let text = object["content"]?.string {
                pieces.append(text)
            } else if type == "tool_use" || type == "tool_result" {
                pieces = []
            }
        }
        return Transcript.joined(pieces)
    }
}
