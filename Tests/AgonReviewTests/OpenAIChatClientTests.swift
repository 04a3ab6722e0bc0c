import AgonCore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonReview

@Suite(.enabled(if: FakeChatServer.pythonAvailable, "python3 is needed for the fake chat server"))
struct OpenAIChatClientServerTests {
    let labels = ["A", "B", "C"]
    var schema: ResponseSchema { ResponseSchema(name: VerdictSchema.name, json: VerdictSchema.schemaJSON(labels: labels)) }

    func request(_ model: String, schema: Bool = true) -> ChatRequest {
        ChatRequest(model: model, messages: [.system("rules"), .user("review these")], schema: schema ? self.schema : nil)
    }

    @Test func sendsSchemaKeyAndTemperatureAndParsesTheVerdict() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: server.baseURL, apiKey: "sk-test", timeout: 20)
        let reply = try client.complete(request("default"))
        #expect(reply.responseFormat == .jsonSchema)
        #expect(reply.usage == TokenUsage(input: 100, output: 20))
        #expect(reply.usageReported)
        #expect(try VerdictParser.parse(text: reply.content, labels: labels).get().ranking == ["C", "B", "A"])

        let sent = server.requests()
        #expect(sent.count == 1)
        #expect(sent[0]["path"] as? String == "/v1/chat/completions")
        #expect(sent[0]["authorization"] as? String == "Bearer sk-test")
        let body = sent[0]["body"] as! [String: Any]
        #expect((body["temperature"] as? NSNumber)?.doubleValue == 0)
        #expect((body["messages"] as? [[String: String]])?.map { $0["role"]! } == ["system", "user"])
        let format = body["response_format"] as! [String: Any]
        #expect(format["type"] as? String == "json_schema")
        let jsonSchema = format["json_schema"] as! [String: Any]
        #expect(jsonSchema["name"] as? String == "agon_verdict")
        #expect(jsonSchema["strict"] as? Bool == true)
        #expect(jsonSchema["schema"] is [String: Any])
    }

    /// The `type` of each logged request's `response_format` ("none" when absent).
    func formats(_ server: FakeChatServer) -> [String] {
        server.requests().map { (($0["body"] as! [String: Any])["response_format"] as? [String: Any])?["type"] as? String ?? "none" }
    }

    @Test func fallsBackToNoResponseFormatWhenTheServerRejectsEveryKind() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20)
        let reply = try client.complete(request("no-schema"))
        #expect(reply.responseFormat == .none)
        // The fallback reply is fenced prose; the parser copes.
        #expect(reply.content.contains("```json"))
        #expect(try VerdictParser.parse(text: reply.content, labels: ["A", "B"]).get().ranking == ["B", "A"])
        #expect(formats(server) == ["json_schema", "json_object", "none"])
        #expect(server.requests()[0]["authorization"] is NSNull)   // no key, no header
        // The client remembers: the next request goes out without response_format at once.
        #expect(client.schemaRejected)
        _ = try client.complete(request("no-schema"))
        #expect(formats(server) == ["json_schema", "json_object", "none", "none"])
    }

    @Test func llamaCppPythonRejectionFallsBackToJSONObjectOncePerBaseURL() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let memory = ChatServerMemory()
        let first = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20, memory: memory)
        let reply = try first.complete(request("llama-cpp-python"))
        #expect(reply.responseFormat == .jsonObject)
        #expect(formats(server) == ["json_schema", "json_object"])
        // Another verifier of the same run (same memory, same base URL) does not pay for the refusal again…
        let second = OpenAIChatClient(baseURL: URL(string: server.baseURL.absoluteString + "/")!, apiKey: nil, timeout: 20, memory: memory)
        #expect(try second.complete(request("llama-cpp-python")).responseFormat == .jsonObject)
        #expect(formats(server) == ["json_schema", "json_object", "json_object"])
        // …while a new run (fresh memory) tries json_schema first again.
        let nextRun = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20)
        _ = try nextRun.complete(request("llama-cpp-python"))
        #expect(formats(server) == ["json_schema", "json_object", "json_object", "json_schema", "json_object"])
    }

    @Test func aServerThatRefusesOnlyJSONSchemaIsNotAskedWithoutAFormat() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20)
        #expect(try client.complete(request("schema-free-only")).responseFormat == .none)
        #expect(formats(server) == ["json_schema", "json_object", "none"])
        // A request without a schema never carries response_format.
        _ = try client.complete(request("default", schema: false))
        #expect(formats(server).last == "none")
    }

    @Test func reviewCapsMaxTokensFromTheVerdictSizeAndDropsItWhenRefused() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let p = try packet()
        _ = try OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20).review(p, model: "default")
        let sent = server.requests()[0]["body"] as! [String: Any]
        #expect(sent["max_tokens"] as? Int == VerdictSchema.maxTokens(labelCount: 3))
        #expect(VerdictSchema.maxTokens(labelCount: 3) == 2_560)
        // OpenAI's reasoning models refuse max_tokens: asked again without it, and remembered.
        let client = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20)
        let review = try client.review(p, model: "reasoning")
        #expect(review.verdict != nil)
        let bodies = server.requests().dropFirst().map { $0["body"] as! [String: Any] }
        #expect(bodies.map { $0["max_tokens"] != nil } == [true, false])
        _ = try client.complete(ChatRequest(model: "reasoning", messages: [.user("x")], maxTokens: 10))
        #expect((server.requests().last!["body"] as! [String: Any])["max_tokens"] == nil)
    }

    @Test func otherClientErrorsAreNotRetried() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20)
        let error = #expect(throws: OpenAIChatError.self) { try client.complete(request("bad-request")) }
        #expect(error?.kind == .http(status: 400))
        #expect(error?.description == "\(server.baseURL.absoluteString)/chat/completions answered HTTP 400: {\"error\": {\"message\": \"model not found\"}}")
        #expect(server.requests().count == 1)

        let e500 = #expect(throws: OpenAIChatError.self) { try client.complete(request("server-error")) }
        #expect(e500?.kind == .http(status: 500))
        #expect(e500?.description.hasSuffix("answered HTTP 500: upstream exploded ") == true)
    }

    @Test func normalisesCachedAndReasoningTokens() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: URL(string: server.baseURL.absoluteString + "/")!, apiKey: "k", timeout: 20)
        let reply = try client.complete(request("cached"))
        #expect(reply.usage == TokenUsage(input: 400, cachedInput: 600, output: 180, reasoning: 120))
        #expect(reply.usage.total == 1300)
        #expect(reply.model == "fake-model-2026")

        let deepseek = try client.complete(request("deepseek"))
        #expect(deepseek.usage == TokenUsage(input: 18, cachedInput: 32, output: 10))

        let unreported = try client.complete(request("no-usage"))
        #expect(!unreported.usageReported)
        #expect(unreported.usage == .zero)
    }

    @Test func emptyReplyIsAnError() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20)
        let error = #expect(throws: OpenAIChatError.self) { try client.complete(request("empty")) }
        #expect(error?.kind == .emptyReply)
        #expect(error?.description.hasSuffix("the reply was empty (finish_reason: length)") == true)
    }

    @Test
    func servesRecordedFixtureBodies() throws {
        let dir = try #require(Samples.fixturesDir)
        let server = try FakeChatServer()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20)
        let openai = try client.complete(request("fixture:" + dir.appendingPathComponent("openai-chat-json-pydanticai-2-openai.json").path, schema: false))
        #expect(openai.content == "The capital of France is Paris.")
        #expect(openai.model == "gpt-4o-2024-08-06")
        #expect(openai.usage == TokenUsage(input: 24, output: 8))
        #expect(openai.finishReason == "stop")
        let cerebras = try client.complete(request("fixture:" + dir.appendingPathComponent("openai-chat-json-pydanticai-1-cerebras.json").path, schema: false))
        #expect(cerebras.usage == TokenUsage(input: 42, output: 8))
        #expect(cerebras.model == "llama-3.3-70b")
    }

    func packet() throws -> ReviewPacket {
        let candidates = Samples.candidates()
        let key = Blinder.key(runID: Samples.runID, verifierID: "judge-b", candidates: candidates.map(\.candidateID))
        return try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: key, secrets: Samples.secrets)
    }

    @Test func reviewAcceptsAValidVerdictFirstTime() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let p = try packet()
        let review = try OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20).review(p, model: "default")
        // The fake ranks labels in reverse display order.
        #expect(review.verdict?.ranking == p.key.displayOrder.reversed())
        #expect(review.verdict?.notes[p.key.displayOrder[0]]?.summary == "sA")
        #expect(review.replies.count == 1)
        #expect(review.usage == TokenUsage(input: 100, output: 20))
        #expect(review.exclusionReason == nil)
    }

    @Test func reviewRetriesOnceQuotingTheError() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let p = try packet()
        let review = try OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20).review(p, model: "bad-then-good")
        #expect(review.verdict?.ranking.count == 3)
        #expect(review.replies.count == 2)
        #expect(review.usage == TokenUsage(input: 200, output: 40))
        let second = server.requests()[1]["body"] as! [String: Any]
        let messages = second["messages"] as! [[String: String]]
        #expect(messages.map { $0["role"]! } == ["system", "user", "assistant", "user"])
        #expect(messages[2]["content"] == #"{"ranking": ["A"]}"#)
        #expect(messages[3]["content"]!.hasPrefix("Your previous reply could not be used: \"ranking\" is missing B, C"))
    }

    @Test func reviewExcludesAfterASecondBadReply() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let review = try OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 20).review(try packet(), model: "always-bad")
        #expect(review.verdict == nil)
        #expect(review.exclusionReason == "malformed verdict from judge-b after one retry: the reply contains no JSON object")
        #expect(server.requests().count == 2)
    }

    @Test func timesOutOnASilentServer() throws {
        let server = try FakeChatServer()
        defer { server.stop() }
        let client = OpenAIChatClient(baseURL: server.baseURL, apiKey: nil, timeout: 1)
        let error = #expect(throws: OpenAIChatError.self) { try client.complete(request("hang")) }
        #expect(error?.kind == .timeout)
    }

    @Test func connectionRefusedIsATransportError() throws {
        let server = try FakeChatServer()
        let url = server.baseURL
        server.stop()   // nothing listens on that port any more
        let error = #expect(throws: OpenAIChatError.self) {
            try OpenAIChatClient(baseURL: url, apiKey: nil, timeout: 5).complete(request("default"))
        }
        #expect(error?.kind == .transport)
    }
}

