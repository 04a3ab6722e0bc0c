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
    private let lock = NSLock()
    private var watches: [String: KubernetesPodWatch] = [:]
    private var cancelled: Set<String> = []

    /// `credentials` nil = discovered from `settings` (service account or kubeconfig).
    public init(settings: KubernetesSettings, credentials: KubernetesCredentials? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.settings = settings
        let credentials = try credentials ?? KubernetesCredentials.discover(settings, environment: environment)
        self.credentials = credentials
        namespace = settings.namespace ?? credentials.namespace ?? "default"
        api = try KubernetesAPI(credentials: credentials, environment: environment)
    }

    deinit {
        for watch in watches.values { watch.stop() }
    }

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

    public func states(_ batch: JobBatch, handle: String) throws -> [Int: EngineJobStatus] {
        let (watch, isCancelled) = lock.withLock { () -> (KubernetesPodWatch, Bool) in
            if watches[handle] == nil { watches[handle] = KubernetesPodWatch() }
            return (watches[handle]!, cancelled.contains(handle))
        }
        if !isCancelled && !watch.isLive {
            try follow(handle, with: watch)
        }
        var states = watch.snapshot()
        if isCancelled {
            for (index, status) in states where !status.state.isFinal {
                states[index] = EngineJobStatus(state: .cancelled, node: status.node, reason: status.reason)
            }
        }
        return states
    }

    /// Lists the Job's pods and opens a watch from the list's resourceVersion; the watch keeps
    /// `watch` current until the server ends the stream, after which the next call lists again.
    private func follow(_ handle: String, with watch: KubernetesPodWatch) throws {
        let selector = "labelSelector=\(KubernetesJobManifest.jobLabel)%3D\(handle)"
        let podsPath = "/api/v1/namespaces/\(namespace)/pods?\(selector)"
        watch.relisted(try api.json("GET", podsPath))
        var path = podsPath + "&watch=true&allowWatchBookmarks=true"
        if let version = watch.version { path += "&resourceVersion=\(version)" }
        let process = try api.watch(path, onLine: { line in
            if !watch.apply(line) { watch.restart() }
        }, onEnd: { watch.ended() })
        watch.started(process)
    }

    public func cancel(_ batch: JobBatch, handle: String) throws {
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
