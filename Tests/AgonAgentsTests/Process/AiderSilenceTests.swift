import AgonCore
import Foundation
import Testing
@testable import AgonAgents

/// aider without streaming prints nothing while the model generates; its analytics log says when
/// a model call is in flight, and the silence timeout must not fire meanwhile.
@Suite struct AiderSilenceTests {
    /// A stand-in `aider` (a real process) that logs a model call, stays silent for 2.5 s, then logs
    /// the call's usage the way aider 0.86.2 does and exits.
    static func slowAider(in fx: AgentDoubleFixture, announcesCall: Bool) throws -> String {
        let path = fx.root + "/slow-aider"
        let starting = announcesCall ? #"echo '{"event": "message_send_starting", "properties": {}}' >> "$log""# : ":"
        try """
        #!/bin/sh
        while [ $# -gt 0 ]; do [ "$1" = --analytics-log ] && log="$2"; shift; done
        \(starting)
        sleep 2.5
        echo '{"event": "message_send", "properties": {"main_model": "openai/m", "prompt_tokens": 1000, "completion_tokens": 50, "cost": 0}}' >> "$log"
        echo 'Tokens: 1.0k sent, 50 received.'
        """.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func aModelCallInFlightPausesTheSilenceTimeout() throws {
        let fx = try AgentDoubleFixture()
        var launch = fx.launch(.aider, silence: 1)
        launch.binary = try Self.slowAider(in: fx, announcesCall: true)
        let result = AgentExecutor(launch: launch).run()
        #expect(result.outcome == .ok, "\(result.outcome) \(result.errorMessage ?? "")")
        #expect(result.usage == TokenUsage(input: 1000, output: 50))
    }

    @Test func silenceWithNoCallInFlightStillStopsTheAgent() throws {
        let fx = try AgentDoubleFixture()
        var launch = fx.launch(.aider, silence: 1)
        launch.binary = try Self.slowAider(in: fx, announcesCall: false)
        let result = AgentExecutor(launch: launch).run()
        #expect(result.outcome == .silenceTimeout)
        #expect(result.durationMs < 2400, "stopped after about 1 s of silence, not at the end of the sleep")
    }
}

/// aider prints `Tokens: 1.2k sent` (rounded) just before it logs the exact counts; the exact
/// log must win, and stdout is used only when no log appears.
@Suite struct AiderUsageSourceTests {
    @Test func theAnalyticsLogWinsOverRoundedStdout() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.aider, double: ["DOUBLE_TURNS": "2", "DOUBLE_TOKENS_PER_TURN": "1234/56"])).run()
        #expect(result.outcome == .ok)
        #expect(result.usage == TokenUsage(input: 2468, output: 112), "stdout alone would say 2 × 1.2k = 2400")
        #expect(result.turns == 2)
    }

    @Test func withoutALogStdoutIsUsedAfterAShortWait() throws {
        let fx = try AgentDoubleFixture()
        let result = AgentExecutor(launch: fx.launch(.aider, double: ["DOUBLE_TURNS": "2", "DOUBLE_TOKENS_PER_TURN": "1234/56",
                                                                      "DOUBLE_AIDER_NO_ANALYTICS": "1"])).run()
        #expect(result.outcome == .ok)
        #expect(result.usage == TokenUsage(input: 2400, output: 112))
        #expect(result.turns == 2)
    }
}
