import Foundation

/// `claude -p --output-format stream-json --verbose`: one assistant line per content block,
/// repeating `message.id` and identical usage; `result` carries `total_cost_usd`.
struct ClaudeEmitter: HarnessEmitter {
    let inv: Invocation
    let config: DoubleConfig
    let session: String
    var model: String { inv.model ?? "claude-sonnet-4-5-20250929" }

    /// `--resume ID` continues that session (the real CLI keeps its id).
    init(inv: Invocation, config: DoubleConfig) {
        self.inv = inv
        self.config = config
        session = inv.resumeSession ?? newID()
    }

    func usage(_ u: TurnUsage) -> [String: Any] {
        ["input_tokens": u.input, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
         "output_tokens": u.output, "service_tier": "standard"]
    }

    func assistant(id: String, _ block: [String: Any], _ u: TurnUsage) {
        Out.json(["type": "assistant", "parent_tool_use_id": NSNull(), "session_id": session, "uuid": newID(),
                  "message": ["model": model, "id": id, "type": "message", "role": "assistant", "content": [block],
                              "stop_reason": NSNull(), "stop_sequence": NSNull(), "usage": usage(u)] as [String: Any]])
    }

    /// Where the real CLI keeps the session: `$HOME/.claude/projects/<cwd, / and . as ->/<id>.jsonl`.
    static func sessionFile(_ id: String) -> String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"
        let project = FileManager.default.currentDirectoryPath.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-")
        return "\(home)/.claude/projects/\(project)/\(id).jsonl"
    }

    mutating func start() {
        // Like the real CLI: `--resume` of a session it has no file of fails; every run records its session.
        let file = Self.sessionFile(session)
        if inv.resumeSession != nil && !FileManager.default.fileExists(atPath: file) {
            Out.err("No conversation found with session ID: \(session)")
            exit(1)
        }
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: file) { FileManager.default.createFile(atPath: file, contents: nil) }
        if let handle = FileHandle(forWritingAtPath: file) {
            handle.seekToEndOfFile()
            handle.write(Data("{\"type\":\"user\",\"sessionId\":\"\(session)\"}\n".utf8))
            try? handle.close()
        }
        Out.json(["type": "system", "subtype": "init", "cwd": FileManager.default.currentDirectoryPath,
                  "session_id": session, "tools": ["Bash", "Edit", "Read", "Write"], "mcp_servers": [] as [Any],
                  "model": model, "permissionMode": "bypassPermissions", "apiKeySource": "none",
                  "claude_code_version": "2.1.7", "uuid": newID()])
    }

    mutating func turn(index: Int, usage u: TurnUsage, edits: [Edit]) {
        let id = "msg_01Double\(index)"
        assistant(id: id, ["type": "text", "text": "Working on step \(index)."], u)
        for (n, edit) in edits.enumerated() {
            let toolID = "toolu_01Double\(index)_\(n)"
            assistant(id: id, ["type": "tool_use", "id": toolID, "name": "Write",
                               "input": ["file_path": edit.absolutePath, "content": edit.content]], u)
            Out.json(["type": "user", "session_id": session, "uuid": newID(), "parent_tool_use_id": NSNull(),
                      "message": ["role": "user", "content": [["tool_use_id": toolID, "type": "tool_result",
                                                               "content": "File written"]]] as [String: Any]])
        }
    }

    /// The session's totals before this process (the last `result` line recorded in its session file).
    func earlierTotals() -> (usage: TurnUsage, cost: Double) {
        var totals = (usage: TurnUsage(input: 0, output: 0), cost: 0.0)
        let text = (try? String(contentsOfFile: Self.sessionFile(session), encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["type"] as? String == "totals" else { continue }
            totals = (TurnUsage(input: o["input"] as? Int ?? 0, output: o["output"] as? Int ?? 0), o["cost"] as? Double ?? 0)
        }
        return totals
    }

    /// Like the real CLI, a resumed session's `result` carries the SESSION's running totals
    /// (`modelUsage`, `total_cost_usd`), earlier processes included.
    mutating func finish(total thisProcess: TurnUsage, turns: Int) {
        let earlier = earlierTotals()
        let total = TurnUsage(input: earlier.usage.input + thisProcess.input, output: earlier.usage.output + thisProcess.output)
        let cost = earlier.cost + config.cost(input: thisProcess.input, output: thisProcess.output)
        if let handle = FileHandle(forWritingAtPath: Self.sessionFile(session)),
           let line = try? JSONSerialization.data(withJSONObject: ["type": "totals", "input": total.input, "output": total.output, "cost": cost]) {
            handle.seekToEndOfFile()
            handle.write(line + Data("\n".utf8))
            try? handle.close()
        }
        Out.json(["type": "result", "subtype": "success", "is_error": false, "duration_ms": 1200,
                  "duration_api_ms": 1100, "num_turns": turns, "result": "Done.", "session_id": session,
                  "total_cost_usd": cost, "usage": usage(total),
                  "modelUsage": [model: ["inputTokens": total.input, "outputTokens": total.output,
                                         "cacheReadInputTokens": 0, "cacheCreationInputTokens": 0, "costUSD": cost]],
                  "permission_denials": [] as [Any], "uuid": newID()])
    }

    mutating func apiError() {
        let text = "API Error: 429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request would exceed the rate limit for your organization of 50 requests per minute.\"}}"
        assistant(id: "msg_01DoubleErr", ["type": "text", "text": text], TurnUsage(input: 0, output: 0))
        Out.json(["type": "result", "subtype": "success", "is_error": true, "duration_ms": 300, "num_turns": 1,
                  "result": text, "session_id": session, "total_cost_usd": 0, "uuid": newID()])
    }

    mutating func fail() {
        Out.json(["type": "result", "subtype": "error_during_execution", "is_error": true, "duration_ms": 300,
                  "num_turns": 1, "session_id": session, "total_cost_usd": 0, "uuid": newID()])
    }
}
