import Foundation

/// `pi --mode json -p`: session header, agent/turn events, `message_end` with usage and cost.
struct PiEmitter: HarnessEmitter {
    let inv: Invocation
    let config: DoubleConfig

    init(inv: Invocation, config: DoubleConfig) { self.inv = inv; self.config = config }

    var model: String { inv.model ?? "claude-sonnet-4-5" }

    func assistant(content: [[String: Any]], usage u: TurnUsage, stop: String, error: String? = nil) -> [String: Any] {
        let costIn = Double(u.input) * config.priceIn, costOut = Double(u.output) * config.priceOut
        var message: [String: Any] = [
            "role": "assistant", "content": content, "api": "anthropic-messages", "provider": "anthropic", "model": model,
            "usage": ["input": u.input, "output": u.output, "cacheRead": 0, "cacheWrite": 0, "totalTokens": u.input + u.output,
                      "cost": ["input": costIn, "output": costOut, "cacheRead": 0, "cacheWrite": 0, "total": costIn + costOut]] as [String: Any],
            "stopReason": stop, "timestamp": Int(Date().timeIntervalSince1970 * 1000)]
        if let error { message["errorMessage"] = error }
        return message
    }

    mutating func start() {
        Out.json(["type": "session", "version": 3, "id": newID(), "timestamp": isoNow(), "cwd": FileManager.default.currentDirectoryPath])
        Out.json(["type": "agent_start"])
        let user: [String: Any] = ["role": "user", "content": [["type": "text", "text": inv.prompt]], "timestamp": 0]
        Out.json(["type": "message_start", "message": user])
        Out.json(["type": "message_end", "message": user])
    }

    mutating func turn(index: Int, usage u: TurnUsage, edits: [Edit]) {
        Out.json(["type": "turn_start"])
        var content: [[String: Any]] = [["type": "text", "text": "Step \(index)."]]
        for (n, edit) in edits.enumerated() {
            content.append(["type": "toolCall", "id": "toolu_\(index)_\(n)", "name": "write",
                            "arguments": ["path": edit.path, "content": edit.content]])
        }
        let message = assistant(content: content, usage: u, stop: edits.isEmpty ? "stop" : "toolUse")
        Out.json(["type": "message_start", "message": message])
        Out.json(["type": "message_end", "message": message])
        for (n, edit) in edits.enumerated() {
            Out.json(["type": "tool_execution_start", "toolCallId": "toolu_\(index)_\(n)", "toolName": "write",
                      "args": ["path": edit.path, "content": edit.content]])
            Out.json(["type": "tool_execution_end", "toolCallId": "toolu_\(index)_\(n)", "toolName": "write",
                      "result": ["content": [["type": "text", "text": "Wrote \(edit.path)"]]], "isError": false])
        }
        Out.json(["type": "turn_end", "message": message, "toolResults": [] as [Any]])
    }

    mutating func finish(total: TurnUsage, turns: Int) {
        Out.json(["type": "agent_end", "messages": [] as [Any]])
    }

    mutating func apiError() {
        Out.json(["type": "turn_start"])
        let message = assistant(content: [], usage: TurnUsage(input: 0, output: 0), stop: "error",
                                error: "429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Rate limit exceeded\"}}")
        Out.json(["type": "message_start", "message": message])
        Out.json(["type": "message_end", "message": message])
        Out.json(["type": "turn_end", "message": message, "toolResults": [] as [Any]])
        Out.json(["type": "agent_end", "messages": [] as [Any], "willRetry": false])
    }

    mutating func fail() {
        let message = assistant(content: [], usage: TurnUsage(input: 0, output: 0), stop: "error", error: "Tool execution failed")
        Out.json(["type": "message_end", "message": message])
        Out.json(["type": "agent_end", "messages": [] as [Any]])
    }
}
