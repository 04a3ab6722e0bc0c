import Foundation

/// A pod of an Agon Job as the engine reports it: which candidate it runs and how that went.
struct KubernetesPod: Equatable {
    var name: String
    var index: Int
    /// `metadata.creationTimestamp` (RFC 3339, so it sorts as text): the newest pod of an index wins.
    var created: String
    var status: EngineJobStatus

    /// Reads a pod object of the API; nil when it carries no candidate index (not one of ours).
    init?(_ pod: [String: Any]) {
        let metadata = pod["metadata"] as? [String: Any] ?? [:]
        let labels = metadata["labels"] as? [String: String] ?? [:]
        let annotations = metadata["annotations"] as? [String: String] ?? [:]
        // A retry Job's pod has completion index 0; its candidate index is in agon.index.
        guard let name = metadata["name"] as? String,
              let index = (labels[KubernetesJobManifest.indexLabel] ?? labels[KubernetesJobManifest.completionIndexKey]
                           ?? annotations[KubernetesJobManifest.completionIndexKey]).flatMap({ Int($0) }) else { return nil }
        self.name = name
        self.index = index
        created = metadata["creationTimestamp"] as? String ?? ""
        status = KubernetesPod.status(pod)
    }

    /// The engine state of a pod from its phase, node and container termination.
    static func status(_ pod: [String: Any]) -> EngineJobStatus {
        let spec = pod["spec"] as? [String: Any] ?? [:]
        let status = pod["status"] as? [String: Any] ?? [:]
        let node = (spec["nodeName"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let containers = status["containerStatuses"] as? [[String: Any]] ?? []
        let state = containers.first?["state"] as? [String: Any] ?? [:]
        switch status["phase"] as? String {
        case "Succeeded":
            return EngineJobStatus(state: .succeeded, node: node)
        case "Failed":
            return EngineJobStatus(state: .failed, node: node, reason: failureReason(status: status, container: state))
        case "Running":
            return EngineJobStatus(state: .running, node: node)
        case "Unknown":
            // The node stopped reporting; the pod may still run there.
            return EngineJobStatus(state: .running, node: node, reason: status["reason"] as? String ?? "pod state unknown (node not reporting)")
        default:
            // Pending: say why when Kubernetes does (ImagePullBackOff, Unschedulable, …).
            let waiting = state["waiting"] as? [String: Any]
            let unschedulable = (status["conditions"] as? [[String: Any]] ?? []).first { ($0["reason"] as? String) == "Unschedulable" }
            let reason = (waiting?["reason"] as? String).map { r in (waiting?["message"] as? String).map { "\(r): \($0)" } ?? r }
                ?? (unschedulable?["message"] as? String).map { "Unschedulable: \($0)" }
            return EngineJobStatus(state: .pending, node: node, reason: reason)
        }
    }

    /// "OOMKilled (exit 137)", "Error (exit 3)", "Evicted: The node was low on resource: memory", …
    private static func failureReason(status: [String: Any], container: [String: Any]) -> String {
        if let terminated = container["terminated"] as? [String: Any] {
            let reason = terminated["reason"] as? String ?? "terminated"
            if let code = terminated["exitCode"] as? Int { return "\(reason) (exit \(code))" }
            return reason
        }
        let reason = status["reason"] as? String ?? "Failed"
        return (status["message"] as? String).map { "\(reason): \($0)" } ?? reason
    }

    /// The state reported for a pod deleted before it finished: cancelled when Agon deleted its
    /// Job, else failed (evicted, node drained, deleted by someone else).
    mutating func markDeleted(cancelled: Bool) {
        guard !status.state.isFinal else { return }
        status = cancelled ? EngineJobStatus(state: .cancelled, node: status.node)
            : EngineJobStatus(state: .failed, node: status.node, reason: "pod deleted before it finished")
    }
}

/// The pods of one Job, kept current by a list and then a watch from the list's resourceVersion.
/// Each watch stream has a generation; lines and the end of an older stream (one restarted after
/// an ERROR event) are ignored, so a late event can never overwrite a fresher list.
final class KubernetesPodWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var pods: [String: KubernetesPod] = [:]
    private var resourceVersion: String?
    private var process: Process?
    private var generation = 0
    private var live = false
    private var stopped = false
    private var isCancelling = false

    /// Whether a watch stream is open (false before the first list and after a stream ended).
    var isLive: Bool { lock.lock(); defer { lock.unlock() }; return live }

    /// Whether the watch ended for good (`stop`): the pods it holds are all there will be.
    var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    /// The resourceVersion to watch from.
    var version: String? { lock.lock(); defer { lock.unlock() }; return resourceVersion }

    /// Replaces the pods with a list reply (pods missing from it were deleted meanwhile) and
    /// returns the generation of the stream to open next.
    func relisted(_ list: [String: Any]) -> Int {
        let items = (list["items"] as? [[String: Any]] ?? []).compactMap(KubernetesPod.init)
        lock.lock(); defer { lock.unlock() }
        var next: [String: KubernetesPod] = [:]
        for pod in items { next[pod.name] = pod }
        for (name, var gone) in pods where next[name] == nil {
            gone.markDeleted(cancelled: isCancelling)
            next[name] = gone
        }
        pods = next
        resourceVersion = (list["metadata"] as? [String: Any])?["resourceVersion"] as? String
        generation += 1
        return generation
    }

    /// Applies one watch event line (`{"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": …}`)
    /// of stream `stream`. An ERROR (e.g. 410 Gone: the resourceVersion is too old) ends the
    /// stream so that the next `states` lists again.
    func apply(_ line: Data, stream: Int) {
        guard let event = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any],
              let type = event["type"] as? String, let object = event["object"] as? [String: Any] else { return }
        lock.lock()
        guard stream == generation else { lock.unlock(); return }
        if type == "ERROR" {
            live = false
            let process = self.process
            lock.unlock()
            process?.terminate()
            return
        }
        defer { lock.unlock() }
        if let version = (object["metadata"] as? [String: Any])?["resourceVersion"] as? String { resourceVersion = version }
        guard type != "BOOKMARK", var pod = KubernetesPod(object) else { return }
        if type == "DELETED" { pod.markDeleted(cancelled: isCancelling) }
        pods[pod.name] = pod
    }

