import AgonCore

/// Parses `claude -p --output-format stream-json --verbose` (and the single-object `--output-format json`).
///
/// Usage rules (fixtures and SOURCES.md §1):
/// - Each content block arrives as its own `assistant` line repeating the same `message.id` and
///   usage; `output_tokens` there is a streaming snapshot. Per id the parser keeps the
///   component-wise max and emits only growth as `.usage` deltas, so the live meter sees input and
///   cache tokens at once and nothing is counted twice. Each new id is one model call (`.turn`).
/// - A `result` line carries the authoritative totals. `modelUsage` is CUMULATIVE for the process
///   and covers every model (background haiku calls included); `result.usage` is the last prompt's
///   main-model usage only. So the snapshot is the sum over `modelUsage`; when `modelUsage` is
///   absent or empty the parser sums `result.usage` over the results seen so far instead.
///   `thinkingTokens` / `output_tokens_details.thinking_tokens` move from output to reasoning.
/// - `total_cost_usd` is the process's running total → `.reportedCost(cumulative: true)`.
/// - `<synthetic>` assistant messages (local slash commands) carry zero usage and are not charged.
/// - Anthropic's `input_tokens` excludes cache tokens: input = input_tokens,
///   cachedInput = cache_read_input_tokens, cacheWrite = cache_creation_input_tokens.
public struct ClaudeStreamParser: StreamParser {
    public private(set) var malformedLines = 0
    private var usageByMessage: [String: TokenUsage] = [:]
    private var resultUsageSum = TokenUsage.zero
    private var mirror = MeterMirror()
    private var model: String?
    static let editingTools: Set<String> = ["Edit", "Write", "MultiEdit", "NotebookEdit"]

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        withLineBytes(line) { base, count -> [AgentEvent] in
            var start = 0
            while start < count, base[start] == 0x20 || base[start] == 0x09 || base[start] == 0x0D { start += 1 }
            if start == count { return [] }
            guard let object = RawJSONObject(base: base + start, count: count - start) else {
                malformedLines += 1
                return []
            }
            return handle(object)
        }
    }

    public mutating func finish() -> [AgentEvent] { [] }

    private mutating func handle(_ o: RawJSONObject) -> [AgentEvent] {
        // Cheap byte comparisons first: most lines (user tool results, thinking-token estimates)
        // carry nothing to meter and are never decoded.
        if o.valueEquals("type", string: "assistant") { return assistant(o) }
        if o.valueEquals("type", string: "result") { return result(o) }
        if o.valueEquals("type", string: "system") {
            guard o.valueEquals("subtype", string: "init") else { return [] }
            var events: [AgentEvent] = []
            if let id = o.string("session_id") { events.append(.session(id: id)) }
            if let m = o.string("model") { model = m; events.append(.model(m)) }
            return events
        }
        if o.valueEquals("type", string: "rate_limit_event") {
            guard let info = o.value("rate_limit_info"), info["status"]?.string == "rejected" else { return [] }
            return [.apiError(kind: .rateLimit, message: "rate limit reached (\(info["rateLimitType"]?.string ?? "unknown window"))")]
        }
        if o.range(of: "type") == nil { malformedLines += 1 }
        return []
    }

    private mutating func assistant(_ o: RawJSONObject) -> [AgentEvent] {
        guard let message = o.value("message"), message.object != nil else {
            malformedLines += 1
            return []
        }
        var events: [AgentEvent] = []
        let messageModel = message["model"]?.string
        if let u = message["usage"], u.object != nil, messageModel != "<synthetic>" {
            let usage = Self.anthropicUsage(u)
            let id = message["id"]?.string
            let previous = id.flatMap { usageByMessage[$0] }
            let grown = UsageNormalisation.max(previous ?? .zero, usage)
            if let id { usageByMessage[id] = grown }
            let delta = grown - (previous ?? .zero)
            if previous == nil { events.append(.turn) }
            if !delta.isZero {
                mirror.add(delta)
                events.append(.usage(delta, model: messageModel ?? model))
            }
        }
        if let content = message["content"]?.array {
            for block in content where block["type"]?.string == "tool_use" {
                guard let name = block["name"]?.string, Self.editingTools.contains(name) else { continue }
                let input = block["input"]
                events.append(.fileEdit(path: input?["file_path"]?.string ?? input?["notebook_path"]?.string))
            }
        }
        if o.value("isApiErrorMessage")?.bool == true || o.value("error")?.string != nil {
            let text = message["content"]?.array?.compactMap { $0["text"]?.string }.joined(separator: " ") ?? ""
            let hint = o.value("error")?.string ?? ""
            if let e = APIErrorClassifier.event(for: hint + " " + text) { events.append(e) }
        }
        return events
    }

    private mutating func result(_ o: RawJSONObject) -> [AgentEvent] {
        var events: [AgentEvent] = []
        let usage = o.value("usage")
        if let u = usage, u.object != nil { resultUsageSum += Self.anthropicUsage(u) }
        var authoritative = resultUsageSum
        if let models = o.value("modelUsage")?.object, !models.isEmpty {
            authoritative = .zero
            for m in models.values {
                let output = m["outputTokens"].tokens, thinking = min(m["thinkingTokens"].tokens, output)
                authoritative += TokenUsage(input: m["inputTokens"].tokens, cachedInput: m["cacheReadInputTokens"].tokens,
                                            cacheWrite: m["cacheCreationInputTokens"].tokens,
                                            output: output - thinking, reasoning: thinking)
            }
        }
        if !authoritative.isZero {
            events.append(.usageSnapshot(mirror.reconcile(authoritative), model: model))
        }
        if let cost = o.value("total_cost_usd")?.double, cost >= 0 {
            events.append(.reportedCost(usd: cost, cumulative: true))
        }
        let text = o.value("result")?.string
        let isError = o.value("is_error")?.bool ?? !o.valueEquals("subtype", string: "success")
        events.append(.result(isError: isError, summary: text.map { String($0.prefix(500)) }))
        if isError {
            let detail = text ?? o.value("subtype")?.string ?? ""
            if let e = APIErrorClassifier.event(for: detail) { events.append(e) }
        }
        return events
    }

    /// Anthropic usage object → normalised usage (input excludes cache; thinking split out when reported).
    static func anthropicUsage(_ u: JSONValue) -> TokenUsage {
        let output = u["output_tokens"].tokens
        let thinking = min(u["output_tokens_details"]?["thinking_tokens"].tokens ?? 0, output)
        return TokenUsage(input: u["input_tokens"].tokens, cachedInput: u["cache_read_input_tokens"].tokens,
                          cacheWrite: u["cache_creation_input_tokens"].tokens,
                          output: output - thinking, reasoning: thinking)
    }
}
