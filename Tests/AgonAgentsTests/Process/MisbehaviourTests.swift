import AgonCore
import Foundation
import Testing
@testable import AgonAgents

/// Nothing an agent does can break Agon: each misbehaviour of the double ends in the right outcome
/// with nothing left running.
@Suite struct MisbehaviourTests {
    /// Cost of one double turn at the default 1000/200 tokens: $0.006.
    static let turnCost = 1000 * 3e-6 + 200 * 15e-6

    @Test(arguments: [Harness.claude, .codex, .opencode, .pi, .command])
    func overspendIsKilledAtTheCrossingEvent(harness: Harness) throws {
        let fx = try AgentDoubleFixture()
        let cap = 0.05
        let result = AgentExecutor(launch: fx.launch(harness, double: ["DOUBLE_MODE": "overspend"], cap: cap)).run()
        #expect(result.outcome == .costKilled, "\(harness)")
        let killedAt = try #require(result.costKilledAt)
        #expect(killedAt > cap)
        #expect(killedAt - cap <= Self.turnCost + 1e-9, "overshoot \(killedAt - cap) is more than one event")
        #expect(result.exitStatus == .signaled(SIGTERM), "the double exits on SIGTERM")
        #expect(!result.usedSIGKILL)
        #expect(result.survivors.isEmpty)
        #expect(result.killLatencyMs != nil)
    }

    @Test func zeroBudgetMeansTallyOnly() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_TURNS": "20"], cap: 0)).run()
        #expect(result.outcome == .ok)
        #expect(result.costKilledAt == nil)
        #expect(abs((result.costUSD ?? 0) - 20 * Self.turnCost) < 1e-9)
    }

    @Test func hangIsStoppedByTheHardTimeout() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_MODE": "hang"], hardTimeout: 1)).run()
        #expect(result.outcome == .timeout)
        #expect(result.stopReason == .hardTimeout)
        #expect(result.survivors.isEmpty)
    }

    @Test func silentAgentIsStoppedByTheSilenceTimeout() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_MODE": "silent"], hardTimeout: 30, silence: 0.7)).run()
        #expect(result.outcome == .silenceTimeout)
        #expect(result.sessionID != nil, "what it said before going quiet was parsed")
    }

    @Test func geminiExitingZeroOnSIGTERMIsNeverOk() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.gemini, double: ["DOUBLE_MODE": "hang"], hardTimeout: 1)).run()
        #expect(result.exitStatus == .exited(0))
        #expect(result.outcome == .timeout)
    }

    @Test func agentIgnoringSIGTERMIsKilledAfterTheGrace() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_MODE": "ignore_sigterm", "DOUBLE_DELAY_MS": "20"],
                                                     cap: 0.03, grace: 0.5)).run()
        #expect(result.outcome == .costKilled)
        #expect(result.usedSIGKILL)
        #expect(result.exitStatus == .signaled(SIGKILL))
        #expect(result.survivors.isEmpty)
    }

    @Test func floodIsBoundedAndStillMetered() throws {
        let fx = try AgentDoubleFixture()
        var launch = fx.launch(.claude, double: ["DOUBLE_MODE": "flood", "DOUBLE_FLOOD_MB": "3"])
        launch.maxLineBytes = 64 * 1024
        launch.transcriptCapBytes = 1 << 20
        let result = AgentExecutor(launch: launch).run()
        #expect(result.outcome == .ok)
        #expect(result.overlongLines == 1, "the 10 MB line")
        #expect(result.transcriptTruncated)
        let size = try FileManager.default.attributesOfItem(atPath: result.transcriptPath)[.size] as? Int ?? .max
        #expect(size <= (1 << 20) + 200)
        #expect(result.usage == TokenUsage(input: 2000, output: 400), "turns after the flood still count")
    }

    @Test func garbageLinesAreCountedAndSkipped() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_MODE": "garbage"])).run()
        #expect(result.outcome == .ok)
        #expect(result.malformedLines == 2)
        #expect(result.usage == TokenUsage(input: 2000, output: 400))
    }

    @Test func truncatedLastLineIsTolerated() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_MODE": "truncate"])).run()
        #expect(result.outcome == .ok)
        #expect(result.malformedLines == 1)
        #expect(abs((result.costUSD ?? 0) - 0.012) < 1e-9)
    }

    @Test func crashIsCrashed() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.codex, double: ["DOUBLE_MODE": "crash"])).run()
        #expect(result.outcome == .crashed)
        #expect(result.exitStatus == .signaled(SIGSEGV))
    }

    @Test func lingeringDescendantsAllDie() throws {
        ChildSubreaper.enable()
        let fx = try AgentDoubleFixture()
        let pidsFile = fx.root + "/pids.txt"
        let result = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_MODE": "grandchildren", "DOUBLE_PIDS_FILE": pidsFile])).run()
        #expect(result.outcome == .ok)
        #expect(result.survivors.isEmpty)
        let pids = try String(contentsOfFile: pidsFile, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        #expect(pids.count == 3, "child, its background grandchild, and a setsid escapee")
        for pid in pids { #expect(isDead(pid), "pid \(pid) survived") }
        let group = try #require(result.pid)
        #expect(ProcessTable.all().filter { $0.pgid == group && $0.isAlive }.isEmpty)
    }

    @Test func escapingWriteDoesNotBreakTheRun() throws {
        let fx = try AgentDoubleFixture()
        let outside = fx.root + "/escaped.txt"
        let result = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_MODE": "escape", "DOUBLE_ESCAPE_PATH": outside])).run()
        #expect(result.outcome == .ok)
        #expect(FileManager.default.fileExists(atPath: outside), "left for the lead's scope check to find")
    }

    @Test func cancelInterruptsTheRun() throws {
        let fx = try AgentDoubleFixture()
        let executor = AgentExecutor(launch: fx.launch(.claude, double: ["DOUBLE_MODE": "silent"]))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { executor.cancel() }
        let result = executor.run()
        #expect(result.outcome == .interrupted)
        #expect(result.survivors.isEmpty)
    }

    @Test func asyncWrapperRunsOnItsOwnThread() async throws {
        let fx = try AgentDoubleFixture()
        let result = await AgentExecutor(launch: fx.launch(.pi)).runInBackground()
        #expect(result.outcome == .ok)
    }
}
