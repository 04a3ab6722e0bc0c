import AgonCore
import AgonExecutors
import AgonStore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// `agon run --executor kubernetes` against FakeKubernetesServer's mini-kubelet: the coordinator
/// posts real Job manifests, the fake runs each pod's container command (expanded as Kubernetes
/// does) as a local `agon worker` process, and the coordinator follows the pods by list + watch.
/// What the manifest says is what runs: a wrong command or environment fails the worker.
@Suite(.serialized, .enabled(if: PythonServer.available)) struct KubernetesEndToEndTests {
    /// A Kubernetes engine with a fake API server and kubeconfig, for one fixture.
    final class Cluster {
        let server: FakeKubernetesServer
        let dir: String

        /// The fake's "image" environment is the fixture's (agent doubles on PATH, its HOME), with
        /// the built `agon` on PATH too, as the image has it.
        init(fixture: TournamentFixture, nodes: [String] = ["node-a", "node-b"]) throws {
            var image = fixture.environment
            image["PATH"] = fixture.bin + ":" + URL(fileURLWithPath: TournamentFixture.agonBinary).deletingLastPathComponent().path + ":/usr/local/bin:/usr/bin:/bin"
            server = try FakeKubernetesServer(scenario: [:], kubelet: .init(nodes: nodes, imageEnvironment: image))
            dir = fixture.root + "/kube"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try server.token.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
            // tokenFile, as `kubectl create token` users write it; the namespace comes from the context.
            try """
            current-context: fake
            contexts: [{name: fake, context: {cluster: fake, user: agon, namespace: agents}}]
            clusters: [{name: fake, cluster: {server: "\(server.server)"}}]
            users: [{name: agon, user: {tokenFile: \(dir)/token}}]
            """.write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        }

        func config(_ agents: String) -> String {
            agents + """

            executor:
              kind: kubernetes
              poll_interval: 0.3
              kubernetes: { image: "registry.example.com/agon:test", kubeconfig: \(dir)/config }
            """
        }

        /// The Jobs the coordinator posted, by name.
        func postedJobs() -> [String: [String: Any]] {
            var jobs: [String: [String: Any]] = [:]
            for request in server.requests() where request["method"] as? String == "POST" {
                if let body = request["body"] as? [String: Any], let name = (body["metadata"] as? [String: Any])?["name"] as? String {
                    jobs[name] = body
                }
            }
            return jobs
        }

        func deletedPaths() -> [String] {
            server.requests().filter { $0["method"] as? String == "DELETE" }.compactMap { $0["path"] as? String }
        }

        /// Every pod's output, for failure messages.
        var logs: String { server.podLogs().sorted { $0.key < $1.key }.map { "--- \($0.key)\n\($0.value)" }.joined(separator: "\n") }

        func stop() { server.stop() }
    }

    /// The PIDs of every live `agon worker` process for job `runID:index`.
    /// The node names a pod spec's required node affinity excludes (`matchFields metadata.name NotIn`).
    static func avoidedNodes(_ job: [String: Any]) -> [String] {
        let spec = ((job["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
        let affinity = (spec?["affinity"] as? [String: Any])?["nodeAffinity"] as? [String: Any]
        let terms = (affinity?["requiredDuringSchedulingIgnoredDuringExecution"] as? [String: Any])?["nodeSelectorTerms"] as? [[String: Any]] ?? []
        return terms.flatMap { ($0["matchFields"] as? [[String: Any]] ?? []) }
            .filter { $0["key"] as? String == "metadata.name" && $0["operator"] as? String == "NotIn" }
            .flatMap { $0["values"] as? [String] ?? [] }
    }

    /// Both store backends when PostgreSQL is there: with `AGON_STORE_URL` the pods must be given
    /// the store's URL, since a pod has none of the coordinator's environment.
    @Test(arguments: StoreBackend.available)
    func fourCandidatesRunAsPodsAndEndAsLocally(backend: StoreBackend) throws {
        let fixture = try TournamentFixture(config: nil)
        let cluster = try Cluster(fixture: fixture)
        defer { cluster.stop() }
        try fixture.writeConfig(cluster.config(TournamentFixture.fourAgents))
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "agon.yml")
        var environment = fixture.environment
        let scratch = backend == .postgres ? try ScratchStore(.postgres) : nil
        if let scratch { environment[StoreLocation.environmentVariable] = scratch.urlOrPath }

        let run = try ProcessRun.run([TournamentFixture.agonBinary, "run", "specs/slugify.md", "--no-review", "--json"],
                                     in: fixture.repo, environment: environment, scratch: fixture.root)
        #expect(run.0 == 0, "agon run failed: \(run.2)\npods:\n\(cluster.logs)")
        let store = try Workspace.open(from: fixture.repo, environment: environment).store()
        let runID = try #require(try store.listRuns().first?.runID)
        let record = try #require(try store.run(runID))
        ClusterJobProbe.expectFourDemoOutcomes(record)
        for (index, candidate) in record.candidates.enumerated() {
            #expect(candidate.state == .finished)
            #expect(candidate.attempt == 1)
            // The node the fake scheduled the pod on (the downward API), not the pod's host name.
            #expect(candidate.workerHost == (index % 2 == 0 ? "node-a" : "node-b"), "\(candidate.agent): \(candidate.workerHost ?? "nil")")
            if let patch = candidate.diff.patchPath { _ = try fixture.git("apply", "--check", fixture.repo + "/" + patch) }
        }
        // One Indexed Job, every pod Succeeded, each pod's process the worker of its own index.
        let jobs = try store.jobs(runID: runID)
        #expect(jobs.allSatisfy { $0.state == .finished && $0.attempt == 1 && $0.handle == "agon-\(runID)" })
        let posted = cluster.postedJobs()
        #expect(Array(posted.keys) == ["agon-\(runID)"])
        // The pod runs the image's agon (on the image's PATH), not the coordinator's path to its binary.
        let container = ((((posted["agon-\(runID)"]?["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"]
            as? [String: Any])?["containers"] as? [[String: Any]])?.first
        #expect((container?["command"] as? [String])?.first == "agon")
        for index in 0..<4 {
            #expect(cluster.server.podLog("agon-\(runID)-\(index)").contains("job \(runID):\(index)"))
        }
        #expect(cluster.deletedPaths().isEmpty)
    }

    static let slowAgents = """
    agents:
      once:  { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
               env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "6", DOUBLE_DELAY_MS: "1000" } }
      twice: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
               env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "6", DOUBLE_DELAY_MS: "1000" } }
    """

    @Test func aKilledWorkerIsRetriedOffItsNodeThenMarkedCrashed() throws {
        let fixture = try TournamentFixture(config: nil)
        let cluster = try Cluster(fixture: fixture)
        defer { cluster.stop() }
        try fixture.writeConfig(cluster.config(Self.slowAgents))
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "agon.yml")
        let (coordinator, stderrPath) = try ClusterJobProbe.startCoordinator(fixture)
        defer { if coordinator.isRunning { kill(coordinator.processIdentifier, SIGKILL) } }
        let store = try fixture.workspace().store()

        var runID = ""
        #expect(TournamentFixture.wait(timeout: 30) { runID = (try? store.listRuns().first?.runID) ?? ""; return !runID.isEmpty })
        func killWorker(_ index: Int, attempt: Int) throws {
            try ClusterJobProbe.killWorker(store: store, runID: runID, index: index, attempt: attempt, stderrPath: stderrPath,
                                           context: { "\npods:\n\(cluster.logs)" })
        }
        try killWorker(0, attempt: 1)
        try killWorker(1, attempt: 1)
        try killWorker(1, attempt: 2)
        #expect(TournamentFixture.wait(timeout: 120) { !coordinator.isRunning })
        let log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""

        let record = try #require(try store.run(runID))
        #expect(record.status == .done, "coordinator: \(log)")
        let once = try #require(record.candidate("once"))
        #expect(once.outcome == .ok, "\(once.apiErrorMessage ?? "") coordinator: \(log)\npods:\n\(cluster.logs)")
        #expect(once.attempt == 2)
        #expect(once.checks.acceptance == .passed)
        // Index 0 ran on node-a first; its retry was kept off node-a, so it ran on node-b.
        #expect(once.workerHost == "node-b")
        let twice = try #require(record.candidate("twice"))
        #expect(twice.outcome == .crashed)
        #expect(twice.state == .finished)
        #expect(twice.attempt == 2)
        // SIGKILL is exit 137, as the container runtime reports it.
        #expect(twice.apiErrorMessage == "the job died twice; last: Error (exit 137)", "\(twice.apiErrorMessage ?? "nil")")
        #expect(try store.jobs(runID: runID).map(\.state) == [.finished, .crashed])

        // Each retry was a one-pod Job of its own with a required anti-affinity to the failed node.
        let posted = cluster.postedJobs()
        #expect(Set(posted.keys) == ["agon-\(runID)", "agon-\(runID)-retry-0", "agon-\(runID)-retry-1"])
        #expect(Self.avoidedNodes(try #require(posted["agon-\(runID)-retry-0"])) == ["node-a"])
        #expect(Self.avoidedNodes(try #require(posted["agon-\(runID)-retry-1"])) == ["node-b"])
        #expect(Self.avoidedNodes(try #require(posted["agon-\(runID)"])).isEmpty)
        #expect(log.contains("once: job died"), "\(log)")
        #expect(log.contains("twice: job died again"), "\(log)")
        #expect(ClusterJobProbe.workerPIDs(runID: runID, index: 0).isEmpty && ClusterJobProbe.workerPIDs(runID: runID, index: 1).isEmpty)
    }

    /// The agents would run 90 s: only the Job's deletion (SIGTERM to the pods' processes) ends them in time.
    @Test func ctrlCDeletesTheJobAndNoWorkerSurvives() throws {
        let fixture = try TournamentFixture(config: nil)
        let cluster = try Cluster(fixture: fixture)
        defer { cluster.stop() }
        try fixture.writeConfig(cluster.config("""
        agents:
          slow1: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                   env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "90", DOUBLE_DELAY_MS: "1000" } }
          slow2: { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                   env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "90", DOUBLE_DELAY_MS: "1000" } }
        """))
        try fixture.git("add", "-A")
        try fixture.git("commit", "-qm", "agon.yml")
        let (coordinator, stderrPath) = try ClusterJobProbe.startCoordinator(fixture)
        defer { if coordinator.isRunning { kill(coordinator.processIdentifier, SIGKILL) } }
        let store = try fixture.workspace().store()
        var runID = ""
        let running = TournamentFixture.wait(timeout: 60) {
            runID = (try? store.listRuns().first?.runID) ?? ""
            let jobs = runID.isEmpty ? [] : ((try? store.jobs(runID: runID)) ?? [])
            return jobs.count == 2 && jobs.allSatisfy { $0.state == .running }
                && !ClusterJobProbe.workerPIDs(runID: runID, index: 0).isEmpty && !ClusterJobProbe.workerPIDs(runID: runID, index: 1).isEmpty
        }
        let log = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        try #require(running, "the two workers never ran; coordinator: \(log)\npods:\n\(cluster.logs)")
        coordinator.interrupt()   // SIGINT, as Ctrl-C
        #expect(TournamentFixture.wait(timeout: 60) { !coordinator.isRunning })
        #expect(coordinator.terminationStatus == 130)
        // The coordinator deleted the Job (background propagation), and the pods' processes are gone.
        #expect(cluster.deletedPaths().contains("/apis/batch/v1/namespaces/agents/jobs/agon-\(runID)?propagationPolicy=Background"),
                "\(cluster.deletedPaths())")
        #expect(TournamentFixture.wait(timeout: 30) {
            ClusterJobProbe.workerPIDs(runID: runID, index: 0).isEmpty && ClusterJobProbe.workerPIDs(runID: runID, index: 1).isEmpty
                && TournamentFixture.processes(ofRun: runID).isEmpty
        })
        #expect(try store.run(runID)?.status == .interrupted)
    }
}
