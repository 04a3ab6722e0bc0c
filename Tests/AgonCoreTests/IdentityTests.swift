import Foundation
import Testing
@testable import AgonCore

@Suite struct RunIDTests {
    struct FixedGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state }
    }

    @Test func generatesSortableUTCIds() throws {
        var generator = FixedGenerator(state: 1)
        let date = Date(timeIntervalSince1970: 1_795_439_702)  // 2026-11-23 13:15:02 UTC
        let id = RunID.generate(at: date, using: &generator)
        #expect(id.rawValue.hasPrefix("20261123-131502-"))
        #expect(id.rawValue.count == 20)
        #expect(RunID(id.rawValue) == id)
        #expect(id.date == date)
        let later = RunID.generate(at: date.addingTimeInterval(1), using: &generator)
        #expect(id < later)
        #expect(id.branchName(agent: "sonnet") == "agon/\(id.rawValue)/sonnet")
    }

    @Test(arguments: ["20261123-131502-k3f9", "20240229-235959-0000"])
    func acceptsValidIds(text: String) { #expect(RunID(text) != nil) }

    @Test(arguments: ["", "20261123-131502", "20261123-131502-K3F9", "20261323-131502-k3f9", "20261123-246000-k3f9",
                      "20230229-120000-abcd", "2026112-3131502-k3f9", "20261123_131502-k3f9", "20261123-131502-k3f9x"])
    func rejectsInvalidIds(text: String) { #expect(RunID(text) == nil) }

    @Test func codableAsAString() throws {
        let id = try #require(RunID("20261123-131502-k3f9"))
        let data = try JSONEncoder().encode([id])
        #expect(String(data: data, encoding: .utf8) == "[\"20261123-131502-k3f9\"]")
        #expect(try JSONDecoder().decode([RunID].self, from: data) == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([RunID].self, from: Data("[\"nope\"]".utf8)) }
    }
}

@Suite struct AgentIDTests {
    @Test(arguments: ["sonnet", "gpt-5.3", "judge_a", "A1", "9lives"])
    func valid(id: String) { #expect(AgentID.isValid(id)) }

    @Test(arguments: ["", "-x", ".x", "a b", "a/b", "a..b", "a.", "x.lock", "ü", String(repeating: "a", count: 65)])
    func invalid(id: String) { #expect(!AgentID.isValid(id)) }
}

@Suite struct ModelFamilyTests {
    @Test(arguments: [
        (Harness.claude, "claude-sonnet-4-6", "anthropic"),
        (.opencode, "anthropic/claude-sonnet-4-5", "anthropic"),
        (.codex, "gpt-5.3-codex", "openai"),
        (.openai, "o3-mini", "openai"),
        (.pi, "openai/o4-mini", "openai"),
        (.gemini, "gemini-3-flash-preview", "google"),
        (.openai, "deepseek-chat", "deepseek"),
        (.openai, "qwen3-coder", "qwen"),
        (.aider, "openrouter/meta-llama/llama-4-maverick", "meta"),
        (.aider, "mistral/devstral-medium", "mistral"),
        (.opencode, "xai/grok-4", "xai"),
        (.command, "foo-bar-7b", "foo"),
        (.command, "someco/model", "model"),
    ])
    func infersFamily(harness: Harness, model: String, family: String) {
        #expect(ModelFamily.infer(harness: harness, model: model) == family)
    }

    @Test func harnessImpliesFamilyWithoutModel() {
        #expect(ModelFamily.infer(harness: .claude, model: nil) == "anthropic")
        #expect(ModelFamily.infer(harness: .codex, model: nil) == "openai")
        #expect(ModelFamily.infer(harness: .gemini, model: nil) == "google")
        #expect(ModelFamily.infer(harness: .command, model: nil) == nil)
        #expect(ModelFamily.infer(harness: .opencode, model: nil) == nil)
    }

    @Test func overrideWins() {
        let entry = AgentEntry(id: "x", harness: .command, model: "my-finetune", family: "anthropic")
        #expect(entry.resolvedFamily == "anthropic")
    }

    @Test func identityTokensNameEverythingThatGivesAnAgentAway() {
        let entry = AgentEntry(id: "sonnet", harness: .claude, model: "anthropic/claude-sonnet-4-5-20250929")
        let tokens = ModelFamily.identityTokens(for: entry)
        for expected in ["sonnet", "anthropic/claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5",
                         "Claude Code", "Claude", "Anthropic", "Opus"] {
            #expect(tokens.contains(expected), "\(expected)")
        }
        // Case-insensitive duplicates ("Sonnet" vs the id "sonnet") appear once.
        #expect(tokens.filter { $0.lowercased() == "sonnet" }.count == 1)
        // Longest first, so a scanner reports the most specific match.
        #expect(tokens.first == "anthropic/claude-sonnet-4-5-20250929")

        let gpt = ModelFamily.identityTokens(for: AgentEntry(id: "gpt", harness: .codex, model: "gpt-5.3-codex"))
        #expect(Set(["gpt", "gpt-5.3-codex", "Codex", "OpenAI", "ChatGPT"]).isSubset(of: Set(gpt)))
        let pi = ModelFamily.identityTokens(for: AgentEntry(id: "p", harness: .pi, model: "gemini-2.5-pro"))
        #expect(pi.contains("Gemini") && !pi.contains("pi"))
        let aider = ModelFamily.identityTokens(for: AgentEntry(id: "a", harness: .aider, model: "deepseek-chat", binary: "/usr/local/bin/aider-chat"))
        #expect(Set(["Aider", "aider-chat", "DeepSeek"]).isSubset(of: Set(aider)))
    }
}
