import AgonCore
import Foundation
import Testing
@testable import AgonAgents

// Expected totals are worked out by hand from the fixture files and SOURCES.md; each comment says
// where the numbers come from. TokenUsage is normalised: input = uncached input, output excludes reasoning.

@Suite("Every captured fixture parses")
struct AllFixturesTests {
    @Test func everyFixtureHasAFormatAndParsesWithoutCrashing() throws {
        let names = try Fixtures.allNames()
        #expect(names.count >= 37)
        for name in names {
            let format = try #require(Fixtures.format(of: name), "no format for fixture \(name)")
            let parsed = try Fixtures.run(name, format)
            #expect(!parsed.events.isEmpty, "\(name) produced no events")
        }
    }
}

@Suite("Claude stream-json fixtures")
struct ClaudeFixtureTests {
    @Test func agentcmdSingleTurn() throws {
        let p = try Fixtures.run("claude-stream-json-agentcmd-1.jsonl", .claudeStreamJSON)
        // modelUsage (one model): inputTokens 3, outputTokens 5, cacheRead 0, cacheCreation 21588.
        #expect(p.usage == TokenUsage(input: 3, cachedInput: 0, cacheWrite: 21588, output: 5))
        #expect(approx(p.reported, 0.081039)) // total_cost_usd
        #expect(p.sessions == ["13a34b05-d65d-4e6e-bb70-00ef7be077a8"])
        #expect(p.models == ["claude-sonnet-4-5-20250929"])
        #expect(p.meter.turns == 1) // one message id
        #expect(p.malformedLines == 0)
        #expect(p.results.count == 1 && p.results[0].isError == false && p.results[0].summary == "4")
    }

    @Test func charlieyouResultWithoutModelUsageUsesResultUsage() throws {
        let p = try Fixtures.run("claude-stream-json-charlieyou-gleam-1.jsonl", .claudeStreamJSON)
        // No modelUsage: result.usage input 10, cache_creation 21570, output 25 (assistant line said 5).
        #expect(p.usage == TokenUsage(input: 10, cachedInput: 0, cacheWrite: 21570, output: 25))
        #expect(approx(p.reported, 0.1354875))
        // Opus 4.5 list prices reproduce the reported cost: 10×5e-6 + 21570×6.25e-6 + 25×25e-6.
        let opus = ModelPrice(inputPerToken: 5e-6, outputPerToken: 25e-6, cacheReadPerToken: 0.5e-6,
                              cacheWritePerToken: 6.25e-6, source: "test")
        #expect(approx(opus.cost(of: p.usage), 0.1354875, tolerance: 1e-9))
    }

    @Test func syntheticZeroUsageDoesNotCharge() throws {
        let p = try Fixtures.run("claude-stream-json-untether-1-local-command-zero-usage.jsonl", .claudeStreamJSON)
        // `<synthetic>` message, all usage 0, result total_cost_usd 0 and modelUsage {}.
        #expect(p.usage == .zero)
        #expect(p.reported == 0)
        #expect(p.meter.turns == 0)
        #expect(!p.events.contains { if case .usage = $0 { return true } else { return false } })
        #expect(p.results.count == 1 && p.results[0].isError == false)
        #expect(p.malformedLines == 0)
    }

    @Test func multiTurnCumulativeResults() throws {
        let p = try Fixtures.run("claude-stream-json-untether-2-multiturn-cumulative-TRUNCATED.jsonl", .claudeStreamJSON)
        // Second result's modelUsage is cumulative: input 36, cacheRead 122065, cacheCreation 51983,
        // output 427 of which thinkingTokens 187 → output 240 + reasoning 187.
        #expect(p.usage == TokenUsage(input: 36, cachedInput: 122065, cacheWrite: 51983, output: 240, reasoning: 187))
        // total_cost_usd is the process running total: 0.0640664 then 0.1183435 (not their sum).
        #expect(approx(p.reported, 0.11834350000000002))
        #expect(p.sessions.count == 2) // two system/init lines
        #expect(p.results.count == 2)
        #expect(p.meter.turns == 4) // four distinct message ids
        #expect(p.malformedLines == 0)
    }

