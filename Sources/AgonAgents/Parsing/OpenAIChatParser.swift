import AgonCore
import Foundation

/// OpenAI chat-completions usage → normalised usage. `prompt_tokens` includes cached tokens
/// (`prompt_tokens_details.cached_tokens`, or DeepSeek's `prompt_cache_hit_tokens`);
/// `completion_tokens` includes `completion_tokens_details.reasoning_tokens`.
func openAIChatUsage(_ u: JSONValue) -> TokenUsage {
    let cached = u["prompt_tokens_details"]?["cached_tokens"]?.count ?? u["prompt_cache_hit_tokens"].tokens
    return UsageNormalisation.inclusive(prompt: u["prompt_tokens"].tokens, cached: cached,
                                        completion: u["completion_tokens"].tokens,
                                        reasoning: u["completion_tokens_details"]?["reasoning_tokens"].tokens ?? 0)
}

/// Parses OpenAI-compatible chat completions: SSE streams (`data: {…}` lines, `data: [DONE]`,
/// usage in the final chunk with `stream_options.include_usage`, or on the `finish_reason` chunk
/// for DeepSeek) and non-streaming response bodies (pass the whole, possibly pretty-printed,
/// object as one line, or use `parseOpenAIChatResponse(data:)`).
///
/// Usage is per response; should a provider repeat growing usage on several chunks of one
/// response, the parser keeps the max per response `id` and emits only growth.
public struct OpenAIChatParser: StreamParser {
    public private(set) var malformedLines = 0
    private var usageByResponse: [String: TokenUsage] = [:]
    private var model: String?

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        var text = line.trimmingASCIIWhitespace()
        if text.isEmpty || text.hasPrefix(":") || text.hasPrefix("event:") || text.hasPrefix("id:") || text.hasPrefix("retry:") {
            return []
        }
        if text.hasPrefix("data:") {
            text = text.dropFirst(5).trimmingASCIIWhitespace()
            if text == "[DONE]" { return [] }
        }
        guard let o = parseJSONObjectLine(text) else {
            malformedLines += 1
            return []
        }
        var events: [AgentEvent] = []
        if let err = o["error"], !err.isNull {
            let message = err["message"]?.string ?? err.string ?? "API error"
            let code = err["code"]?.string ?? err["type"]?.string ?? ""
            events.append(.apiError(kind: APIErrorClassifier.classify(text: code + " " + message) ?? .other,
                                    message: String(message.prefix(500))))
            return events
        }
        if let m = o["model"]?.string, m != model {
            model = m
            events.append(.model(m))
        }
        if let u = o["usage"], u.object != nil {
            let usage = openAIChatUsage(u)
            let key = o["id"]?.string ?? ""
            let previous = usageByResponse[key] ?? .zero
            let grown = UsageNormalisation.max(previous, usage)
            usageByResponse[key] = grown
            let delta = grown - previous
            if !delta.isZero { events.append(.usage(delta, model: model)) }
            if previous.isZero { events.append(.turn) }
        }
        return events
    }

    public mutating func finish() -> [AgentEvent] { [] }
}

/// A non-streaming chat-completions response could not be read.
public struct OpenAIChatResponseError: Error, CustomStringConvertible {
    public let description: String
}

/// Reads a non-streaming chat-completions response body: the first choice's message content,
/// the normalised usage (zero when the body has none) and the model.
public func parseOpenAIChatResponse(data: Data) throws -> (content: String?, usage: TokenUsage, model: String?) {
    let text = String(decoding: data, as: UTF8.self)
    guard let body = JSONValue.parse(text), body.object != nil else {
        throw OpenAIChatResponseError(description: "chat completion response is not a JSON object (\(data.count) bytes)")
    }
    if let err = body["error"], !err.isNull {
        let message = err["message"]?.string ?? err.string ?? "unknown error"
        throw OpenAIChatResponseError(description: "chat completion failed: \(message.prefix(300))")
    }
    let first = body["choices"]?.array?.first
    let content = first?["message"]?["content"]?.string ?? first?["text"]?.string
    let usage = body["usage"].flatMap { $0.object != nil ? openAIChatUsage($0) : nil } ?? .zero
    return (content, usage, body["model"]?.string)
}