    /// Each index's state, from its newest pod.
    func snapshot() -> [Int: EngineJobStatus] {
        lock.lock(); defer { lock.unlock() }
        var newest: [Int: KubernetesPod] = [:]
        for pod in pods.values {
            if let seen = newest[pod.index], (seen.created, seen.name) >= (pod.created, pod.name) { continue }
            newest[pod.index] = pod
        }
        return newest.mapValues(\.status)
    }

    /// Stream `stream` is open on `process` (unless it ended already or the watch was stopped).
    func started(_ process: Process, stream: Int) {
        lock.lock(); defer { lock.unlock() }
        guard !stopped, stream == generation else { process.terminate(); return }
        guard process.isRunning else { return }
        self.process = process
        live = true
    }

    /// Stream `stream` ended (the server closed it, curl failed, or it was terminated).
    func ended(stream: Int) {
        lock.lock(); defer { lock.unlock() }
        guard stream == generation else { return }
        live = false
        process = nil
    }

    /// From now on, pods that vanish were cancelled by Agon (called before the Job's DELETE).
    func markCancelling() {
        lock.lock(); defer { lock.unlock() }
        isCancelling = true
    }

    /// Ends the watch for good (every pod finished, the Job was cancelled, or the executor is going away).
    func stop() {
        lock.lock()
        stopped = true
        live = false
        let process = self.process
        self.process = nil
        lock.unlock()
        if let process, process.isRunning { process.terminate() }
    }
}
