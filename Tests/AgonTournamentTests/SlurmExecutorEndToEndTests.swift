import AgonAgents
import AgonCore
import AgonExecutors
import AgonStore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// `agon run --executor slurm` on a real single-node Slurm (scripts/slurm-single-node.sh): the
/// candidates run as array tasks of `agon worker`, and a worker killed under Slurm is retried once,
/// then marked crashed. Skips, saying why, when Slurm cannot start here.
@Suite(.serialized) struct SlurmExecutorEndToEndTests {
    static func slurmConfig(_ agents: String) -> String {
        agents + """

        executor:
          kind: slurm
          poll_interval: 0.3
          slurm: { partition: debug, time_margin: 2m }
        """
    }

    /// The argv of every live `agon worker` process for job `runID:index`.
    @Test func fourCandidatesRunAsSlurmJobsAndEndAsLocally() throws {
        let (started, _) = SingleNodeSlurm.start(packageRoot: TournamentFixture.packageRoot)
        guard let cluster = started else { return }
        defer { cluster.stop() }
        let fixture = try TournamentFixture(config: Self.slurmConfig(TournamentFixture.fourAgents))
        let environment = cluster.environment(fixture.environment)
        let run = try ProcessRun.run([TournamentFixture.agonBinary, "run", "specs/slugify.md", "--no-review", "--json"],
                                     in: fixture.repo, environment: environment, scratch: fixture.root)
        #expect(run.0 == 0, "agon run failed: \(run.2)")
        let store = try fixture.workspace().store()
        let runID = try #require(try store.listRuns().first?.runID)
        let record = try #require(try store.run(runID))
        ClusterJobProbe.expectFourDemoOutcomes(record)   // consensus included: the run went on after the jobs
        let host = ProcessInfo.processInfo.hostName
        for candidate in record.candidates {
            #expect(candidate.state == .finished)
            #expect(candidate.workerHost == host, "\(candidate.agent) has no worker host")
            #expect(candidate.attempt == 1)
            // Under Slurm the agent is contained as in a local run: bubblewrap whenever this machine has it.
            #expect(candidate.sandbox == (Sandbox.availableBwrap() != nil ? "bwrap" : "none"))
            // The worker's patch is on disk and applies to the base.
            if let patch = candidate.diff.patchPath { _ = try fixture.git("apply", "--check", fixture.repo + "/" + patch) }
        }
        // One array job: every job finished on its first attempt under the same Slurm handle,
        // and each task left its output file in the run's artifact directory.
        let jobs = try store.jobs(runID: runID)
        #expect(jobs.map(\.agent) == record.agentsPlanned)
        #expect(jobs.allSatisfy { $0.state == .finished && $0.attempt == 1 && $0.host == host })
        #expect(Set(jobs.compactMap(\.handle)).count == 1)
        let handle = try #require(jobs.first?.handle)
        let jobsDir = fixture.repo + "/.agon/runs/\(runID)/jobs"
        for index in 0..<4 {
            let output = (try? String(contentsOfFile: "\(jobsDir)/slurm-\(handle)_\(index).out", encoding: .utf8)) ?? ""
            #expect(output.contains("job \(runID):\(index)"), "task \(index) output: \(output)")
        }
        // A second worker for a finished job (a duplicate, or a late one) changes nothing.
        let before = try #require(try store.candidate(runID: runID, agent: "neat"))
        let duplicate = try ProcessRun.run([TournamentFixture.agonBinary, "worker", "--job", "\(runID):0", "--json"],
                                           in: fixture.repo, environment: environment, scratch: fixture.root)
        #expect(duplicate.0 == 0)
        #expect(duplicate.1.contains("\"action\" : \"already_done\""))
        #expect(try store.candidate(runID: runID, agent: "neat") == before)
    }

