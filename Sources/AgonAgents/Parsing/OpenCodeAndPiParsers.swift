import AgonCore

/// Parses `opencode run --format json`.
///
/// Each `step_finish` is one model step: `part.tokens` (`input` already excludes cache reads,
/// `cache.read`/`cache.write`, `output`, `reasoning`) is a `.usage` delta and `part.cost` a
/// `.reportedCost` delta; the run total is the sum over steps.
public struct OpenCodeParser: StreamParser {
    public private(set) var malformedLines = 0
    private var sessionID: String?
    private var editCalls: Set<String> = []
    static let editingTools: Set<String> = ["edit", "write", "patch", "multiedit", "apply_patch"]

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        if line.trimmingASCIIWhitespace().isEmpty { return [] }
        guard let o = parseJSONObjectLine(line), let type = o["type"]?.string else {
            malformedLines += 1
            return []
        }
        var events: [AgentEvent] = []
        if sessionID == nil, let sid = o["sessionID"]?.string ?? o["part"]?["sessionID"]?.string {
            sessionID = sid
            events.append(.session(id: sid))
        }
        let part = o["part"]
        switch type {
        case "step_finish":
            if let t = part?["tokens"], t.object != nil {
                let usage = TokenUsage(input: t["input"].tokens, cachedInput: t["cache"]?["read"].tokens ?? 0,
                                       cacheWrite: t["cache"]?["write"].tokens ?? 0, output: t["output"].tokens,
                                       reasoning: t["reasoning"].tokens)
                if !usage.isZero { events.append(.usage(usage, model: nil)) }
            }
            if let cost = part?["cost"]?.double, cost > 0 { events.append(.reportedCost(usd: cost, cumulative: false)) }
            events.append(.turn)
        case "tool_use":
            guard let tool = part?["tool"]?.string, Self.editingTools.contains(tool) else { break }
            let callID = part?["callID"]?.string ?? part?["id"]?.string
            if let callID {
                guard !editCalls.contains(callID) else { break }
                editCalls.insert(callID)
            }
            let input = part?["state"]?["input"]
            events.append(.fileEdit(path: input?["filePath"]?.string ?? input?["path"]?.string))
        case "error":
            let err = o["error"]
            let text = err?["data"]?["message"]?.string ?? err?["message"]?.string ?? err?["name"]?.string ?? ""
            if let e = APIErrorClassifier.event(for: text) { events.append(e) }
        default:
            break
        }
        return events
    }

    public mutating func finish() -> [AgentEvent] { [] }
}

/// Parses `pi --mode json` stdout and pi session files (same message shape).
///
/// Each assistant `message_end` (or session-file `message`) carries that call's `usage`
/// (`input` excludes cache, `cacheRead`, `cacheWrite`, `output`, `cost.total`) → `.usage` and
/// `.reportedCost` deltas. File edits come from `tool_execution_start` in stdout, or from the
/// message's `toolCall` blocks in session files (which have no execution events).
public struct PiParser: StreamParser {
    public private(set) var malformedLines = 0
    private var model: String?
    private var lastStopReason: String?
    private var lastError: String?
    static let editingTools: Set<String> = ["edit", "write", "multiedit", "apply_patch"]

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        if line.trimmingASCIIWhitespace().isEmpty { return [] }
        guard let o = parseJSONObjectLine(line), let type = o["type"]?.string else {
            malformedLines += 1
            return []
        }
        switch type {
        case "session":
            var events: [AgentEvent] = []
            if let id = o["id"]?.string { events.append(.session(id: id)) }
            if let m = o["modelId"]?.string ?? o["model"]?.string { model = m; events.append(.model(m)) }
            return events
        case "model_change":
            guard let m = o["modelId"]?.string else { return [] }
            model = m
            return [.model(m)]
        case "message_end":
            return message(o["message"], includeToolCalls: false)
        case "message":
            return message(o["message"], includeToolCalls: true)
        case "agent_end":
            let failed = lastStopReason == "error"
            return [.result(isError: failed, summary: failed ? lastError.map { String($0.prefix(500)) } : nil)]
        case "tool_execution_start":
            guard let name = o["toolName"]?.string, Self.editingTools.contains(name) else { return [] }
            return [.fileEdit(path: o["args"]?["path"]?.string ?? o["args"]?["file_path"]?.string)]
        default:
            return []
        }
    }

    public mutating func finish() -> [AgentEvent] { [] }

    private mutating func message(_ m: JSONValue?, includeToolCalls: Bool) -> [AgentEvent] {
        guard let m, m["role"]?.string == "assistant" else { return [] }
        lastStopReason = m["stopReason"]?.string
        lastError = m["errorMessage"]?.string
        var events: [AgentEvent] = []
        if let u = m["usage"], u.object != nil {
            let usage = TokenUsage(input: u["input"].tokens, cachedInput: u["cacheRead"].tokens,
                                   cacheWrite: u["cacheWrite"].tokens, output: u["output"].tokens)
            if !usage.isZero { events.append(.usage(usage, model: m["model"]?.string ?? model)) }
            if let cost = u["cost"]?["total"]?.double, cost > 0 { events.append(.reportedCost(usd: cost, cumulative: false)) }
        }
        events.append(.turn)
        if includeToolCalls, let content = m["content"]?.array {
            for block in content where block["type"]?.string == "toolCall" {
                guard let name = block["name"]?.string, Self.editingTools.contains(name) else { continue }
                events.append(.fileEdit(path: block["arguments"]?["path"]?.string))
            }
        }
        if m["stopReason"]?.string == "error", let text = m["errorMessage"]?.string {
            if let e = APIErrorClassifier.event(for: text) { events.append(e) }
        }
        return events
    }
}