@Suite struct OpenAIChatClientPureTests {
    @Test func endpointJoinsBaseURL() {
        #expect(OpenAIChatClient(baseURL: URL(string: "http://h:1/v1/")!, apiKey: nil).endpoint.absoluteString == "http://h:1/v1/chat/completions")
        #expect(OpenAIChatClient(baseURL: URL(string: "http://h:1/v1")!, apiKey: nil).endpoint.absoluteString == "http://h:1/v1/chat/completions")
    }

    @Test func requestBodyWithAndWithoutSchema() throws {
        let req = ChatRequest(model: "m", messages: [.user("hi")], schema: ResponseSchema(name: "n", json: #"{"type":"object"}"#), maxTokens: 50)
        let with = try JSONSerialization.jsonObject(with: OpenAIChatClient.body(for: req, includeSchema: true)) as! [String: Any]
        let without = try JSONSerialization.jsonObject(with: OpenAIChatClient.body(for: req, includeSchema: false)) as! [String: Any]
        #expect(with["response_format"] != nil)
        #expect(without["response_format"] == nil)
        #expect(with["max_tokens"] as? Int == 50)
        #expect(with["stream"] as? Bool == false)
        var bad = req
        bad.schema = ResponseSchema(name: "n", json: "{nope")
        #expect(throws: OpenAIChatError.self) { try OpenAIChatClient.body(for: bad, includeSchema: true) }
    }

    @Test func parsesContentPartsRefusalsAndErrorBodies() throws {
        let parts = #"{"model":"m","choices":[{"finish_reason":"stop","message":{"content":[{"type":"text","text":"{\"ranking\":"},{"type":"text","text":"[]}"}]}}]}"#
        #expect(try OpenAIChatClient.parse(Data(parts.utf8)).content == #"{"ranking":[]}"#)
        let refusal = #"{"choices":[{"message":{"content":null,"refusal":"I can't help with that."}}]}"#
        #expect(throws: OpenAIChatError.self) { try OpenAIChatClient.parse(Data(refusal.utf8)) }
        let error = #"{"error":{"message":"rate limited"}}"#
        #expect((try? OpenAIChatClient.parse(Data(error.utf8))) == nil)
        #expect(throws: OpenAIChatError.self) { try OpenAIChatClient.parse(Data("<html>".utf8)) }
    }

    @Test func packetBecomesMessagesAndSchema() throws {
        let candidates = Samples.candidates()
        let key = Blinder.key(runID: Samples.runID, verifierID: "judge-a", candidates: candidates.map(\.candidateID))
        let packet = try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: key, secrets: Samples.secrets)
        #expect(packet.messages == [.system(packet.instructions), .user(packet.body)])
        #expect(packet.responseSchema.json == packet.schemaJSON)
        #expect(packet.responseSchema.strict)
    }
}

/// A real review through a real OpenAI-compatible endpoint; runs only when AGON_LLM_BASE_URL is set
/// (model from AGON_LLM_MODEL, key from AGON_LLM_API_KEY).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AGON_LLM_BASE_URL"] != nil, "AGON_LLM_BASE_URL is not set"))
struct OpenAIChatClientIntegrationTests {
    @Test func realReviewRoundTrip() throws {
        let env = ProcessInfo.processInfo.environment
        let client = OpenAIChatClient(baseURL: URL(string: env["AGON_LLM_BASE_URL"]!)!, apiKey: env["AGON_LLM_API_KEY"], timeout: 300)
        let candidates = Samples.candidates()
        let key = Blinder.key(runID: Samples.runID, verifierID: "judge-live", candidates: candidates.map(\.candidateID))
        let packet = try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: key, secrets: Samples.secrets)
        let review = try client.review(packet, model: env["AGON_LLM_MODEL"] ?? "default", maxTokens: 4000)
        let mapped = try #require(review.verdict, "verifier excluded: \(review.exclusionReason ?? "")")
        #expect(Set(mapped.ranking) == Set(candidates.map(\.candidateID)))
        #expect(!review.usageComplete || review.usage.total > 0)
    }
}