    @Test func aKilledWorkerIsRetriedOnceThenMarkedCrashed() throws {
        let (started, _) = SingleNodeSlurm.start(packageRoot: TournamentFixture.packageRoot)
        guard let cluster = started else { return }
        defer { cluster.stop() }
        // Two slow agents (about 6 s each), so their workers can be killed mid-run.
        let agents = """
        agents:
          once:  { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                   env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "6", DOUBLE_DELAY_MS: "1000" } }
          twice: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                   env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "6", DOUBLE_DELAY_MS: "1000" } }
        """
        let fixture = try TournamentFixture(config: Self.slurmConfig(agents))
        let (coordinator, stderrPath) = try ClusterJobProbe.startCoordinator(fixture, environment: cluster.environment(fixture.environment))
        defer { if coordinator.isRunning { coordinator.interrupt() } }
        let store = try fixture.workspace().store()

        var runID = ""
        #expect(TournamentFixture.wait(timeout: 30) { runID = (try? store.listRuns().first?.runID) ?? ""; return !runID.isEmpty })
        func killWorker(_ index: Int, attempt: Int) throws {
            try ClusterJobProbe.killWorker(store: store, runID: runID, index: index, attempt: attempt, stderrPath: stderrPath)
        }
        try killWorker(0, attempt: 1)
        try killWorker(1, attempt: 1)
        try killWorker(1, attempt: 2)
        #expect(TournamentFixture.wait(timeout: 120) { !coordinator.isRunning })
        let log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""

        let record = try #require(try store.run(runID))
        #expect(record.status == .done, "coordinator: \(log)")
        let once = try #require(record.candidate("once"))
        #expect(once.outcome == .ok)
        #expect(once.attempt == 2)
        #expect(once.checks.acceptance == .passed)
        let twice = try #require(record.candidate("twice"))
        #expect(twice.outcome == .crashed)
        #expect(twice.state == .finished)
        #expect(twice.attempt == 2)
        #expect(twice.apiErrorMessage?.hasPrefix("the job died twice; last: FAILED") == true, "\(twice.apiErrorMessage ?? "nil")")
        let jobs = try store.jobs(runID: runID)
        #expect(jobs.map(\.state) == [.finished, .crashed])
        #expect(jobs.map(\.attempt) == [2, 2])
        // The coordinator said what happened, and no worker of the run is left.
        #expect(log.contains("once: job died"), "\(log)")
        #expect(log.contains("twice: job died again"), "\(log)")
        #expect(ClusterJobProbe.workerPIDs(runID: runID, index: 0).isEmpty && ClusterJobProbe.workerPIDs(runID: runID, index: 1).isEmpty)
    }

    @Test func ctrlCCancelsTheRunsSlurmJobs() throws {
        let (started, _) = SingleNodeSlurm.start(packageRoot: TournamentFixture.packageRoot)
        guard let cluster = started else { return }
        defer { cluster.stop() }
        let agents = """
        agents:
          slow1: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                   env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "30", DOUBLE_DELAY_MS: "1000" } }
          slow2: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                   env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "30", DOUBLE_DELAY_MS: "1000" } }
        """
        let fixture = try TournamentFixture(config: Self.slurmConfig(agents))
        let (coordinator, _) = try ClusterJobProbe.startCoordinator(fixture, environment: cluster.environment(fixture.environment))
        defer { if coordinator.isRunning { kill(coordinator.processIdentifier, SIGKILL) } }
        let store = try fixture.workspace().store()
        var runID = ""
        let running = TournamentFixture.wait(timeout: 60) {
            runID = (try? store.listRuns().first?.runID) ?? ""
            let jobs = runID.isEmpty ? [] : ((try? store.jobs(runID: runID)) ?? [])
            return jobs.count == 2 && jobs.allSatisfy { $0.state == .running }
                && !ClusterJobProbe.workerPIDs(runID: runID, index: 0).isEmpty && !ClusterJobProbe.workerPIDs(runID: runID, index: 1).isEmpty
        }
        try #require(running, "the two workers never ran")
        coordinator.interrupt()   // SIGINT, as Ctrl-C
        #expect(TournamentFixture.wait(timeout: 60) { !coordinator.isRunning })
        #expect(coordinator.terminationStatus == 130)
        // Slurm cancelled both tasks, and their workers are gone.
        let handle = try #require(try store.jobs(runID: runID).first?.handle)
        let slurm = SlurmExecutor(settings: SlurmSettings(), outputDirectory: fixture.root,
                                  commandEnvironment: cluster.environment(fixture.environment))
        let batch = JobBatch(runID: runID, count: 2, workerArguments: [], hardTimeoutSeconds: 0)
        #expect(TournamentFixture.wait(timeout: 30) {
            let states = (try? slurm.states(batch, handle: handle)) ?? [:]
            return states[0]?.state == .cancelled && states[1]?.state == .cancelled
        })
        #expect(TournamentFixture.wait(timeout: 30) {
            ClusterJobProbe.workerPIDs(runID: runID, index: 0).isEmpty && ClusterJobProbe.workerPIDs(runID: runID, index: 1).isEmpty
        })
        #expect(try store.run(runID)?.status == .interrupted)
    }
}
