import Foundation

/// Runs a batch's candidates as an Indexed `batch/v1` Job through the Kubernetes API server's REST:
/// submit = POST the Job, states = the Job's pods (a list, then a watch kept open in the
/// background), retry = a one-pod Job for the index kept off the failed node, cancel = DELETE the
/// Job with background propagation (Kubernetes then deletes its pods).
public final class KubernetesExecutor: CandidateExecutor, @unchecked Sendable {
    public let kind = ExecutorKind.kubernetes
    public let settings: KubernetesSettings
    public let credentials: KubernetesCredentials
    /// Namespace the Jobs go to: the setting, else the credentials', else `default`.
    public let namespace: String
    private let api: KubernetesAPI
    /// Whether the credentials (and their scratch files) were discovered by this executor.
    private let ownsScratch: Bool
    private let lock = NSLock()
    private let followLock = NSLock()
    private var watches: [String: KubernetesPodWatch] = [:]
    private var cancelled: Set<String> = []
    /// Indexes of a handle that ended without ever having a pod, by handle.
    private var podless: [String: [Int: EngineJobStatus]] = [:]

    /// `credentials` nil = discovered from `settings` (service account or kubeconfig).
    public init(settings: KubernetesSettings, credentials: KubernetesCredentials? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.settings = settings
        ownsScratch = credentials == nil
        let credentials = try credentials ?? KubernetesCredentials.discover(settings, environment: environment)
        self.credentials = credentials
        namespace = settings.namespace ?? credentials.namespace ?? "default"
        // The namespace goes into every URL path; one from a kubeconfig is checked like the setting.
        guard KubernetesNames.isDNSLabel(namespace) else {
            throw KubernetesError.badSetting(key: "namespace", problem: "must be a DNS label, not \"\(namespace)\" (from \(credentials.source))")
        }
        api = try KubernetesAPI(credentials: credentials, environment: environment)
    }

