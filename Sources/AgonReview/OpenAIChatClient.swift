import AgonCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One chat message.
public struct ChatMessage: Codable, Equatable, Sendable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }
}

extension ReviewPacket {
    /// The packet as chat messages: instructions as the system message, the body as the user message.
    public var messages: [ChatMessage] { [.system(instructions), .user(body)] }

    /// The verdict schema for `response_format`.
    public var responseSchema: ResponseSchema { ResponseSchema(name: VerdictSchema.name, json: schemaJSON, strict: true) }
}

/// A JSON Schema for OpenAI's `response_format: {type: json_schema, …}`.
public struct ResponseSchema: Equatable, Sendable {
    public var name: String
    /// The schema itself, as JSON text.
    public var json: String
    public var strict: Bool

    public init(name: String, json: String, strict: Bool = true) {
        self.name = name
        self.json = json
        self.strict = strict
    }
}

/// One chat-completions call.
public struct ChatRequest: Equatable, Sendable {
    public var model: String
    public var messages: [ChatMessage]
    /// Requested as `response_format: json_schema` when set.
    public var schema: ResponseSchema?
    public var temperature: Double
    public var maxTokens: Int?

    public init(model: String, messages: [ChatMessage], schema: ResponseSchema? = nil, temperature: Double = 0, maxTokens: Int? = nil) {
        self.model = model
        self.messages = messages
        self.schema = schema
        self.temperature = temperature
        self.maxTokens = maxTokens
    }
}

/// What the server answered.
public struct ChatCompletion: Equatable, Sendable {
    /// Which `response_format` the successful request carried.
    public enum ResponseFormat: String, Equatable, Comparable, Sendable {
        case jsonSchema = "json_schema"
        /// `{"type": "json_object"}`: the server refused `json_schema` (llama-cpp-python and others).
        case jsonObject = "json_object"
        /// None: the server refused both; the prompt alone asks for JSON.
        case none

        /// The next weaker format to try after a refusal.
        var fallback: ResponseFormat? {
            switch self {
            case .jsonSchema: return .jsonObject
            case .jsonObject: return ResponseFormat.none
            case .none: return nil
            }
        }

        private var strength: Int { self == .jsonSchema ? 2 : (self == .jsonObject ? 1 : 0) }
        public static func < (a: ResponseFormat, b: ResponseFormat) -> Bool { a.strength < b.strength }
    }

    public var content: String
    /// Normalised: `input` excludes cached prompt tokens, `output` excludes reasoning tokens.
    public var usage: TokenUsage
    /// False when the response carried no `usage` object (the cost is then unknown, not zero).
    public var usageReported: Bool
    /// The model the server says answered (may differ from the one requested).
    public var model: String
    public var finishReason: String?
    public var responseFormat: ResponseFormat
    /// The raw response body, for the run directory.
    public var rawResponse: Data
}

/// A failed chat-completions call; the message names the endpoint and what went wrong.
public struct OpenAIChatError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Broad category, for deciding whether to retry.
    public enum Kind: Equatable, Sendable {
        case http(status: Int)
        case timeout
        case transport
        case malformedResponse
        case emptyReply
    }

    public var kind: Kind
    public var message: String

    public var description: String { message }
    public var errorDescription: String? { message }
}

/// Hands the URLSession callback's result to the waiting thread (the semaphore orders the accesses).
private final class ReplySlot: @unchecked Sendable {
    var value: Result<(status: Int, data: Data), OpenAIChatError>?
}

/// What the servers behind each endpoint have refused, shared by every client of a run so that a
/// refusal is paid for once per base URL, not once per verifier and attempt.
public final class ChatServerMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var formats: [String: ChatCompletion.ResponseFormat] = [:]
    private var noMaxTokens: Set<String> = []

    public init() {}

    /// The strongest `response_format` not yet refused by `endpoint`.
    func format(for endpoint: String) -> ChatCompletion.ResponseFormat {
        lock.lock(); defer { lock.unlock() }
        return formats[endpoint] ?? .jsonSchema
    }

    func refused(_ format: ChatCompletion.ResponseFormat, by endpoint: String) {
        lock.lock(); defer { lock.unlock() }
        if let next = format.fallback { formats[endpoint] = min(next, formats[endpoint] ?? .jsonSchema) }
    }

    func refusesMaxTokens(_ endpoint: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return noMaxTokens.contains(endpoint)
    }

    func refusedMaxTokens(by endpoint: String) {
        lock.lock(); noMaxTokens.insert(endpoint); lock.unlock()
    }
}

