import AgonCore
import Foundation
import Testing
@testable import AgonAgents

/// Metering a resumed session, and each adapter's resume command line.
@Suite("Session resume")
struct SessionResumeTests {
    static let price = CostMeterTests.price   // $1 / 1k input, $2 / 1k output

    @Test func cumulativeSnapshotsAndReportedCostCountOnlyAboveTheSessionSoFar() {
        // The session had 1,000 in / 100 out ($1.20 reported) before this process.
        var m = CostMeter(price: Self.price, cap: 0.5, snapshotBaseline: TokenUsage(input: 1000, output: 100),
                          reportedCostBaseline: 1.20)
        // The resumed thread's running total: 1,300 in / 150 out → this process used 300 / 50.
        #expect(m.apply(.usageSnapshot(TokenUsage(input: 1300, output: 150), model: nil)) == .continue)
        #expect(m.usage == TokenUsage(input: 300, output: 50))
        #expect(abs((m.computedUSD ?? -1) - 0.4) < 1e-12)
        // The CLI's session total $1.60 → $0.40 for this process.
        #expect(m.apply(.reportedCost(usd: 1.60, cumulative: true)) == .continue)
        #expect(abs((m.reportedUSD ?? -1) - 0.4) < 1e-12)
        // An old snapshot below the baseline (a copied rollout's first line) adds nothing.
        m.apply(.usageSnapshot(TokenUsage(input: 500, output: 10), model: nil))
        #expect(m.usage == TokenUsage(input: 300, output: 50))
        // The cap applies to this process's spend: 1,400 in / 150 out total → 400 / 50 = $0.50, not over.
        #expect(m.apply(.usageSnapshot(TokenUsage(input: 1400, output: 150), model: nil)) == .continue)
        // 1,410 in → $0.51 > $0.50: killed.
        #expect(m.apply(.usageSnapshot(TokenUsage(input: 1410, output: 150), model: nil)) == .kill(costAtCross: 0.51))
    }

    static func launch(_ harness: Harness) -> AgentLaunch {
        var launch = AgentLaunch(harness: harness, model: "m", prompt: "fix it please", worktree: "/w", artifactsDir: "/a")
        launch.runningAsRoot = false
        launch.resume = SessionResume(sessionID: "S-1", usageSoFar: TokenUsage(input: 7), artifactsDir: "/a0", reportedCostSoFar: 0.25)
        return launch
    }

    @Test func claudeResumesWithTheSameStreamFlags() throws {
        let paths = HarnessCommand.Paths(artifactsDir: "/a")
        let resumed = try HarnessCommand.build(for: Self.launch(.claude), paths: paths)
        var fresh = Self.launch(.claude)
        fresh.resume = nil
        let first = try HarnessCommand.build(for: fresh, paths: paths)
        #expect(resumed.arguments == Array(first.arguments.prefix(2)) + ["--resume", "S-1"] + Array(first.arguments.dropFirst(2)))
        #expect(resumed.snapshotBaseline == TokenUsage(input: 7) && resumed.reportedCostBaseline == 0.25)
    }

    @Test func codexResumesTheThreadWithTheSandboxAsAConfigValue() throws {
        let resumed = try HarnessCommand.build(for: Self.launch(.codex), paths: HarnessCommand.Paths(artifactsDir: "/a"))
        #expect(resumed.arguments == ["exec", "resume", "--json", "--skip-git-repo-check", "-c", "sandbox_mode=\"workspace-write\"",
                                      "--model", "m", "S-1", "fix it please"])
        #expect(resumed.environment["CODEX_HOME"] == "/a/codex-home")
        #expect(resumed.snapshotBaseline == TokenUsage(input: 7) && resumed.reportedCostBaseline == nil)
    }

    @Test func harnessesWithoutResumeRunTheirUsualCommand() throws {
        for harness in [Harness.aider, .gemini, .opencode, .pi] {
            #expect(!HarnessAdapters.adapter(for: harness).resumesSessions)
            var fresh = Self.launch(harness)
            fresh.resume = nil
            let paths = HarnessCommand.Paths(artifactsDir: "/a")
            #expect(try HarnessCommand.build(for: Self.launch(harness), paths: paths) == (try HarnessCommand.build(for: fresh, paths: paths)))
        }
    }
}
