import AgonCore
import AgonStore
import Foundation
import Testing

/// What the cluster end-to-end tests (Slurm, Kubernetes) do to a running coordinator and its
/// workers: start `agon run` in the background, find a job's worker processes in /proc, and
/// SIGKILL a worker once it holds a given attempt.
enum ClusterJobProbe {
    /// `agon run specs/slugify.md --no-review` started in the fixture's repository; its stderr goes
    /// to the returned path (for failure messages).
    static func startCoordinator(_ fixture: TournamentFixture, environment: [String: String]? = nil) throws -> (Process, String) {
        let coordinator = Process()
        coordinator.executableURL = URL(fileURLWithPath: TournamentFixture.agonBinary)
        coordinator.arguments = ["run", "specs/slugify.md", "--no-review"]
        coordinator.currentDirectoryURL = URL(fileURLWithPath: fixture.repo)
        coordinator.environment = environment ?? fixture.environment
        coordinator.standardOutput = FileHandle.nullDevice
        let stderrPath = fixture.root + "/coordinator.stderr"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        coordinator.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try coordinator.run()
        return (coordinator, stderrPath)
    }

    /// The processes running `agon worker … --job <runID>:<index>` (read from /proc).
    static func workerPIDs(runID: String, index: Int) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let argv = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return argv.contains("worker") && argv.contains("\(runID):\(index)")
        }
    }

    /// SIGKILLs job `index`'s worker once the store says it holds `attempt` and its process is up;
    /// fails the test (with the coordinator's log and `context`) when that never happens.
    static func killWorker(store: RunStore, runID: String, index: Int, attempt: Int, stderrPath: String,
                           context: () -> String = { "" }) throws {
        var pids: [Int32] = []
        let claimed = TournamentFixture.wait(timeout: 60) {
            let job = (try? store.jobs(runID: runID))?.first { $0.index == index }
            pids = workerPIDs(runID: runID, index: index)
            return job?.state == .running && job?.attempt == attempt && !pids.isEmpty
        }
        let log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        try #require(claimed, "job \(index) attempt \(attempt) never ran; coordinator: \(log)\(context())")
        for pid in pids { kill(pid, SIGKILL) }
    }

    /// The four demo agents end as in a local run (TournamentRunTests.fourAgentsEndAsExpected).
    static func expectFourDemoOutcomes(_ record: RunRecord) {
        let byAgent = Dictionary(uniqueKeysWithValues: record.candidates.map { ($0.agent, $0) })
        #expect(record.status == .done)
        #expect(byAgent["neat"]?.outcome == .ok)
        #expect(byAgent["neat"]?.checks == CheckSummary(acceptance: .passed, holdout: .passed, scope: .passed))
        #expect(byAgent["sprawl"]?.checks.scope == .failed)
        #expect(byAgent["wrong"]?.checks.acceptance == .failed)
        #expect(byAgent["spendy"]?.outcome == .costKilled)
        #expect(record.consensus != nil)
    }
}
