import Foundation

/// `opencode run --format json`: one `step_finish` per model step with `part.cost` and tokens.
struct OpencodeEmitter: HarnessEmitter {
    let inv: Invocation
    let config: DoubleConfig
    let session = "ses_double" + String(newID().prefix(8))

    init(inv: Invocation, config: DoubleConfig) { self.inv = inv; self.config = config }

    func event(_ type: String, _ part: [String: Any]) {
        var part = part
        part["sessionID"] = session
        part["messageID"] = "msg_double"
        part["id"] = "prt_" + String(newID().prefix(12))
        Out.json(["type": type, "timestamp": Int(Date().timeIntervalSince1970 * 1000), "sessionID": session, "part": part])
    }

    mutating func start() {}

    mutating func turn(index: Int, usage u: TurnUsage, edits: [Edit]) {
        event("step_start", ["type": "step-start", "snapshot": "snap\(index)"])
        for edit in edits {
            event("tool_use", ["type": "tool", "callID": "call\(index)", "tool": "write",
                               "state": ["status": "completed", "input": ["filePath": edit.absolutePath, "content": edit.content],
                                         "output": "", "title": edit.path] as [String: Any]])
        }
        event("text", ["type": "text", "text": "Step \(index) done."])
        event("step_finish", ["type": "step-finish", "reason": edits.isEmpty ? "stop" : "tool-calls", "snapshot": "snap\(index)",
                              "cost": config.cost(input: u.input, output: u.output),
                              "tokens": ["input": u.input, "output": u.output, "reasoning": 0,
                                         "cache": ["read": 0, "write": 0]] as [String: Any]])
    }

    mutating func finish(total: TurnUsage, turns: Int) {}

    mutating func apiError() {
        Out.json(["type": "error", "timestamp": Int(Date().timeIntervalSince1970 * 1000), "sessionID": session,
                  "error": ["name": "APIError", "data": ["message": "Rate limit exceeded: 429 Too Many Requests",
                                                         "statusCode": 429, "isRetryable": true] as [String: Any]]])
    }

    mutating func fail() {
        Out.json(["type": "error", "timestamp": Int(Date().timeIntervalSince1970 * 1000), "sessionID": session,
                  "error": ["name": "UnknownError", "data": ["message": "tool crashed"]]])
    }
}