    @Test func singleObjectJSONOutputs() throws {
        let a = try Fixtures.run("claude-json-agentcmd-1.json", .claudeStreamJSON)
        // modelUsage haiku (3 in, 200 out, 4804 cache read) + sonnet (3 in, 13 out, 21588 cache write).
        #expect(a.usage == TokenUsage(input: 6, cachedInput: 4804, cacheWrite: 21588, output: 213))
        #expect(approx(a.reported, 0.08264239999999999))
        let b = try Fixtures.run("claude-json-charlieyou-gleam-1.json", .claudeStreamJSON)
        // modelUsage opus only: 38 in, 765 out, 28775 cache read, 31159 cache write.
        #expect(b.usage == TokenUsage(input: 38, cachedInput: 28775, cacheWrite: 31159, output: 765))
        #expect(approx(b.reported, 0.24722425))
        #expect(a.malformedLines == 0 && b.malformedLines == 0)
    }
}

@Suite("Codex fixtures")
struct CodexFixtureTests {
    @Test(arguments: [
        // turn.completed usage: input_tokens − cached_input_tokens, cached, output_tokens.
        ("codex-exec-json-agentcmd-1.jsonl", TokenUsage(input: 2946, cachedInput: 0, output: 7)),
        ("codex-exec-json-agentcmd-2.jsonl", TokenUsage(input: 6040 - 4992, cachedInput: 4992, output: 129)),
        ("codex-exec-json-agentcmd-3.jsonl", TokenUsage(input: 6008 - 4096, cachedInput: 4096, output: 51)),
        ("codex-exec-json-agentcmd-4.jsonl", TokenUsage(input: 6086 - 2944, cachedInput: 2944, output: 223)),
        ("codex-exec-json-agentcmd-5-incomplete.jsonl", TokenUsage.zero), // no turn.completed at all
    ])
    func execTotals(name: String, expected: TokenUsage) throws {
        let p = try Fixtures.run(name, .codexExecJSON)
        #expect(p.usage == expected)
        #expect(p.reported == nil) // codex reports no cost
        #expect(p.malformedLines == 0)
        #expect(p.sessions.count == 1)
    }

    @Test func fileChangeIsAFileEdit() throws {
        let p = try Fixtures.run("codex-exec-json-agentcmd-3.jsonl", .codexExecJSON)
        #expect(p.fileEditPaths == ["/private/tmp/codex-research-test/hello.txt"])
    }

    @Test func resumedThreadUsageIsCumulative() throws {
        let p = try Fixtures.run("codex-exec-json-untether-1-resume-cumulative.jsonl", .codexExecJSON)
        // Three processes, usage is the thread's running total; last: 32017 in (21760 cached), 21 out.
        #expect(p.usage == TokenUsage(input: 32017 - 21760, cachedInput: 21760, output: 21))
        #expect(p.malformedLines == 7) // 4 header comment lines + "# run 1/2/3"
        #expect(p.sessions == Array(repeating: "0199f000-0419-7000-8000-00000000c0de", count: 3))
        #expect(p.meter.turns == 3)
    }

    @Test(arguments: [
        // Last token_count total_token_usage: input − cached, cached, output − reasoning, reasoning.
        ("codex-rollout-voratiq-1.jsonl", TokenUsage(input: 1472927 - 1349760, cachedInput: 1349760, output: 27755 - 22848, reasoning: 22848)),
        ("codex-rollout-voratiq-2.jsonl", TokenUsage(input: 1057391 - 999040, cachedInput: 999040, output: 10315 - 1737, reasoning: 1737)),
    ])
    func rolloutTotals(name: String, expected: TokenUsage) throws {
        let p = try Fixtures.run(name, .codexRollout)
        #expect(p.usage == expected)
        #expect(p.meter.turns == 3) // three token_count events
        #expect(p.malformedLines == 0)
    }
}

@Suite("Gemini fixtures")
struct GeminiFixtureTests {
    @Test(arguments: [
        // result.stats: input_tokens, output_tokens, reasoning = total_tokens − input − output.
        ("gemini-stream-json-agentcmd-1.jsonl", TokenUsage(input: 7352, output: 16, reasoning: 7386 - 7352 - 16)),
        ("gemini-stream-json-agentcmd-2.jsonl", TokenUsage(input: 11068, output: 44, reasoning: 11431 - 11068 - 44)),
        ("gemini-stream-json-agentcmd-3.jsonl", TokenUsage(input: 10902, output: 24, reasoning: 11054 - 10902 - 24)),
        ("gemini-stream-json-agentcmd-4.jsonl", TokenUsage(input: 21694, output: 77, reasoning: 22257 - 21694 - 77)),
    ])
    func streamTotals(name: String, expected: TokenUsage) throws {
        let p = try Fixtures.run(name, .geminiStreamJSON)
        #expect(p.usage == expected)
        #expect(p.reported == nil)
        #expect(p.models == ["gemini-2.5-pro"])
        #expect(p.malformedLines == 0)
        #expect(p.results.count == 1 && p.results[0].isError == false)
    }