    deinit {
        for watch in watches.values { watch.stop() }
        if ownsScratch, let dir = credentials.scratchDirectory { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// How long one watch stream lasts before it is listed and opened again.
    static let watchSeconds = 240

    private var jobsPath: String { "/apis/batch/v1/namespaces/\(namespace)/jobs" }

    public func submit(_ batch: JobBatch) throws -> String {
        try post(KubernetesJobManifest.job(batch, settings: settings, namespace: namespace))
    }

    public func retry(_ batch: JobBatch, index: Int, avoidNode: String?) throws -> String {
        try post(KubernetesJobManifest.retryJob(batch, index: index, avoidNode: avoidNode, settings: settings, namespace: namespace))
    }

    private func post(_ manifest: [String: Any]) throws -> String {
        let reply = try api.json("POST", jobsPath, body: KubernetesJobManifest.encode(manifest))
        guard let name = (reply["metadata"] as? [String: Any])?["name"] as? String else {
            throw KubernetesError.malformedReply(path: jobsPath, detail: "the created Job has no name")
        }
        return name
    }

    /// A handle goes into URL paths and label selectors: only a name Agon could have made passes
    /// (curl would resolve `..` in a tampered one, and DELETE something else).
    private func checked(_ handle: String) throws -> String {
        guard KubernetesNames.isDNSLabel(handle), handle.hasPrefix("agon-") else { throw KubernetesError.badHandle(handle) }
        return handle
    }

    public func states(_ batch: JobBatch, handle: String) throws -> [Int: EngineJobStatus] {
        let handle = try checked(handle)
        let (watch, isCancelled) = lock.withLock { () -> (KubernetesPodWatch, Bool) in
            if watches[handle] == nil { watches[handle] = KubernetesPodWatch() }
            return (watches[handle]!, cancelled.contains(handle))
        }
        // One list + watch at a time, however many threads ask.
        try followLock.withLock {
            if !watch.isStopped && !watch.isLive { try follow(handle, with: watch) }
        }
        var states = watch.snapshot().merging(lock.withLock { podless[handle] ?? [:] }) { pod, _ in pod }
        let expected = KubernetesExecutor.indexes(of: handle, in: batch)
        let missing = expected.filter { states[$0] == nil }
        if isCancelled {
            for index in missing { states[index] = EngineJobStatus(state: .cancelled) }
            for (index, status) in states where !status.state.isFinal {
                states[index] = EngineJobStatus(state: .cancelled, node: status.node, reason: status.reason)
            }
        } else if !missing.isEmpty, let reason = try jobEnded(handle) {
            // The Job ended without a pod for these indexes (quota, deadline passed while pending,
            // deleted); kept, so that later calls tell the same story after the Job's TTL.
            let failed = Dictionary(uniqueKeysWithValues: missing.map { ($0, EngineJobStatus(state: .failed, reason: reason)) })
            lock.withLock { podless[handle, default: [:]].merge(failed) { old, _ in old } }
            states.merge(failed) { old, _ in old }
        }
        if expected.allSatisfy({ states[$0]?.state.isFinal == true }) {
            watch.stop()
        }
        return states
    }

    /// The candidate indexes a handle runs: one for a retry Job, all of the batch otherwise.
    static func indexes(of handle: String, in batch: JobBatch) -> [Int] {
        let prefix = KubernetesNames.retryJobName(runID: batch.runID, index: 0).dropLast()
        if handle.hasPrefix(prefix), let index = Int(handle.dropFirst(prefix.count)) { return [index] }
        return Array(0..<batch.count)
    }

    /// Why the Job ended, when it did (a `Failed` condition, or deleted); nil while it runs.
    private func jobEnded(_ handle: String) throws -> String? {
        let reply = try api.request("GET", "\(jobsPath)/\(handle)", accept: [404])
        if reply.status == 404 { return "the Job \(handle) was deleted before this pod started" }
        let job = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any] ?? [:]
        let conditions = (job["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
        guard let failed = conditions.first(where: { ($0["type"] as? String) == "Failed" && ($0["status"] as? String) == "True" }) else { return nil }
        let reason = failed["reason"] as? String ?? "Failed"
        return (failed["message"] as? String).map { "the Job failed before this pod started: \(reason): \($0)" }
            ?? "the Job failed before this pod started: \(reason)"
    }

    /// Lists the Job's pods and opens a watch from the list's resourceVersion; the watch keeps
    /// `watch` current until the server ends the stream, after which the next call lists again.
    private func follow(_ handle: String, with watch: KubernetesPodWatch) throws {
        let selector = "labelSelector=\(KubernetesJobManifest.jobLabel)%3D\(handle)"
        let podsPath = "/api/v1/namespaces/\(namespace)/pods?\(selector)"
        let stream = watch.relisted(try api.json("GET", podsPath))
        // The server ends the stream after timeoutSeconds, and curl gives up a little later: a
        // silent network partition cannot leave a stale watch looking open for more than minutes.
        var path = podsPath + "&watch=true&allowWatchBookmarks=true&timeoutSeconds=\(KubernetesExecutor.watchSeconds)"
        if let version = watch.version { path += "&resourceVersion=\(version)" }
        let process = try api.watch(path, maxSeconds: KubernetesExecutor.watchSeconds + 30, onLine: { watch.apply($0, stream: stream) }, onEnd: { watch.ended(stream: stream) })
        watch.started(process, stream: stream)
    }

    public func cancel(_ batch: JobBatch, handle: String) throws {
        let handle = try checked(handle)
        let watch = lock.withLock { () -> KubernetesPodWatch? in
            cancelled.insert(handle)
            return watches[handle]
        }
        watch?.markCancelling()
        // Background propagation: the Job goes now, the garbage collector deletes its pods
        // (their containers get SIGTERM). 404 = already gone, which is what cancel wants.
        try api.request("DELETE", "\(jobsPath)/\(handle)?propagationPolicy=Background", accept: [404])
        watch?.stop()
    }
}
