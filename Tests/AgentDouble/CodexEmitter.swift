import Foundation

/// `codex exec --json`: usage only at `turn.completed`, as the thread's running total; the
/// rollout file under `$CODEX_HOME/sessions/YYYY/MM/DD/` gets a `token_count` per model call.
struct CodexEmitter: HarnessEmitter {
    let inv: Invocation
    let config: DoubleConfig
    let thread: String
    var rollout: FileHandle?
    var running = TurnUsage(input: 0, output: 0)
    /// `exec resume THREAD`: like the real CLI, it appends to the thread's rollout and its usage
    /// continues the thread's running total.
    let resumed: Bool

    init(inv: Invocation, config: DoubleConfig, env: [String: String]) {
        self.inv = inv
        self.config = config
        thread = inv.resumeSession ?? newID()
        resumed = inv.resumeSession != nil
        let home = env["CODEX_HOME"] ?? (env["HOME"] ?? "/tmp") + "/.codex"
        if let id = inv.resumeSession {
            guard let path = Self.rolloutPath(of: id, home: home) else {
                Out.err("Error: thread/session not found: \(id)")
                exit(1)
            }
            rollout = FileHandle(forUpdatingAtPath: path)
            running = Self.lastTotal(path)
            rollout?.seekToEndOfFile()
            return
        }
        let now = Date()
        let day = DateFormatter()
        day.dateFormat = "yyyy/MM/dd"
        let stamp = DateFormatter()
        stamp.dateFormat = "yyyy-MM-dd'T'HH-mm-ss"
        let dir = "\(home)/sessions/\(day.string(from: now))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = "\(dir)/rollout-\(stamp.string(from: now))-\(thread).jsonl"
        FileManager.default.createFile(atPath: path, contents: nil)
        rollout = FileHandle(forWritingAtPath: path)
    }

    static func rolloutPath(of thread: String, home: String) -> String? {
        let sessions = home + "/sessions"
        guard let walker = FileManager.default.enumerator(atPath: sessions) else { return nil }
        while let rel = walker.nextObject() as? String {
            if rel.hasSuffix("-\(thread).jsonl") { return sessions + "/" + rel }
        }
        return nil
    }

    /// The last `total_token_usage` in a rollout.
    static func lastTotal(_ path: String) -> TurnUsage {
        var total = TurnUsage(input: 0, output: 0)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let payload = o["payload"] as? [String: Any], let info = payload["info"] as? [String: Any],
                  let t = info["total_token_usage"] as? [String: Any] else { continue }
            total = TurnUsage(input: t["input_tokens"] as? Int ?? 0, output: t["output_tokens"] as? Int ?? 0)
        }
        return total
    }

    func record(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        rollout?.write(data + Data("\n".utf8))
    }

    func usage(_ u: TurnUsage) -> [String: Any] {
        ["input_tokens": u.input, "cached_input_tokens": 0, "output_tokens": u.output,
         "reasoning_output_tokens": 0, "total_tokens": u.input + u.output]
    }

    mutating func start() {
        if resumed {
            Out.json(["type": "thread.started", "thread_id": thread])
            return
        }
        record(["timestamp": isoNow(), "type": "session_meta",
                "payload": ["id": thread, "source": "exec", "model_provider": "openai", "cwd": FileManager.default.currentDirectoryPath]])
        Out.json(["type": "thread.started", "thread_id": thread])
    }

    mutating func turn(index: Int, usage u: TurnUsage, edits: [Edit]) {
        Out.json(["type": "turn.started"])
        Out.json(["type": "item.completed", "item": ["id": "item_\(index * 3)", "type": "reasoning", "text": "**Planning step \(index)**"]])
        if !edits.isEmpty {
            Out.json(["type": "item.completed", "item": ["id": "item_\(index * 3 + 1)", "type": "file_change", "status": "completed",
                                                          "changes": edits.map { ["path": $0.absolutePath, "kind": "update"] }] as [String: Any]])
        }
        running.input += u.input
        running.output += u.output
        record(["timestamp": isoNow(), "type": "event_msg",
                "payload": ["type": "token_count", "rate_limits": NSNull(),
                            "info": ["total_token_usage": usage(running), "last_token_usage": usage(u),
                                     "model_context_window": 272000] as [String: Any]] as [String: Any]])
        Out.json(["type": "item.completed", "item": ["id": "item_\(index * 3 + 2)", "type": "agent_message", "text": "Step \(index) done."]])
        Out.json(["type": "turn.completed", "usage": ["input_tokens": running.input, "cached_input_tokens": 0,
                                                       "output_tokens": running.output]])
    }

    mutating func finish(total: TurnUsage, turns: Int) {}

    mutating func apiError() {
        let message = "stream error: exceeded retry limit, last status: 429 Too Many Requests, request id: req_double"
        Out.json(["type": "error", "message": message])
        Out.json(["type": "turn.failed", "error": ["message": message]])
    }

    mutating func fail() {
        Out.json(["type": "turn.started"])
        Out.json(["type": "turn.failed", "error": ["message": "sandbox error: command was killed by a signal"]])
    }
}
