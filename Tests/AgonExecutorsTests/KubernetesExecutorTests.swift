@testable import AgonExecutors
import AgonTestSupport
import Foundation
import Testing

/// The Kubernetes engine against a fake API server (FakeKubernetesServer): the Job manifests it
/// posts (golden files), pod states from a list + watch, a failed pod and its retry kept off the
/// failed node, cancel, HTTPS with the cluster's own CA, and the API's errors.
@Suite("Kubernetes executor", .serialized, .enabled(if: PythonServer.available))
struct KubernetesExecutorTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Compares `actual` with `Golden/<name>` (or rewrites it when `AGON_UPDATE_GOLDEN` is set).
    static func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["AGON_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from the golden file:\n\(actual)", sourceLocation: sourceLocation)
    }

    static let batch = JobBatch(
        runID: "20261130-134512-ab12", count: 3,
        workerArguments: ["/usr/local/bin/agon", "worker", "--store", "postgres://agon:pa$(ss)@db/agon", "--job"],
        environment: ["AGON_ARTIFACT_ROOT": "/shared/agon", "AGON_STORE_URL": "postgres://db/agon"],
        workingDirectory: "/shared/repo", hardTimeoutSeconds: 1800)

    static let settings = KubernetesSettings(image: "registry.example.com/agon:1.4", namespace: "agents", ttlSecondsAfterFinished: 600,
                                             deadlineMarginSeconds: 300, cpu: "2", memory: "4Gi", nodeSelector: ["pool": "agents"])

    static func executor(_ server: FakeKubernetesServer, token: String? = nil, namespace: String = "agents", caFile: String? = nil) throws -> KubernetesExecutor {
        var settings = settings
        settings.namespace = namespace
        return try KubernetesExecutor(settings: settings, credentials: KubernetesCredentials(
            server: server.server, caFile: caFile, token: .inline(token ?? server.token), source: "test"))
    }

    /// Polls `states` until `done` holds (the watch delivers asynchronously); fails after 10 s.
    static func waitFor(_ executor: KubernetesExecutor, handle: String, sourceLocation: SourceLocation = #_sourceLocation,
                      until done: ([Int: EngineJobStatus]) -> Bool) throws -> [Int: EngineJobStatus] {
        let deadline = Date().addingTimeInterval(10)
        var states: [Int: EngineJobStatus] = [:]
        while Date() < deadline {
            states = try executor.states(batch, handle: handle)
            if done(states) { return states }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("states never reached the expected ones: \(states)", sourceLocation: sourceLocation)
        return states
    }

    static func pretty(_ object: Any?) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: try #require(object), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    @Test func submitWatchFailRetry() throws {
        let job = "agon-20261130-134512-ab12", retryJob = "agon-20261130-134512-ab12-retry-1"
        let server = try FakeKubernetesServer(scenario: [
            job: [
                .init(after: 0.0, index: 0, phase: "Pending"),
                .init(after: 0.0, index: 1, phase: "Pending"),
                .init(after: 0.0, index: 2, phase: "Pending"),
                .init(after: 0.3, index: 0, phase: "Running", node: "node-a"),
                .init(after: 0.3, index: 1, phase: "Running", node: "node-b"),
                .init(after: 0.3, index: 2, phase: "Running", node: "node-a"),
                // Seconds apart, not tenths: on a loaded machine the first list may come late.
                .init(after: 2.0, index: 1, phase: "Failed", reason: "OOMKilled", exitCode: 137),
                .init(after: 2.2, index: 0, phase: "Succeeded", reason: "Completed", exitCode: 0),
                // Evicted: the pod is deleted while running.
                .init(after: 2.3, index: 2, phase: "Running", deleted: true),
            ],
            retryJob: [
                .init(after: 0.1, index: 0, phase: "Running", node: "node-c"),
                .init(after: 0.3, index: 0, phase: "Succeeded", reason: "Completed", exitCode: 0),
            ],
        ])
        defer { server.stop() }
        let executor = try Self.executor(server)

        let handle = try executor.submit(Self.batch)
        #expect(handle == job)
        let post = try #require(server.requests().first { ($0["method"] as? String) == "POST" })
        #expect(post["path"] as? String == "/apis/batch/v1/namespaces/agents/jobs")
        #expect(post["authorization"] as? String == "Bearer test-token")
        try Self.expectGolden(try Self.pretty(post["body"]), "kubernetes-job.json")

        // Running is seen while the watch is open, before anything finished.
        let running = try Self.waitFor(executor, handle: handle) { $0.count == 3 && $0.values.allSatisfy { $0.state == .running } }
        #expect(running[1] == EngineJobStatus(state: .running, node: "node-b"))

        // The token goes to curl on stdin, never in argv: no curl's command line carries it (the
        // watch's curl is running now). Only the fake server itself has it in its argv.
        let curls = Self.commandLines().filter { $0.hasPrefix("/usr/bin/curl ") || $0.hasPrefix("curl ") || $0.contains("/curl --config") }
        #expect(!curls.isEmpty, "no watch process to inspect")
        #expect(!curls.contains { $0.contains(server.token) })

        let final = try Self.waitFor(executor, handle: handle) { $0.values.allSatisfy { $0.state.isFinal } && $0.count == 3 }
        #expect(final[0] == EngineJobStatus(state: .succeeded, node: "node-a"))
        #expect(final[1] == EngineJobStatus(state: .failed, node: "node-b", reason: "OOMKilled (exit 137)"))
        #expect(final[2] == EngineJobStatus(state: .failed, node: "node-a", reason: "pod deleted before it finished"))

        let retryHandle = try executor.retry(Self.batch, index: 1, avoidNode: final[1]?.node)
        #expect(retryHandle == retryJob)
        let retryPost = try #require(server.requests().last { ($0["method"] as? String) == "POST" })
        try Self.expectGolden(try Self.pretty(retryPost["body"]), "kubernetes-retry-job.json")
        let retried = try Self.waitFor(executor, handle: retryHandle) { $0[1]?.state == .succeeded }
        #expect(retried == [1: EngineJobStatus(state: .succeeded, node: "node-c")])

        // The watches asked from the list's resourceVersion, by Agon's own pod label.
        let watches = server.requests().compactMap { $0["path"] as? String }.filter { $0.contains("watch=true") }
        #expect(watches.contains { $0.hasPrefix("/api/v1/namespaces/agents/pods?labelSelector=agon.job%3D\(job)&watch=true&allowWatchBookmarks=true&timeoutSeconds=240&resourceVersion=") })
    }

    /// Command lines of every process (the test's own children included), NULs as spaces.
    static func commandLines() -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        return pids.compactMap { pid in
            (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))).map {
                String(decoding: $0.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            }
        }
    }

    @Test func cancelDeletesTheJob() throws {
        let job = "agon-20261130-134512-ab12"
        let server = try FakeKubernetesServer(scenario: [job: [
            .init(after: 0.0, index: 0, phase: "Running", node: "node-a"),
            .init(after: 0.0, index: 1, phase: "Running", node: "node-b"),
            .init(after: 0.0, index: 2, phase: "Succeeded", node: "node-a", reason: "Completed", exitCode: 0),
            .init(after: 30, index: 0, phase: "Succeeded", reason: "Completed", exitCode: 0),
        ]])
        defer { server.stop() }
        let executor = try Self.executor(server)
        let handle = try executor.submit(Self.batch)
        _ = try Self.waitFor(executor, handle: handle) { $0.count == 3 }
        // Cancelled before its pods exist, a Job's indexes are cancelled, not pending for ever.
        let early = try executor.submit(JobBatch(runID: "early", count: 2, workerArguments: ["agon"], hardTimeoutSeconds: 60))
        try executor.cancel(Self.batch, handle: early)
        #expect(try executor.states(JobBatch(runID: "early", count: 2, workerArguments: ["agon"], hardTimeoutSeconds: 60), handle: early)
                == [0: EngineJobStatus(state: .cancelled), 1: EngineJobStatus(state: .cancelled)])

        try executor.cancel(Self.batch, handle: handle)
        let delete = try #require(server.requests().last { ($0["method"] as? String) == "DELETE" })
        #expect(delete["path"] as? String == "/apis/batch/v1/namespaces/agents/jobs/\(job)?propagationPolicy=Background")
        let states = try executor.states(Self.batch, handle: handle)
        #expect(states[0] == EngineJobStatus(state: .cancelled, node: "node-a"))
        #expect(states[1] == EngineJobStatus(state: .cancelled, node: "node-b"))
        #expect(states[2] == EngineJobStatus(state: .succeeded, node: "node-a"))
        // Idempotent: the Job is gone (404) and that is fine.
        try executor.cancel(Self.batch, handle: handle)
        #expect(server.requests().filter { ($0["method"] as? String) == "DELETE" }.count == 3)
    }

    @Test func httpsWithTheClusterCA() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agon-k8s-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tls = try FakeKubernetesServer.makeCertificates(in: dir)
        let other = dir.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        let otherCA = try FakeKubernetesServer.makeCertificates(in: other).ca
        let server = try FakeKubernetesServer(scenario: [:], tls: (tls.certificate, tls.key))
        defer { server.stop() }
        #expect(server.server.hasPrefix("https://"))

        #expect(try Self.executor(server, caFile: tls.ca).submit(Self.batch) == "agon-20261130-134512-ab12")
        #expect(server.requests().count == 1)
        // Signed by another CA, or checked against the system's trust store only: refused before any request.
        for ca in [otherCA, nil] {
            do {
                _ = try Self.executor(server, caFile: ca).states(Self.batch, handle: "agon-20261130-134512-ab12")
                Issue.record("trusted a server its CA (\(ca ?? "system")) did not sign")
            } catch let error as KubernetesError {
                guard case .untrustedServer(let url, _) = error else { Issue.record("\(error)"); continue }
                #expect(url == server.server)
                #expect(error.hint?.contains("certificate-authority") == true)
            }
        }
        #expect(server.requests().count == 1)
    }

    /// A kind-style kubeconfig: CA, client certificate and key inline, no token; the server
    /// requires the certificate.
    @Test func clientCertificateFromAKubeconfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agon-k8s-mtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tls = try FakeKubernetesServer.makeCertificates(in: dir)
        let server = try FakeKubernetesServer(scenario: [:], tls: (tls.certificate, tls.key), clientCA: tls.ca)
        defer { server.stop() }
        func base64(_ name: String) throws -> String { try Data(contentsOf: dir.appendingPathComponent(name)).base64EncodedString() }
        let kubeconfig = dir.appendingPathComponent("config")
        try """
        current-context: kind-agon
        contexts: [{name: kind-agon, context: {cluster: kind-agon, user: kind-agon, namespace: agents}}]
        clusters: [{name: kind-agon, cluster: {server: "\(server.server)", certificate-authority-data: \(try base64("ca.crt"))}}]
        users: [{name: kind-agon, user: {client-certificate-data: \(try base64("client.crt")), client-key-data: \(try base64("client.key"))}}]
        """.write(to: kubeconfig, atomically: true, encoding: .utf8)

        var settings = Self.settings
        settings.kubeconfigPath = kubeconfig.path
        var scratch: String?
        do {
            let executor = try KubernetesExecutor(settings: settings, environment: ProcessInfo.processInfo.environment.filter { $0.key != "KUBERNETES_SERVICE_HOST" })
            scratch = executor.credentials.scratchDirectory
            #expect(try executor.submit(Self.batch) == "agon-20261130-134512-ab12")
            #expect(server.requests().first?["authorization"] is NSNull)
        }
        // The executor that wrote the key deletes it when it goes away.
        let written = try #require(scratch)
        #expect(!FileManager.default.fileExists(atPath: written))

        // Without the certificate the TLS handshake fails: no request reaches the server.
        let anonymous = try KubernetesExecutor(settings: Self.settings, credentials: KubernetesCredentials(server: server.server, caFile: tls.ca, source: "test"))
        #expect(throws: KubernetesError.self) { try anonymous.submit(Self.batch) }
        #expect(server.requests().count == 1)
    }

    @Test func apiErrorsBecomeHints() throws {
        let server = try FakeKubernetesServer(scenario: [:])
        defer { server.stop() }

        func apiError(_ body: () throws -> Void) -> KubernetesError? {
            do { try body(); return nil } catch { return error as? KubernetesError }
        }
        let unauthorized = apiError { _ = try Self.executor(server, token: "stale").submit(Self.batch) }
        #expect(unauthorized == .api(status: 401, verb: "POST", path: "/apis/batch/v1/namespaces/agents/jobs", message: "Unauthorized"))
        #expect(unauthorized?.hint?.contains("renew it") == true)

        let forbidden = apiError { _ = try Self.executor(server, namespace: "forbidden").submit(Self.batch) }
        guard case .api(403, "POST", _, let message)? = forbidden else { Issue.record("\(String(describing: forbidden))"); return }
        #expect(message.contains("cannot create resource \"jobs\""))
        #expect(forbidden?.hint?.contains("create, get and delete on jobs (batch) and list and watch on pods") == true)

        let executor = try Self.executor(server)
        _ = try executor.submit(Self.batch)
        let conflict = apiError { _ = try executor.submit(Self.batch) }
        #expect(conflict == .api(status: 409, verb: "POST", path: "/apis/batch/v1/namespaces/agents/jobs",
                                 message: "jobs.batch \"agon-20261130-134512-ab12\" already exists"))
        #expect(conflict?.hint?.contains("kubectl delete job") == true)
    }

    @Test func tamperedHandlesAreRefused() throws {
        let server = try FakeKubernetesServer(scenario: [:])
        defer { server.stop() }
        let executor = try Self.executor(server)
        for handle in ["agon-x/../../../../api/v1/namespaces/agents/pods", "agon-x?propagationPolicy=Orphan", "kube-dns", "agon-x%2F.."] {
            #expect(throws: KubernetesError.badHandle(handle)) { try executor.cancel(Self.batch, handle: handle) }
            #expect(throws: KubernetesError.badHandle(handle)) { try executor.states(Self.batch, handle: handle) }
        }
        #expect(server.requests().isEmpty)
        // A kubeconfig's namespace goes into paths too.
        #expect(throws: KubernetesError.badSetting(key: "namespace", problem: "must be a DNS label, not \"a/../b\" (from test)")) {
            try KubernetesExecutor(settings: KubernetesSettings(image: "x"),
                                   credentials: KubernetesCredentials(server: server.server, namespace: "a/../b", source: "test"))
        }
    }

    @Test func connectionRefused() throws {
        // A port that was just free: bind, read the port, close.
        let server = try FakeKubernetesServer(scenario: [:])
        let address = server.server
        server.stop()
        let executor = try KubernetesExecutor(settings: Self.settings, credentials: KubernetesCredentials(server: address, token: .inline("t"), source: "test"))
        #expect(throws: KubernetesError.self) { try executor.submit(Self.batch) }
        do {
            _ = try executor.submit(Self.batch)
        } catch let KubernetesError.unreachable(url, detail) {
            #expect(url == address)
            #expect(detail.lowercased().contains("connect"), "\(detail)")
        }
    }

    @Test func jobFailedBeforeAPodStarted() throws {
        let job = "agon-20261130-134512-ab12"
        let server = try FakeKubernetesServer(scenario: [job: [
            .init(after: 0.0, index: 0, phase: "Running", node: "node-a"),
            .init(after: 0.0, index: 1, phase: "Pending"),
            // Late enough that the first list sees both pods even on a loaded machine.
            .init(after: 1.5, index: 0, phase: "Job was active longer than specified deadline", jobFailed: "DeadlineExceeded"),
            .init(after: 1.5, index: 0, phase: "Running", deleted: true),
            .init(after: 1.5, index: 1, phase: "Pending", deleted: true),
        ]])
        defer { server.stop() }
        let executor = try Self.executor(server)
        var batch = Self.batch
        batch.count = 3
        let handle = try executor.submit(batch)
        // Index 2 never gets a pod (say, the namespace's quota): it must not stay pending forever.
        let states = try Self.waitFor(executor, handle: handle) { $0.count == 3 && $0.values.allSatisfy { $0.state.isFinal } }
        #expect(states[0] == EngineJobStatus(state: .failed, node: "node-a", reason: "pod deleted before it finished"))
        #expect(states[1] == EngineJobStatus(state: .failed, reason: "pod deleted before it finished"))
        #expect(states[2] == EngineJobStatus(state: .failed, reason: "the Job failed before this pod started: DeadlineExceeded: Job was active longer than specified deadline"))
        // Later, once the Job is gone (its TTL; here someone else deletes it), the story stays the same.
        try Self.executor(server).cancel(batch, handle: handle)
        #expect(try executor.states(batch, handle: handle) == states)
    }

    /// A watch that the server ends (its timeout) or refuses (410 Gone) is followed by a new list
    /// and a new watch; no event is lost in between.
    @Test(arguments: [(0.3, false), (0.0, true)])
    func watchesAreResumed(lifetime: Double, expire: Bool) throws {
        let job = "agon-20261130-134512-ab12"
        let server = try FakeKubernetesServer(scenario: [job: [
            .init(after: 0.0, index: 0, phase: "Running", node: "node-a"),
            .init(after: 0.0, index: 1, phase: "Running", node: "node-a"),
            .init(after: 0.0, index: 2, phase: "Running", node: "node-b"),
            .init(after: 0.5, index: 0, phase: "Succeeded", reason: "Completed", exitCode: 0),
            .init(after: 0.9, index: 1, phase: "Failed", reason: "Error", exitCode: 2),
            .init(after: 1.2, index: 2, phase: "Succeeded", reason: "Completed", exitCode: 0),
        ]], watchLifetime: lifetime, expireFirstWatch: expire)
        defer { server.stop() }
        let executor = try Self.executor(server)
        let handle = try executor.submit(Self.batch)
        let states = try Self.waitFor(executor, handle: handle) { $0.count == 3 && $0.values.allSatisfy { $0.state.isFinal } }
        #expect(states == [0: EngineJobStatus(state: .succeeded, node: "node-a"),
                           1: EngineJobStatus(state: .failed, node: "node-a", reason: "Error (exit 2)"),
                           2: EngineJobStatus(state: .succeeded, node: "node-b")])
        let paths = server.requests().compactMap { $0["path"] as? String }
        #expect(paths.filter { $0.contains("watch=true") }.count >= 2, "\(paths)")
        #expect(paths.filter { $0.contains("/pods?") && !$0.contains("watch=true") }.count >= 2)
        // Every pod finished: the watch is closed and states no longer ask the server (after a
        // pause that lets a watch request already on its way arrive first).
        Thread.sleep(forTimeInterval: 0.3)
        let before = server.requests().count
        _ = try executor.states(Self.batch, handle: handle)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(server.requests().count == before)
    }
}
