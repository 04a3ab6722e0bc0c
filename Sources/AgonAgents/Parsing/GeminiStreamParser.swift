import AgonCore

/// Parses `gemini --output-format stream-json` (and the pretty-printed `--output-format json` object).
///
/// Usage exists only in the final stats, so each result is a `.usageSnapshot` (no cost field):
/// - `stats.models.<id>.tokens` (json format): `prompt` includes `cached`; `thoughts` bill as output
///   (→ reasoning); `tool` (tool-use prompt tokens) bill as input.
/// - stream `stats` (0.11): `input_tokens` includes cached (`cached`, newer CLIs), and
///   `total_tokens − input_tokens − output_tokens` is thinking + tool-prompt tokens the old schema
///   does not split; it is counted as reasoning (output rate: never under-charges).
///
/// The stream has no per-call events, so each result counts as one `.turn`.
public struct GeminiStreamParser: StreamParser {
    public private(set) var malformedLines = 0
    private var model: String?
    static let editingTools: Set<String> = ["write_file", "replace", "edit", "smart_edit", "write", "edit_file"]

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        if line.trimmingASCIIWhitespace().isEmpty { return [] }
        guard let o = parseJSONObjectLine(line) else {
            malformedLines += 1
            return []
        }
        switch o["type"]?.string {
        case "init":
            var events: [AgentEvent] = []
            if let id = o["session_id"]?.string { events.append(.session(id: id)) }
            if let m = o["model"]?.string { model = m; events.append(.model(m)) }
            return events
        case "tool_use":
            guard let name = o["tool_name"]?.string, Self.editingTools.contains(name) else { return [] }
            let p = o["parameters"]
            return [.fileEdit(path: p?["file_path"]?.string ?? p?["absolute_path"]?.string ?? p?["path"]?.string)]
        case "error":
            return (o["message"]?.string).flatMap(APIErrorClassifier.event(for:)).map { [$0] } ?? []
        case "result":
            return result(o, isError: o["status"]?.string.map { $0 != "success" } ?? false)
        case nil where o["stats"] != nil || o["response"] != nil || o["error"] != nil:
            return result(o, isError: o["error"].map { !$0.isNull } ?? false) // `--output-format json`
        case nil:
            malformedLines += 1
            return []
        default:
            return []
        }
    }

    public mutating func finish() -> [AgentEvent] { [] }

    private mutating func result(_ o: JSONValue, isError: Bool) -> [AgentEvent] {
        var events: [AgentEvent] = []
        if let sid = o["session_id"]?.string, o["type"] == nil { events.append(.session(id: sid)) }
        if let stats = o["stats"], let usage = Self.usage(stats) {
            events.append(.usageSnapshot(usage.usage, model: usage.model ?? model))
        }
        events.append(.turn)
        let errorText = o["error"]?["message"]?.string ?? o["error"]?.string
        let summary = errorText ?? o["response"]?.string
        events.append(.result(isError: isError, summary: summary.map { String($0.prefix(500)) }))
        if isError, let text = errorText, let e = APIErrorClassifier.event(for: text) { events.append(e) }
        return events
    }

    static func usage(_ stats: JSONValue) -> (usage: TokenUsage, model: String?)? {
        if let models = stats["models"]?.object, !models.isEmpty, models.values.allSatisfy({ $0["tokens"]?.object != nil }) {
            var total = TokenUsage.zero
            for m in models.values {
                let t = m["tokens"]
                let cached = t?["cached"].tokens ?? 0
                total += TokenUsage(input: max(0, (t?["prompt"].tokens ?? 0) - cached) + (t?["tool"].tokens ?? 0),
                                    cachedInput: cached, output: t?["candidates"].tokens ?? 0,
                                    reasoning: t?["thoughts"].tokens ?? 0)
            }
            return (total, models.keys.count == 1 ? models.keys.first : nil)
        }
        guard stats["input_tokens"] != nil || stats["output_tokens"] != nil else { return nil }
        let prompt = stats["input_tokens"].tokens, output = stats["output_tokens"].tokens
        let cached = stats["cached"].tokens
        let uncached = stats["input"]?.count ?? max(0, prompt - cached)
        let reasoning = stats["thoughts"]?.count ?? max(0, stats["total_tokens"].tokens - prompt - output)
        return (TokenUsage(input: uncached, cachedInput: cached, output: output, reasoning: reasoning), nil)
    }
}