    @Test func writeAndReplaceAreFileEdits() throws {
        #expect(try Fixtures.run("gemini-stream-json-agentcmd-3.jsonl", .geminiStreamJSON).fileEditPaths == ["/tmp/gemini-test/created.txt"])
        #expect(try Fixtures.run("gemini-stream-json-agentcmd-4.jsonl", .geminiStreamJSON).fileEditPaths == ["/private/tmp/gemini-test/created.txt"])
        #expect(try Fixtures.run("gemini-stream-json-agentcmd-2.jsonl", .geminiStreamJSON).fileEditPaths.isEmpty) // read_file only
    }

    @Test func jsonOutputSumsModels() throws {
        // pro: prompt 15526, candidates 20, thoughts 113; flash: prompt 3814, candidates 7, thoughts 45, tool 43.
        let a = try Fixtures.run("gemini-json-agentcmd-1.json", .geminiStreamJSON)
        #expect(a.usage == TokenUsage(input: 15526 + 3814 + 43, cachedInput: 0, output: 27, reasoning: 158))
        // pro: prompt 24939 of which cached 21263, candidates 20, thoughts 154; flash: 8965, 10, 30, tool 28.
        let b = try Fixtures.run("gemini-json-geminicli-docs-1.json", .geminiStreamJSON)
        #expect(b.usage == TokenUsage(input: 24939 - 21263 + 8965 + 28, cachedInput: 21263, output: 30, reasoning: 184))
        #expect(a.malformedLines == 0 && b.malformedLines == 0)
    }
}

@Suite("OpenCode and pi fixtures")
struct OpenCodePiFixtureTests {
    @Test func opencodeStepsSum() throws {
        let p = try Fixtures.run("opencode-run-json-takopi-1.jsonl", .opencodeJSON)
        // step_finish 1: input 21772, output 110, cost 0; step_finish 2: input 671, output 8, cache.read 21415, cost 0.001.
        #expect(p.usage == TokenUsage(input: 21772 + 671, cachedInput: 21415, output: 118))
        #expect(approx(p.reported, 0.001))
        #expect(p.meter.turns == 2)
        #expect(p.sessions == ["ses_494719016ffe85dkDMj0FPRbHK"])
        #expect(p.fileEditPaths.isEmpty) // bash only
        #expect(p.malformedLines == 0)
    }

    @Test func piSessionFile() throws {
        let p = try Fixtures.run("pi-session-file-pimono-1.jsonl", .piJSON)
        // Line 3: aborted, all zero. Line 6: input 3, output 191, cacheWrite 1684, cost.total 0.009189.
        #expect(p.usage == TokenUsage(input: 3, cachedInput: 0, cacheWrite: 1684, output: 191))
        #expect(approx(p.reported, 0.009189))
        #expect(p.meter.turns == 2)
        #expect(p.sessions == ["d703a1a9-1b7b-4fb1-b512-c9738b1fe617"])
        #expect(p.fileEditPaths.isEmpty) // read, read, bash
        #expect(p.malformedLines == 0)
    }
}

@Suite("Aider fixtures")
struct AiderFixtureTests {
    @Test func agonCaptureStdoutUnpriced() throws {
        let p = try Fixtures.run("aider-stdout-agon-capture-1.txt", .aiderStdout)
        // "Tokens: 732 sent, 95 received." with no Cost part; "Applied edit to calc.py".
        #expect(p.usage == TokenUsage(input: 732, output: 95))
        #expect(p.reported == nil)
        #expect(p.fileEditPaths == ["calc.py"])
        #expect(p.models == ["openai/gemma-3-270m"])
        #expect(p.malformedLines == 0) // network warnings are ordinary output
    }

