import Foundation

/// `gemini --output-format stream-json`: tool_use/tool_result/message lines; usage only in
/// the final `result.stats`.
struct GeminiEmitter: HarnessEmitter {
    let inv: Invocation
    let config: DoubleConfig
    let session = newID()

    init(inv: Invocation, config: DoubleConfig) { self.inv = inv; self.config = config }

    mutating func start() {
        Out.json(["type": "init", "timestamp": isoNow(), "session_id": session, "model": inv.model ?? "gemini-2.5-pro"])
        Out.json(["type": "message", "timestamp": isoNow(), "role": "user", "content": inv.prompt])
    }

    mutating func turn(index: Int, usage: TurnUsage, edits: [Edit]) {
        for (n, edit) in edits.enumerated() {
            let id = "write_file-\(index)-\(n)"
            Out.json(["type": "tool_use", "timestamp": isoNow(), "tool_name": "write_file", "tool_id": id,
                      "parameters": ["file_path": edit.absolutePath, "content": edit.content]])
            Out.json(["type": "tool_result", "timestamp": isoNow(), "tool_id": id, "status": "success"])
        }
        Out.json(["type": "message", "timestamp": isoNow(), "role": "assistant", "content": "Step \(index) done.", "delta": true])
    }

    mutating func finish(total: TurnUsage, turns: Int) {
        Out.json(["type": "result", "timestamp": isoNow(), "status": "success",
                  "stats": ["total_tokens": total.input + total.output, "input_tokens": total.input,
                            "output_tokens": total.output, "duration_ms": 1300, "tool_calls": turns]])
    }

    mutating func apiError() {
        Out.json(["type": "result", "timestamp": isoNow(), "status": "error",
                  "error": ["type": "Error", "message": "[API Error: You have exhausted your capacity on this model. Your quota will reset after 0s. (status: 429 RESOURCE_EXHAUSTED)]"],
                  "stats": ["total_tokens": 0, "input_tokens": 0, "output_tokens": 0, "duration_ms": 200, "tool_calls": 0]])
    }

    mutating func fail() {
        Out.json(["type": "result", "timestamp": isoNow(), "status": "error",
                  "error": ["type": "FatalToolExecutionError", "message": "Tool execution failed"],
                  "stats": ["total_tokens": 0, "input_tokens": 0, "output_tokens": 0, "duration_ms": 200, "tool_calls": 0]])
    }
}
