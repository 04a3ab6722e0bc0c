import AgonCore
import Foundation
import Testing
@testable import AgonAgents

@Suite("Parsers: malformed input and edge cases")
struct ParserRobustnessTests {
    static let assistantLine = #"{"type":"assistant","message":{"model":"claude-x","id":"msg_1","content":[{"type":"tool_use","id":"t1","name":"Edit","input":{"file_path":"a.swift"}}],"usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":2}}}"#

    @Test(arguments: StreamFormat.allCases)
    func garbageNeverCrashesAndIsCounted(format: StreamFormat) {
        let garbage = ["{", "}", "[1,2", "{\"type\":", "{\"type\":\"assistant\",\"message\":{\"usage\":{\"input_tokens\":1e999}}}",
                       "null", "[]", "\u{0}\u{1}\u{2}", String(repeating: "[", count: 10_000), "{\"a\":\"\\u12\"}",
                       "{\"type\":\"result\",\"usage\":{\"input_tokens\":-5}}", "🙂 not json", "{\"type\":\"assistant\"}"]
        var p = makeStreamParser(format)
        for g in garbage { _ = p.consume(line: g[...]) }
        _ = p.finish()
        // Line-protocol formats count every non-JSON line; prose formats (aider stdout) ignore prose.
        if format != .aiderStdout { #expect(p.malformedLines >= 8, "\(format)") }
    }

    @Test func documentWithCRLFLineEndings() {
        let result = #"{"type":"result","subtype":"success","is_error":false,"total_cost_usd":0.25,"usage":{"input_tokens":4,"output_tokens":9}}"#
        let doc = [Self.assistantLine, result].joined(separator: "\r\n") + "\r\n"
        let r = parseStreamDocument(doc, format: .claudeStreamJSON)
        #expect(r.malformedLines == 0)
        #expect(r.events.contains(.reportedCost(usd: 0.25, cumulative: true)))
        #expect(r.events.contains(.usageSnapshot(TokenUsage(input: 10, cachedInput: 1000, cacheWrite: 100, output: 9), model: nil)))
    }

    @Test func truncatedLastLineIsCountedNotCharged() {
        let truncated = String(Self.assistantLine.prefix(120))
        let r = parse(.claudeStreamJSON, [Self.assistantLine, truncated])
        #expect(r.malformed == 1)
        #expect(r.events.contains(.usage(TokenUsage(input: 10, cachedInput: 1000, cacheWrite: 100, output: 2), model: "claude-x")))
    }

    @Test func claudeRepeatedMessageIdCountedOnceAndGrowthEmitted() {
        let grown = Self.assistantLine.replacingOccurrences(of: "\"output_tokens\":2", with: "\"output_tokens\":7")
        let r = parse(.claudeStreamJSON, [Self.assistantLine, Self.assistantLine, grown])
        let usages = r.events.compactMap { if case .usage(let u, _) = $0 { return u } else { return nil } }
        #expect(usages == [TokenUsage(input: 10, cachedInput: 1000, cacheWrite: 100, output: 2), TokenUsage(output: 5)])
        #expect(r.events.filter { $0 == .turn }.count == 1)
        #expect(r.events.filter { $0 == .fileEdit(path: "a.swift") }.count == 3) // each tool_use block line
    }

    @Test func claudeSnapshotKeepsOutputPlusReasoningWhenStreamingOutputWasLarger() {
        // Streaming output 300 already metered; result says 200 output of which 150 thinking.
        let a = #"{"type":"assistant","message":{"id":"m","usage":{"input_tokens":1,"output_tokens":300}}}"#
        let res = #"{"type":"result","is_error":false,"total_cost_usd":0.5,"usage":{"input_tokens":1,"output_tokens":350,"output_tokens_details":{"thinking_tokens":150}}}"#
        var meter = CostMeter(price: nil, cap: nil)
        let r = parse(.claudeStreamJSON, [a, res])
        meter.apply(r.events)
        #expect(meter.usage.output + meter.usage.reasoning == 350)
        #expect(meter.usage == TokenUsage(input: 1, output: 300, reasoning: 50))
    }

    @Test func claudeResultWithoutTypeFirstAndErrorClassified() {
        let res = #"{"is_error":true,"result":"Credit balance is too low","subtype":"success","type":"result","total_cost_usd":0}"#
        let r = parse(.claudeStreamJSON, [res])
        #expect(r.events.contains(.result(isError: true, summary: "Credit balance is too low")))
        #expect(r.events.contains(.apiError(kind: .quota, message: "Credit balance is too low")))
    }

    @Test func codexTurnFailedWithRateLimit() {
        let lines = [#"{"type":"thread.started","thread_id":"t"}"#,
                     #"{"type":"error","message":"stream error: 429 Too Many Requests"}"#,
                     #"{"type":"turn.failed","error":{"message":"exceeded retry limit, last status: 429 Too Many Requests"}}"#,
                     ">>> exit 1"]
        let r = parse(.codexExecJSON, lines)
        #expect(r.malformed == 1)
        #expect(r.events.filter { if case .apiError(.rateLimit, _) = $0 { return true } else { return false } }.count == 2)
        #expect(r.events.contains { if case .result(true, _) = $0 { return true } else { return false } })
    }

    @Test func commandUsageContract() {
        let lines = [#"{"input":1200,"cached_input":800,"cache_write":5,"output":300,"reasoning":50,"model":"m1","cost_usd":0.004}"#,
                     #"{"event":"file_edit","path":"Sources/A.swift"}"#,
                     #"{"event":"turn"}"#,
                     #"{"output":10}"#,
                     #"{"input":-3}"#,
                     #"{"input":"many"}"#,
                     "not json"]
        let r = parse(.commandUsage, lines)
        #expect(r.malformed == 3)
        #expect(r.events == [.model("m1"),
                             .usage(TokenUsage(input: 1200, cachedInput: 800, cacheWrite: 5, output: 300, reasoning: 50), model: "m1"),
                             .reportedCost(usd: 0.004, cumulative: false), .turn,
                             .fileEdit(path: "Sources/A.swift"), .turn,
                             .usage(TokenUsage(output: 10), model: "m1"), .turn])
    }

    @Test func openAIUsageWithCachedAndReasoningNormalised() {
        let line = #"data: {"id":"c1","model":"gpt-x","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":500,"prompt_tokens_details":{"cached_tokens":600},"completion_tokens_details":{"reasoning_tokens":200}}}"#
        let r = parse(.openAIChat, [": keep-alive", "event: message", line, "", "data: [DONE]"])
        #expect(r.malformed == 0)
        #expect(r.events.contains(.usage(TokenUsage(input: 400, cachedInput: 600, output: 300, reasoning: 200), model: "gpt-x")))
    }

    @Test func openAIErrorBody() {
        let r = parse(.openAIChat, [#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota"}}"#])
        #expect(r.events == [.apiError(kind: .quota, message: "You exceeded your current quota")])
        #expect(throws: OpenAIChatResponseError.self) { try parseOpenAIChatResponse(data: Data("<html>502</html>".utf8)) }
    }

    @Test func geminiErrorResult() {
        let r = parse(.geminiStreamJSON, [#"{"type":"result","status":"error","error":{"type":"ApiError","message":"RESOURCE_EXHAUSTED: quota"}}"#])
        #expect(r.events.contains(.apiError(kind: .quota, message: "RESOURCE_EXHAUSTED: quota")))
    }

    @Test func piErrorRunIsQuota() {
        let lines = [#"{"type":"message_end","message":{"role":"assistant","content":[],"usage":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"cost":{"total":0}},"stopReason":"error","errorMessage":"Codex error: The usage limit has been reached"}}"#,
                     #"{"type":"agent_end","messages":[]}"#]
        let r = parse(.piJSON, lines)
        #expect(r.events.contains { if case .apiError(.quota, _) = $0 { return true } else { return false } })
        #expect(r.events.contains(.result(isError: true, summary: "Codex error: The usage limit has been reached")))
    }

    @Test func aiderTokenFormats() {
        let r = parse(.aiderStdout, ["Tokens: 1.2M sent, 12,566 cache hit, 3.4k received. Cost: $1.00 request, $2.50 session.",
                                     "Tokens: nonsense"])
        #expect(r.events.contains(.usage(TokenUsage(input: 1_200_000, cachedInput: 12_566, output: 3_400), model: nil)))
        #expect(r.events.contains(.reportedCost(usd: 2.5, cumulative: true)))
        #expect(r.malformed == 1)
    }

    @Test func jsonReaderDecodesEscapesAndNumbers() {
        let v = JSONValue.parse(#"{"s":"a\"b\\c\n\u00e9\ud83d\ude00","n":-12.5e1,"i":123456789012,"t":true,"z":null,"a":[1,{}]}"#)
        #expect(v?["s"]?.string == "a\"b\\c\né😀")
        #expect(v?["n"]?.double == -125)
        #expect(v?["i"]?.count == 123456789012)
        #expect(v?["t"]?.bool == true)
        #expect(v?["z"]?.isNull == true)
        #expect(v?["a"]?.array?.count == 2)
        #expect(JSONValue.parse("{\"a\":1} trailing") == nil)
        #expect(JSONValue.parse("{\"a\":tru}") == nil)
    }

    @Test(arguments: [
        ("Error: 429 Too Many Requests", APIErrorKind.rateLimit),
        ("rate_limit_error: This request would exceed your organization's rate limit", .rateLimit),
        ("Overloaded", .overloaded),
        ("insufficient_quota", .quota),
        ("Invalid API key · Please run /login", .auth),
        ("HTTP 401 Unauthorized", .auth),
        ("RESOURCE_EXHAUSTED", .quota),
    ])
    func classifierRecognises(text: String, kind: APIErrorKind) {
        #expect(APIErrorClassifier.classify(text: text) == kind)
    }

    @Test func classifierIgnoresOrdinaryText() {
        #expect(APIErrorClassifier.classify(text: "Read 14290 tokens from 401k.txt") == nil)
        #expect(APIErrorClassifier.classify(text: "All tests passed") == nil)
    }
}
