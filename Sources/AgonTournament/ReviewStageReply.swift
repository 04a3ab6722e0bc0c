import AgonCore
import Foundation

/// The final answer of a verifier CLI, read from its captured stdout in that harness's format.
///
/// The stream parsers keep only a 500-character summary of a result (enough for errors, too
/// short for a verdict with notes), so the review stage reads the transcript again here.
enum VerifierReplyText {
    /// The last assistant message of the run, or nil when the transcript holds none.
    /// - claude: the `result` line's `result` text (else the last assistant text block);
    /// - codex: the last `agent_message` item;
    /// - gemini, opencode: the assistant text after the last tool call, joined (they stream deltas);
    /// - pi: the text of the last assistant `message_end`;
    /// - aider, command: the whole output (plain text).
    static func finalMessage(transcript: String, harness: Harness) -> String? {
        switch harness {
        case .aider, .command, .openai:
            let text = transcript.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        default:
            break
        }
        var last: String?
        var pieces: [String] = []
        for line in transcript.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard line.first == "{", let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let type = object["type"] as? String else { continue }
            switch harness {
            case .claude:
                if type == "result", let text = object["result"] as? String, !text.isEmpty {
                    last = text
                } else if type == "assistant", let message = object["message"] as? [String: Any],
                          let content = message["content"] as? [[String: Any]] {
                    let text = content.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined()
                    if !text.isEmpty && last == nil { pieces = [text] }
                }
            case .codex:
                if type == "item.completed", let item = object["item"] as? [String: Any],
                   item["type"] as? String == "agent_message", let text = item["text"] as? String {
                    last = text
                }
            case .gemini:
                if type == "message", object["role"] as? String == "assistant", let text = object["content"] as? String {
                    pieces.append(text)
                } else if type == "tool_use" || type == "tool_result" {
                    pieces = []
                }
            case .opencode:
                if type == "text", let part = object["part"] as? [String: Any], let text = part["text"] as? String {
                    pieces.append(text)
                } else if type == "tool_use" {
                    pieces = []
                }
            case .pi:
                if type == "message_end", let message = object["message"] as? [String: Any],
                   message["role"] as? String == "assistant", let content = message["content"] as? [[String: Any]] {
                    let text = content.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined()
                    if !text.isEmpty { last = text }
                }
            default:
                break
            }
        }
        if let last { return last }
        let joined = pieces.joined()
        return joined.isEmpty ? nil : joined
    }
}
