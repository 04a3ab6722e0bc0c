@testable import AgonExecutors
import AgonTestSupport
import Foundation
import Testing

/// The Job manifest's command and environment against FakeKubernetesServer's mini-kubelet, which
/// expands them as Kubernetes does: what the worker receives is what Agon meant to pass. (In the
/// serialized suite: its processes would otherwise slow the scripted tests' timed pod phases.)
extension KubernetesExecutorTests {
    @Test func argumentsAndEnvironmentReachThePodVerbatim() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agon-kubelet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try FakeKubernetesServer(scenario: [:], kubelet: .init(nodes: ["node-a", "node-b"], imageEnvironment: ["PATH": "/usr/bin:/bin"]))
        defer { server.stop() }
        // The "worker" writes its argv and environment: one argument and one value carry `$(…)` of
        // variables the container defines, which Kubernetes would expand were they not escaped.
        let script = "printf '%s\\n' \"$@\" > \"$OUT/argv.$JOB_COMPLETION_INDEX\"; env > \"$OUT/env.$JOB_COMPLETION_INDEX\""
        let batch = JobBatch(runID: "20261130-150000-kube", count: 2,
                             workerArguments: ["/bin/sh", "-c", script, "worker", "pa$(JOB_COMPLETION_INDEX)$$", "--job"],
                             environment: ["OUT": dir.path, "AAA": "x", "AGON_STORE_URL": "postgres://a:$(AAA)@db/x"],
                             workingDirectory: dir.path, hardTimeoutSeconds: 60)
        let executor = try KubernetesExecutor(settings: KubernetesSettings(image: "agon", namespace: "agents"), credentials: KubernetesCredentials(
            server: server.server, token: .inline(server.token), source: "test"))
        let handle = try executor.submit(batch)
        let deadline = Date().addingTimeInterval(20)
        var states: [Int: EngineJobStatus] = [:]
        while Date() < deadline {
            states = try executor.states(batch, handle: handle)
            if states.count == 2 && states.values.allSatisfy({ $0.state.isFinal }) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(states[0] == EngineJobStatus(state: .succeeded, node: "node-a"), "\(server.podLogs())")
        #expect(states[1] == EngineJobStatus(state: .succeeded, node: "node-b"))
        for index in 0..<2 {
            let argv = try String(contentsOf: dir.appendingPathComponent("argv.\(index)"), encoding: .utf8)
            #expect(argv == "pa$(JOB_COMPLETION_INDEX)$$\n--job\n20261130-150000-kube:\(index)\n")
            let env = try String(contentsOf: dir.appendingPathComponent("env.\(index)"), encoding: .utf8).split(separator: "\n")
            #expect(env.contains("AGON_STORE_URL=postgres://a:$(AAA)@db/x"))
            #expect(env.contains("AGON_WORKER_HOST=\(index == 0 ? "node-a" : "node-b")"))
            #expect(env.contains("HOSTNAME=\(handle)-\(index)"))
        }
    }
}