/// Client for OpenAI-compatible `POST {base_url}/chat/completions` (OpenAI, vLLM, llama.cpp, Ollama, …).
///
/// Requests use temperature 0 and, when a schema is given, `response_format: json_schema`. A server
/// that answers 4xx/5xx naming `response_format` (or `json_schema`/`json_object`) is asked again with
/// `json_object`, then with no `response_format` at all (the prompt asks for JSON anyway); one that
/// refuses `max_tokens` (OpenAI's reasoning models) is asked again without it. What a base URL
/// refused is remembered in the `ChatServerMemory` (one per run) so later requests skip it. The API
/// key is passed in by the caller (read from the env var named by `api_key_env`), sent as a Bearer token.
public final class OpenAIChatClient: @unchecked Sendable {
    public let baseURL: URL
    public let timeout: TimeInterval
    private let apiKey: String?
    private let session: URLSession
    public let memory: ChatServerMemory

    /// Whether this endpoint has refused `response_format: json_schema` (later requests skip it).
    public var schemaRejected: Bool { memory.format(for: endpoint.absoluteString) != .jsonSchema }

    public init(baseURL: URL, apiKey: String?, timeout: TimeInterval = 300, memory: ChatServerMemory = ChatServerMemory()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.timeout = timeout
        self.memory = memory
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        session = URLSession(configuration: config)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// `{base_url}/chat/completions` (a trailing slash on the base is ignored).
    public var endpoint: URL {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + "/chat/completions") ?? baseURL.appendingPathComponent("chat/completions")
    }

    /// Performs the request, blocking the calling thread (the pipeline runs verifiers on worker threads).
    public func complete(_ request: ChatRequest) throws -> ChatCompletion {
        let url = endpoint.absoluteString
        var format: ChatCompletion.ResponseFormat = request.schema == nil ? .none : memory.format(for: url)
        // At most: two format downgrades and one max_tokens drop.
        for _ in 0..<4 {
            let withMaxTokens = request.maxTokens != nil && !memory.refusesMaxTokens(url)
            let reply = try send(OpenAIChatClient.body(for: request, format: format, includeMaxTokens: withMaxTokens))
            if reply.status >= 400 {
                if format != .none, OpenAIChatClient.rejectsResponseFormat(reply.data), let next = format.fallback {
                    memory.refused(format, by: url)
                    format = next
                    continue
                }
                if withMaxTokens, reply.status < 500, OpenAIChatClient.rejectsMaxTokens(reply.data) {
                    memory.refusedMaxTokens(by: url)
                    continue
                }
            }
            return try finish(reply, format: format)
        }
        throw OpenAIChatError(kind: .http(status: 400), message: "\(url) refused every request format Agon can send")
    }

