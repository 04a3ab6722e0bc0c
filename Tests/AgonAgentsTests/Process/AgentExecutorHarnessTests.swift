import AgonCore
import Foundation
import Testing
@testable import AgonAgents

/// Every harness end-to-end: the double speaks the real CLI's format, edits the worktree, and
/// Agon parses, meters and classifies it.
@Suite struct AgentExecutorHarnessTests {
    static let agentHarnesses: [Harness] = [.claude, .codex, .gemini, .opencode, .pi, .aider, .command]

    @Test(arguments: agentHarnesses)
    func cleanRunIsOkWithExactUsageAndCost(harness: Harness) throws {
        let fx = try AgentDoubleFixture()
        var progress: [AgentProgress] = []
        let result = AgentExecutor(launch: fx.launch(harness), progressInterval: 0) { progress.append($0) }.run()
        #expect(result.outcome == .ok, "\(harness): \(result.errorMessage ?? "") \(String(describing: result.exitStatus))")
        #expect(result.exitStatus == .exited(0))
        // Two turns of 1000 input / 200 output tokens at $3 / $15 per MTok.
        #expect(result.usage == TokenUsage(input: 2000, output: 400), "\(harness)")
        let cost = try #require(result.costUSD, "\(harness) cost")
        #expect(abs(cost - 0.012) < 1e-9, "\(harness) cost \(cost)")
        #expect(result.costSource == ([.codex, .gemini].contains(harness) ? .computed : .reported), "\(harness)")
        #expect(fx.read("agent_output.txt") == "edit by \(harness.rawValue == "command" ? "command" : harness.rawValue) double\n")
        #expect(result.firstAttemptMs != nil, "\(harness) reports its edit")
        #expect(result.malformedLines == 0)
        #expect(result.survivors.isEmpty)
        #expect(progress.last?.state == .finished(.ok))
        let transcript = try String(contentsOfFile: result.transcriptPath, encoding: .utf8)
        #expect(!transcript.isEmpty)
        let prompt = try String(contentsOfFile: fx.artifacts + "/prompt.md", encoding: .utf8)
        #expect(prompt == "Add a line to agent_output.txt")
    }

    @Test(arguments: [Harness.claude, .codex, .gemini, .opencode, .pi, .aider])
    func apiErrorShapesAreRecognised(harness: Harness) throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(harness, double: ["DOUBLE_MODE": "apierror"])).run()
        #expect(result.outcome == .apiError, "\(harness): \(String(describing: result.exitStatus))")
        #expect(result.apiErrorKind != nil)
    }

    @Test func commandApiErrorOnStderrIsRecognised() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.command, double: ["DOUBLE_MODE": "apierror"])).run()
        #expect(result.outcome == .apiError)
        #expect(result.apiErrorKind == .rateLimit)
        let stderr = try String(contentsOfFile: result.stderrPath, encoding: .utf8)
        #expect(stderr.contains("429 Too Many Requests"))
    }

    @Test(arguments: [Harness.claude, .codex, .command])
    func failingAgentIsAgentError(harness: Harness) throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(harness, double: ["DOUBLE_MODE": "fail"])).run()
        #expect(result.outcome == .agentError)
        #expect(result.exitStatus == .exited(1))
        #expect(result.errorMessage != nil)
    }

    @Test func aiderCountsAnalyticsOrStdoutNeverBoth() throws {
        let withLog = try AgentDoubleFixture()
        let a = AgentExecutor(launch: withLog.launch(.aider)).run()
        #expect(a.usage == TokenUsage(input: 2000, output: 400))
        let withoutLog = try AgentDoubleFixture()
        let b = AgentExecutor(launch: withoutLog.launch(.aider, double: ["DOUBLE_AIDER_NO_ANALYTICS": "1"])).run()
        #expect(b.outcome == .ok)
        #expect(b.usage == TokenUsage(input: 2000, output: 400))
        #expect(abs((b.costUSD ?? 0) - 0.012) < 1e-9)
    }

    @Test func codexGetsPrivateHomeWithUserAuthAndRolloutIsTailed() throws {
        let fx = try AgentDoubleFixture()
        try FileManager.default.createDirectory(atPath: fx.root + "/.codex", withIntermediateDirectories: true)
        try "{\"token\":\"x\"}".write(toFile: fx.root + "/.codex/auth.json", atomically: true, encoding: .utf8)
        let providers = "model_provider = \"local\"\n[model_providers.local]\nbase_url = \"http://127.0.0.1:9/v1\"\n"
        try providers.write(toFile: fx.root + "/.codex/config.toml", atomically: true, encoding: .utf8)
        let result = AgentExecutor(launch: fx.launch(.codex)).run()
        #expect(result.outcome == .ok)
        let home = fx.artifacts + "/codex-home"
        #expect(try String(contentsOfFile: home + "/auth.json", encoding: .utf8) == "{\"token\":\"x\"}")
        #expect(try String(contentsOfFile: home + "/config.toml", encoding: .utf8) == providers)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: home + "-tmp", isDirectory: &isDirectory) && isDirectory.boolValue)
        let rollouts = FileManager.default.enumerator(atPath: home + "/sessions")?.allObjects.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".jsonl") } ?? []
        #expect(rollouts.count == 1)
    }

    @Test func missingBinaryIsAnActionableAgentError() throws {
        let fx = try AgentDoubleFixture()
        var launch = fx.launch(.claude)
        launch.binary = "no-such-agent-cli"
        let result = AgentExecutor(launch: launch).run()
        #expect(result.outcome == .agentError)
        #expect(result.errorMessage?.contains("'no-such-agent-cli' not found on PATH") == true)
        #expect(result.exitStatus == nil)
    }

    @Test func codexSeesOnlyTheKeysItsEntryNames() throws {
        let fx = try AgentDoubleFixture()
        let dump = fx.root + "/env.txt"
        _ = AgentExecutor(launch: fx.launch(.codex, double: ["DOUBLE_DUMP_ENV": dump])).run()
        let bare = try String(contentsOfFile: dump, encoding: .utf8)
        #expect(!bare.contains("OPENAI_API_KEY"))
        #expect(!bare.contains("ANTHROPIC_API_KEY"))
        #expect(bare.contains("CODEX_HOME=" + fx.artifacts + "/codex-home"))
        #expect(bare.contains("AGON_PROCESS_TAG="))

        let named = try AgentDoubleFixture()
        let dump2 = named.root + "/env.txt"
        _ = AgentExecutor(launch: named.launch(.codex, double: ["DOUBLE_DUMP_ENV": dump2], passThrough: ["OPENAI_API_KEY"])).run()
        let withKey = try String(contentsOfFile: dump2, encoding: .utf8)
        #expect(withKey.contains("OPENAI_API_KEY=sk-openai-secret"))
        #expect(!withKey.contains("ANTHROPIC_API_KEY"))
    }
}
