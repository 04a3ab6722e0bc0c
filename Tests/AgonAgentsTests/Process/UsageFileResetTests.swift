import AgonCore
import Foundation
import Testing
@testable import AgonAgents

/// A redone attempt (`agon run --resume`) reuses the candidate's artifacts directory: usage an
/// earlier attempt appended to `usage.jsonl` must not be counted again.
@Suite struct UsageFileResetTests {
    @Test func anEarlierAttemptsUsageIsNotCountedAgain() throws {
        let fixture = try AgentDoubleFixture()
        let usage = fixture.artifacts + "/usage.jsonl"
        try "{\"input\":1000000,\"output\":1000000,\"model\":\"m\"}\n".write(toFile: usage, atomically: true, encoding: .utf8)
        let launch = AgentLaunch(harness: .command, command: ["/bin/sh", "-c", "printf '{\"input\":100,\"output\":10}\\n' >> \"$AGON_USAGE_FILE\""],
                                 price: AgentDoubleFixture.price, prompt: "p", worktree: fixture.worktree, artifactsDir: fixture.artifacts,
                                 parentEnvironment: ["PATH": "/usr/bin:/bin"])
        let result = AgentExecutor(launch: launch).run()
        #expect(result.outcome == .ok)
        #expect(result.usage.input == 100 && result.usage.output == 10)
        #expect(try String(contentsOfFile: usage, encoding: .utf8) == "{\"input\":100,\"output\":10}\n")
    }
}
