import AgonTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The scripted model server speaks each vendor's wire format with the script's exact usage.
@Suite("Scripted model server", .serialized)
struct ScriptedModelServerTests {
    /// POSTs `body` and returns status and the whole response body (streams end with the turn).
    static func post(_ url: String, _ body: [String: Any]) throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let done = DispatchSemaphore(value: 0)
        var result: (Int, String) = (0, "")
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data.map { String(decoding: $0, as: UTF8.self) } ?? "")
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        return result
    }

    /// The JSON objects of an SSE body's `data:` lines, `[DONE]` left out.
    static func events(_ sse: String) -> [[String: Any]] {
        sse.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard line.hasPrefix("data: "), line != "data: [DONE]" else { return nil }
            return (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any]
        }
    }

    @Test func anthropicMessagesStreamAToolUseWithExactUsage() throws {
        let server = try ScriptedModelServer()
        defer { server.stop() }
        try server.script("a", [.tool("Bash", ["command": "ls"], input: 1000, output: 50),
                                ScriptedModelServer.Turn(text: "Done.", tool: nil, usage: .init(input: 10, output: 5, cached_input: 300))])
        let (status, body) = try Self.post(server.baseURL(script: "a") + "/v1/messages?beta=true", ["model": "claude-x", "stream": true])
        #expect(status == 200)
        let events = Self.events(body)
        #expect(events.map { $0["type"] as? String } == ["message_start", "content_block_start", "content_block_delta",
                                                         "content_block_stop", "message_delta", "message_stop"])
        let start = (events[0]["message"] as? [String: Any])?["usage"] as? [String: Any]
        #expect(start?["input_tokens"] as? Int == 1000)
        #expect((events[1]["content_block"] as? [String: Any])?["name"] as? String == "Bash")
        let json = (events[2]["delta"] as? [String: Any])?["partial_json"] as? String
        #expect(json.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] } == ["command": "ls"])
        #expect((events[4]["usage"] as? [String: Any])?["output_tokens"] as? Int == 50)
        #expect((events[4]["delta"] as? [String: Any])?["stop_reason"] as? String == "tool_use")
        // Not streamed: one message; Anthropic's input excludes cached tokens.
        let (_, plain) = try Self.post(server.baseURL(script: "a") + "/v1/messages", ["model": "claude-x"])
        let message = try #require(try JSONSerialization.jsonObject(with: Data(plain.utf8)) as? [String: Any])
        let usage = message["usage"] as? [String: Any]
        #expect(usage?["input_tokens"] as? Int == 10 && usage?["cache_read_input_tokens"] as? Int == 300)
        let (count, tokens) = try Self.post(server.baseURL(script: "a") + "/v1/messages/count_tokens", ["model": "claude-x"])
        #expect(count == 200 && tokens.contains("input_tokens"))
        // Past the script: an API error naming the turn, so a test sees an unexpected extra call.
        let (past, error) = try Self.post(server.baseURL(script: "a") + "/v1/messages", ["model": "claude-x"])
        #expect(past == 500 && error.contains("has no turn 3"))
        #expect(server.turnsServed(script: "a") == 3)
    }

    @Test func openAIResponsesStreamAFunctionCallAndCountCachedTokensAsInput() throws {
        let server = try ScriptedModelServer()
        defer { server.stop() }
        try server.script("r", [ScriptedModelServer.Turn(text: nil, tool: .init(name: "exec_command", arguments: ["cmd": "true"]),
                                                         usage: .init(input: 700, output: 20, cached_input: 300))])
        let (status, body) = try Self.post(server.baseURL(script: "r") + "/v1/responses", ["model": "gpt-x", "stream": true])
        #expect(status == 200)
        let events = Self.events(body)
        #expect(events.first?["type"] as? String == "response.created")
        #expect(events.contains { $0["type"] as? String == "response.function_call_arguments.delta" })
        let completed = try #require(events.last)
        #expect(completed["type"] as? String == "response.completed")
        let response = completed["response"] as? [String: Any]
        let usage = response?["usage"] as? [String: Any]
        #expect(usage?["input_tokens"] as? Int == 1000)
        #expect((usage?["input_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 300)
        #expect(usage?["output_tokens"] as? Int == 20)
        let item = (response?["output"] as? [[String: Any]])?.first
        #expect(item?["name"] as? String == "exec_command" && item?["arguments"] as? String == #"{"cmd": "true"}"#)
        #expect(events.map { $0["sequence_number"] as? Int } == Array(0..<events.count).map(Optional.some))
    }

    @Test func chatCompletionsStreamTextThenAUsageChunkAndRepeatTheLastTurn() throws {
        let server = try ScriptedModelServer()
        defer { server.stop() }
        try server.script("c", [.text("line one\nline two\n", input: 1200, output: 10)], afterLast: .repeatLast)
        let (status, body) = try Self.post(server.baseURL(script: "c") + "/v1/chat/completions", ["model": "m", "stream": true])
        #expect(status == 200)
        #expect(body.hasSuffix("data: [DONE]\n\n"))
        let chunks = Self.events(body)
        let text = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }.joined()
        #expect(text == "line one\nline two\n")
        let usage = chunks.compactMap { $0["usage"] as? [String: Any] }
        #expect(usage.count == 1 && usage[0]["prompt_tokens"] as? Int == 1200 && usage[0]["completion_tokens"] as? Int == 10)
        // repeat_last: the model keeps answering (and spending) the same way.
        for _ in 0..<2 {
            let (again, plain) = try Self.post(server.baseURL(script: "c") + "/v1/chat/completions", ["model": "m"])
            let object = try JSONSerialization.jsonObject(with: Data(plain.utf8)) as? [String: Any]
            #expect(again == 200 && (object?["usage"] as? [String: Any])?["completion_tokens"] as? Int == 10)
        }
        let (unknown, _) = try Self.post(server.baseURL(script: "nope") + "/v1/chat/completions", ["model": "m"])
        #expect(unknown == 404)
    }
}
