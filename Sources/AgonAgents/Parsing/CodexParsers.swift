import AgonCore

/// Codex token usage (`input_tokens` includes `cached_input_tokens`; `output_tokens` includes
/// `reasoning_output_tokens`) → normalised usage. Cache writes (newer CLIs) are treated as part of
/// `input_tokens` too, like OpenAI's other cache counters.
func codexUsage(_ u: JSONValue) -> TokenUsage {
    UsageNormalisation.inclusive(prompt: u["input_tokens"].tokens, cached: u["cached_input_tokens"].tokens,
                                 cacheWrite: u["cache_write_input_tokens"].tokens,
                                 completion: u["output_tokens"].tokens, reasoning: u["reasoning_output_tokens"].tokens)
}

/// Parses `codex exec --json`.
///
/// `turn.completed.usage` is the THREAD's running total (it keeps growing across `exec resume`),
/// so it is a `.usageSnapshot`; a meter seeded with an earlier process's totals therefore does not
/// charge them twice. The stream has no cost and no model name. Non-JSON lines (`# …` comments,
/// `>>> exit N` recorder junk) are counted as malformed and skipped.
public struct CodexExecParser: StreamParser {
    public private(set) var malformedLines = 0
    private var editedItems: Set<String> = []

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        if line.trimmingASCIIWhitespace().isEmpty { return [] }
        guard let o = parseJSONObjectLine(line), let type = o["type"]?.string else {
            malformedLines += 1
            return []
        }
        switch type {
        case "thread.started":
            return o["thread_id"]?.string.map { [.session(id: $0)] } ?? []
        case "turn.completed":
            var events: [AgentEvent] = []
            if let u = o["usage"], u.object != nil { events.append(.usageSnapshot(codexUsage(u), model: nil)) }
            events.append(.turn)
            return events
        case "turn.failed":
            let message = o["error"]?["message"]?.string ?? "turn failed"
            var events: [AgentEvent] = [.result(isError: true, summary: String(message.prefix(500)))]
            if let e = APIErrorClassifier.event(for: message) { events.append(e) }
            return events
        case "error":
            return (o["message"]?.string).flatMap(APIErrorClassifier.event(for:)).map { [$0] } ?? []
        case "item.started", "item.updated", "item.completed":
            return fileEdits(in: o["item"])
        default:
            return []
        }
    }

    public mutating func finish() -> [AgentEvent] { [] }

    private mutating func fileEdits(in item: JSONValue?) -> [AgentEvent] {
        guard let item, item["type"]?.string == "file_change" else { return [] }
        if let id = item["id"]?.string {
            guard !editedItems.contains(id) else { return [] }
            editedItems.insert(id)
        }
        let paths = item["changes"]?.array?.compactMap { $0["path"]?.string } ?? []
        return paths.isEmpty ? [.fileEdit(path: nil)] : paths.map { .fileEdit(path: $0) }
    }
}

/// Parses Codex rollout session files (`~/.codex/sessions/…/rollout-*.jsonl`).
///
/// `event_msg` / `token_count` events carry `info.total_token_usage` (cumulative) → `.usageSnapshot`;
/// `last_token_usage` is the per-call usage and is only used to count turns.
public struct CodexRolloutParser: StreamParser {
    public private(set) var malformedLines = 0
    private var model: String?

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        if line.trimmingASCIIWhitespace().isEmpty { return [] }
        guard let o = parseJSONObjectLine(line), let type = o["type"]?.string else {
            malformedLines += 1
            return []
        }
        let payload = o["payload"]
        switch type {
        case "session_meta":
            var events: [AgentEvent] = []
            if let id = payload?["id"]?.string { events.append(.session(id: id)) }
            if let m = payload?["model"]?.string { model = m; events.append(.model(m)) }
            return events
        case "turn_context":
            guard let m = payload?["model"]?.string, m != model else { return [] }
            model = m
            return [.model(m)]
        case "event_msg":
            guard payload?["type"]?.string == "token_count", let info = payload?["info"], info.object != nil,
                  let total = info["total_token_usage"], total.object != nil else { return [] }
            return [.usageSnapshot(codexUsage(total), model: model), .turn]
        case "response_item":
            let itemType = payload?["type"]?.string
            guard itemType == "function_call" || itemType == "custom_tool_call",
                  payload?["name"]?.string == "apply_patch" else { return [] }
            return [.fileEdit(path: nil)]
        default:
            return []
        }
    }

    public mutating func finish() -> [AgentEvent] { [] }
}