    /// Async face of `complete(_:)`, run on a global queue.
    public func complete(_ request: ChatRequest) async throws -> ChatCompletion {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.complete(request) })
            }
        }
    }

    private func finish(_ reply: (status: Int, data: Data), format: ChatCompletion.ResponseFormat) throws -> ChatCompletion {
        guard (200..<300).contains(reply.status) else {
            throw OpenAIChatError(kind: .http(status: reply.status),
                                  message: "\(endpoint.absoluteString) answered HTTP \(reply.status): \(OpenAIChatClient.snippet(reply.data))")
        }
        return try OpenAIChatClient.parse(reply.data, format: format, endpoint: endpoint.absoluteString)
    }

    private func send(_ body: Data) throws -> (status: Int, data: Data) {
        var req = URLRequest(url: endpoint, timeoutInterval: timeout)
        req.httpMethod = "POST"
        req.httpBody = body
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.setValue("application/json", forHTTPHeaderField: "Accept")
        if let key = apiKey, !key.isEmpty { req.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }

        let done = DispatchSemaphore(value: 0)
        let reply = ReplySlot()
        let url = endpoint.absoluteString
        let timeout = self.timeout
        let task = session.dataTask(with: req) { data, response, error in
            if let error = error as? URLError {
                reply.value = .failure(error.code == .timedOut
                    ? OpenAIChatError(kind: .timeout, message: "\(url) did not answer within \(Int(timeout)) s")
                    : OpenAIChatError(kind: .transport, message: "\(url): \(error.localizedDescription)"))
            } else if let error {
                reply.value = .failure(OpenAIChatError(kind: .transport, message: "\(url): \(error.localizedDescription)"))
            } else {
                reply.value = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }
        task.resume()
        // URLSession enforces the timeout; this outer wait is only a backstop against a lost callback.
        if done.wait(timeout: .now() + timeout + 30) == .timedOut {
            task.cancel()
            throw OpenAIChatError(kind: .timeout, message: "\(url) did not answer within \(Int(timeout)) s")
        }
        guard let result = reply.value else {
            throw OpenAIChatError(kind: .transport, message: "\(url): the request finished without a response")
        }
        return try result.get()
    }

    // MARK: - Pure helpers (tested without a server)

    /// The JSON request body with (`true`) or without any `response_format`.
    public static func body(for request: ChatRequest, includeSchema: Bool) throws -> Data {
        try body(for: request, format: includeSchema ? .jsonSchema : .none, includeMaxTokens: true)
    }

    /// The JSON request body for one `response_format` (`json_schema` only when the request has a schema).
    public static func body(for request: ChatRequest, format: ChatCompletion.ResponseFormat, includeMaxTokens: Bool) throws -> Data {
        var body: [String: Any] = [
            "model": request.model,
            "messages": request.messages.map { ["role": $0.role, "content": $0.content] },
            "temperature": request.temperature,
            "stream": false,
        ]
        if includeMaxTokens, let max = request.maxTokens { body["max_tokens"] = max }
        if format == .jsonObject {
            body["response_format"] = ["type": "json_object"]
        } else if format == .jsonSchema, let schema = request.schema {
            guard let schemaObject = try? JSONSerialization.jsonObject(with: Data(schema.json.utf8)) else {
                throw OpenAIChatError(kind: .malformedResponse, message: "response schema \(schema.name) is not valid JSON")
            }
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": ["name": schema.name, "schema": schemaObject, "strict": schema.strict] as [String: Any],
            ]
        }
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    /// Whether an error body says the server does not accept our `response_format`
    /// (llama-cpp-python: HTTP 500 "Input should be 'text' or 'json_object'").
    static func rejectsResponseFormat(_ data: Data) -> Bool {
        let text = String(decoding: data, as: UTF8.self).lowercased()
        return ["response_format", "json_schema", "json_object", "response format"].contains { text.contains($0) }
    }

    /// Whether an error body says the server does not accept `max_tokens` (OpenAI's reasoning
    /// models want `max_completion_tokens`).
    static func rejectsMaxTokens(_ data: Data) -> Bool {
        String(decoding: data, as: UTF8.self).lowercased().contains("max_tokens")
    }

    /// Parses a non-streaming chat-completions body.
    public static func parse(_ data: Data, format: ChatCompletion.ResponseFormat = .none, endpoint: String = "response") throws -> ChatCompletion {
        func malformed(_ why: String) -> OpenAIChatError {
            OpenAIChatError(kind: .malformedResponse, message: "\(endpoint): \(why): \(snippet(data))")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw malformed("response is not a JSON object")
        }
        if let error = root["error"] {
            let message = ((error as? [String: Any])?["message"] as? String) ?? "\(error)"
            throw OpenAIChatError(kind: .http(status: 200), message: "\(endpoint) returned an error: \(oneLine(message))")
        }
        guard let choices = root["choices"] as? [Any], let choice = choices.first as? [String: Any],
              let message = choice["message"] as? [String: Any] else {
            throw malformed("no choices[0].message")
        }
        let finish = choice["finish_reason"] as? String
        let content: String
        switch message["content"] {
        case let s as String:
            content = s
        case let parts as [Any]:
            content = parts.compactMap { ($0 as? [String: Any])?["text"] as? String }.joined()
        default:
            content = ""
        }
        if content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            if let refusal = message["refusal"] as? String, !refusal.isEmpty {
                throw OpenAIChatError(kind: .emptyReply, message: "\(endpoint): the model refused: \(oneLine(refusal))")
            }
            throw OpenAIChatError(kind: .emptyReply, message: "\(endpoint): the reply was empty (finish_reason: \(finish ?? "none"))")
        }
        let (usage, reported) = normalizedUsage(root["usage"])
        return ChatCompletion(content: content, usage: usage, usageReported: reported,
                              model: root["model"] as? String ?? "", finishReason: finish,
                              responseFormat: format, rawResponse: data)
    }

    /// OpenAI counts cached tokens inside `prompt_tokens` and reasoning inside `completion_tokens`;
    /// `TokenUsage` wants them apart. DeepSeek's `prompt_cache_hit_tokens` is used when no details are given.
    static func normalizedUsage(_ value: Any?) -> (TokenUsage, Bool) {
        guard let usage = value as? [String: Any] else { return (.zero, false) }
        let prompt = int(usage["prompt_tokens"]) ?? 0
        let completion = int(usage["completion_tokens"]) ?? 0
        let cached = int((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"])
            ?? int(usage["prompt_cache_hit_tokens"]) ?? 0
        let reasoning = int((usage["completion_tokens_details"] as? [String: Any])?["reasoning_tokens"]) ?? 0
        return (TokenUsage(input: max(0, prompt - cached), cachedInput: min(cached, prompt),
                           output: max(0, completion - reasoning), reasoning: min(reasoning, completion)), true)
    }

    private static func int(_ value: Any?) -> Int? {
        switch value {
        case let i as Int: return i
        case let d as Double: return Int(d)
        case let n as NSNumber: return n.intValue
        default: return nil
        }
    }

    private static func oneLine(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }

    static func snippet(_ data: Data) -> String {
        let text = String(decoding: data.prefix(2000), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : oneLine(text)
    }
}
