import AgonCore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// `agon followup` with the real Claude Code and Codex CLIs against the scripted model server:
/// their real resume flags are accepted, they find their session (sandboxed: in the copied
/// private HOME and CODEX_HOME), the model gets the earlier conversation, and attempt 2 is
/// charged exactly its own scripted tokens although codex reports the thread's running total.
@Suite("Real CLIs: follow-ups through session resume", .serialized,
       .enabled(if: LiveCLIs.path("claude") != nil && LiveCLIs.path("codex") != nil,
                "the real CLIs are not installed: run `make live-deps` (pinned claude and codex in .venv-live)"))
struct LiveFollowUpTests {
    static let wrong = "sed -i 's/return a - b/return a * b/' calc/__init__.py"
    static let fix = "sed -i 's/return a \\* b/return a + b/' calc/__init__.py"

    @Test func claudeAndCodexResumeTheirSessions() throws {
        let fx = try LiveFixture(budget: 1.0)
        let server = fx.server
        try server.script("claude", [.tool("Bash", ["command": Self.wrong, "description": "edit add"], input: 1000, output: 50),
                                     .text("Done.", input: 1200, output: 10),
                                     .tool("Bash", ["command": Self.fix, "description": "fix add"], input: 1500, output: 40),
                                     .text("Fixed.", input: 1600, output: 10)])
        try server.script("codex", [.tool("exec_command", ["cmd": Self.wrong], input: 1000, output: 50),
                                    .text("Done.", input: 1200, output: 10),
                                    .tool("exec_command", ["cmd": Self.fix], input: 1500, output: 40),
                                    .text("Fixed.", input: 1600, output: 10)])
        let run = try fx.agon("run", "fix.md", "--agents", "claude,codex", "--no-review", "--json")
        let record = try fx.record(run.stdout)
        for agent in ["claude", "codex"] {
            let c = try #require(record.candidate(agent))
            #expect(c.outcome == .ok && c.checks.acceptance == .failed, "\(agent): \(c.outcome.map(\.rawValue) ?? "-") \(fx.text(c.stderrPath).suffix(1500))")
            #expect(c.sessionID != nil, "\(agent) named no session")
        }

        let followUp = try fx.agon("followup", record.runID, "--all-near-misses", "add must add, not multiply", "--json")
        #expect(followUp.status == 0, "agon followup: \(followUp.stderr)")
        let stored = try #require(try Workspace.open(from: fx.repo, environment: fx.environment).store().run(record.runID))
        // Exactly the follow-up's scripted usage: turns 3 and 4.
        let attempt2 = TokenUsage(input: 3100, output: 50)
        let prices = ["claude": (3.0e-6, 15.0e-6), "codex": (1.25e-6, 10.0e-6)]
        for agent in ["claude", "codex"] {
            let c = try #require(stored.candidate(agent))
            let dir = fx.repo + "/.agon/runs/\(record.runID)/candidates/\(agent)/attempt-2"
            let stderrText = fx.text(dir + "/stderr.txt")
            #expect(c.attempts.count == 2 && c.attempts[1].kind == .resumed, "\(agent): \(c.attempts.map(\.kind))")
            #expect(c.attempts[1].sessionID == record.candidate(agent)?.sessionID)
            #expect(c.attempts[1].outcome == .ok, "\(agent): \(c.attempts[1].outcome.map(\.rawValue) ?? "-") \(stderrText.suffix(1500))")
            for refusal in ["unknown option", "unexpected argument", "No conversation found", "not found"] {
                #expect(!stderrText.contains(refusal), "\(agent): \(stderrText.suffix(800))")
            }
            #expect(c.checks.acceptance == .passed && c.successAttempt == 2)
            #expect(fx.text(c.diff.patchPath).contains("+    return a + b"))
            #expect(c.attempts[1].tokens == attempt2, "\(agent) attempt 2 tokens \(c.attempts[1].tokens)")
            #expect(c.tokens == TokenUsage(input: 5300, output: 110), "\(agent) total \(c.tokens)")
            let (pin, pout) = prices[agent]!
            #expect(abs((c.attempts[1].costUSD ?? -1) - (3100 * pin + 50 * pout)) < 1e-12, "\(agent) cost \(c.attempts[1].costUSD ?? -1)")
            #expect(server.turnsServed(script: agent) == 4)
        }
        // The resumed requests carried the first attempt's conversation (the CLIs resumed, not restarted).
        for agent in ["claude", "codex"] {
            let bodies = server.requests(script: agent).compactMap { $0["body"] }.map { "\($0)" }
            let resumed = bodies.filter { $0.contains("add must add, not multiply") }
            #expect(!resumed.isEmpty && resumed.allSatisfy { $0.contains("return a * b") || $0.contains("Done.") },
                    "\(agent): the resumed request lacks the earlier turns")
        }
        #expect(TournamentFixture.processes(ofRun: record.runID).isEmpty)
    }
}
