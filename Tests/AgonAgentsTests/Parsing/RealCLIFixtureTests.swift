import AgonCore
import Foundation
import Testing
@testable import AgonAgents

/// Output of the pinned real CLIs against the scripted model server, whose usage is known exactly:
/// 1,000 in / 50 out, then 1,200 in / 10 out (SOURCES.md).
@Suite("Real CLI captures against the scripted server")
struct RealCLIFixtureTests {
    static let scripted = TokenUsage(input: 2200, output: 60)

    @Test(arguments: ["claude-stream-json-real-2.1.332-scripted-1.jsonl", "claude-stream-json-real-2.1.332-agon-live-1.jsonl"])
    func claudeCode(name: String) throws {
        let p = try Fixtures.run(name, .claudeStreamJSON)
        #expect(p.usage == Self.scripted)
        #expect(approx(p.reported, 0.0075)) // total_cost_usd = 2,200 × $3/M + 60 × $15/M
        #expect(p.results.count == 1 && p.results[0].isError == false)
        #expect(p.malformedLines == 0)
    }

    @Test(arguments: ["codex-exec-json-real-0.147.0-scripted-1.jsonl", "codex-exec-json-real-0.147.0-agon-live-1.jsonl"])
    func codexExec(name: String) throws {
        let p = try Fixtures.run(name, .codexExecJSON)
        #expect(p.usage == Self.scripted)
        #expect(p.reported == nil) // codex reports no cost
        #expect(p.malformedLines == 0)
    }

    @Test func aiderStdoutAndAnalyticsAgree() throws {
        let stdout = try Fixtures.run("aider-stdout-real-0.86.2-agon-live-1.txt", .aiderStdout)
        #expect(stdout.usage == TokenUsage(input: 2200, output: 60)) // "1.0k" and "1.2k" are exact here
        #expect(approx(stdout.reported, 0.00098)) // the session total, rounded for display
        #expect(stdout.fileEditPaths == ["calc/__init__.py"])
        #expect(stdout.meter.turns == 2)
        let log = try Fixtures.run("aider-analytics-log-real-0.86.2-agon-live-1.jsonl", .aiderAnalytics)
        #expect(log.usage == Self.scripted)
        #expect(approx(log.reported, 1000 * 0.4e-6 + 50 * 1.6e-6 + 1200 * 0.4e-6 + 10 * 1.6e-6, tolerance: 1e-15))
        #expect(log.meter.turns == 2)
        // Two model calls, each announced before it is sent: the silence timeout pauses between them.
        let calls = log.events.compactMap { if case .modelCall(let inFlight) = $0 { return inFlight } else { return nil } }
        #expect(calls == [true, false, true, false, false])
    }
}