    @Test func stdoutSnippets() throws {
        let a = try Fixtures.run("aider-stdout-issue2274-1.txt", .aiderStdout)
        #expect(a.usage == TokenUsage(input: 216_000, cacheWrite: 108_000, output: 1_400))
        #expect(approx(a.reported, 0.79)) // "$0.79 session"
        let b = try Fixtures.run("aider-stdout-issue2491-1.txt", .aiderStdout)
        #expect(b.usage == TokenUsage(input: 114_000, output: 92))
        #expect(approx(b.reported, 0.67)) // "session." wrapped onto the next line
        let c = try Fixtures.run("aider-stdout-issue2491-3.txt", .aiderStdout)
        #expect(c.usage == TokenUsage(input: 915_000, output: 94))
        #expect(approx(c.reported, 3.42))
        let legacy = try Fixtures.run("aider-stdout-issue257-legacy-1.txt", .aiderStdout)
        #expect(legacy.usage == TokenUsage(input: 11_491, output: 360))
        #expect(approx(legacy.reported, 0.078021)) // "session cost: $0.078021"
    }

    @Test func rateLimitNoiseIsRecognised() throws {
        let p = try Fixtures.run("aider-stdout-issue2491-2.txt", .aiderStdout)
        #expect(p.usage == .zero)
        #expect(p.apiErrors == [.rateLimit, .rateLimit]) // "litellm.RateLimitError…", "The API provider has rate limited you."
    }

    @Test func chatHistoryMarkdown() throws {
        let p = try Fixtures.run("aider-chat-history-aider-1.md", .aiderStdout)
        // Five "> Tokens:" lines: sent 21,523 + 194 + 194 + 194 + 202; cache hit 13,952 + 9,474 + 9,474;
        // cache write 9,474 + 2,728; received 9 + 7 + 7 + 7 + 18. Largest session total $0.0030.
        #expect(p.usage == TokenUsage(input: 22_307, cachedInput: 32_900, cacheWrite: 12_202, output: 48))
        #expect(approx(p.reported, 0.0030))
        #expect(p.meter.turns == 5)
    }

    @Test func analyticsLogs() throws {
        let a = try Fixtures.run("aider-analytics-log-aider-1.jsonl", .aiderAnalytics)
        // 15 message_send events: Σ prompt_tokens 326003, Σ completion_tokens 2600, Σ cost 0.35022.
        #expect(a.usage == TokenUsage(input: 326_003, output: 2_600))
        #expect(approx(a.reported, 0.35022, tolerance: 1e-9))
        #expect(a.meter.turns == 15)
        #expect(a.malformedLines == 0)
        let b = try Fixtures.run("aider-analytics-log-agon-capture-1.jsonl", .aiderAnalytics)
        #expect(b.usage == TokenUsage(input: 732, output: 95))
        #expect(b.reported == nil) // cost 0 for an unpriced model is not a reported price
    }
}

@Suite("OpenAI chat fixtures")
struct OpenAIChatFixtureTests {
    @Test(arguments: [
        ("openai-chat-sse-pydanticai-1.sse", TokenUsage(input: 53, output: 15), "gpt-4o-mini-2024-07-18"),
        ("openai-chat-sse-pydanticai-2.sse", TokenUsage(input: 78, output: 9), "gpt-4o-mini-2024-07-18"),
        // DeepSeek: completion 212 of which reasoning 198; usage on the finish_reason chunk.
        ("openai-chat-sse-pydanticai-3-deepseek.sse", TokenUsage(input: 6, output: 14, reasoning: 198), "deepseek-reasoner"),
        ("openai-chat-sse-pydanticai-4-crusoe-vllm.sse", TokenUsage(input: 46, output: 14), "meta-llama/Llama-3.3-70B-Instruct"),
        ("openai-chat-json-pydanticai-1-cerebras.json", TokenUsage(input: 42, output: 8), "llama-3.3-70b"),
        ("openai-chat-json-pydanticai-2-openai.json", TokenUsage(input: 24, output: 8), "gpt-4o-2024-08-06"),
    ])
    func totals(name: String, expected: TokenUsage, model: String) throws {
        let p = try Fixtures.run(name, .openAIChat)
        #expect(p.usage == expected)
        #expect(p.models == [model])
        #expect(p.meter.turns == 1)
        #expect(p.malformedLines == 0)
    }

    @Test func nonStreamingResponseHelper() throws {
        let data = Data(try Fixtures.text("openai-chat-json-pydanticai-2-openai.json").utf8)
        let r = try parseOpenAIChatResponse(data: data)
        #expect(r.content == "The capital of France is Paris.")
        #expect(r.usage == TokenUsage(input: 24, output: 8))
        #expect(r.model == "gpt-4o-2024-08-06")
    }
}
