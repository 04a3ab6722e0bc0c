import Foundation

/// The `batch/v1` Job manifests the Kubernetes engine submits (pure: values in, JSON out).
public enum KubernetesJobManifest {
    /// Pod label naming the Job the pod belongs to (set by Agon, so the pod watch does not depend
    /// on which of `job-name` / `batch.kubernetes.io/job-name` the cluster's version sets).
    public static let jobLabel = "agon.job"
    /// Pod label naming the run.
    public static let runLabel = "agon.run"
    /// Pod label carrying the candidate index of a retry Job (whose only completion index is 0).
    public static let indexLabel = "agon.index"
    /// The label (and, before Kubernetes 1.28, annotation) the Job controller puts the completion index in.
    public static let completionIndexKey = "batch.kubernetes.io/job-completion-index"

    /// The Indexed Job running every candidate of `batch`: completions = parallelism = count, each
    /// pod running the worker with job id `<runID>:$(JOB_COMPLETION_INDEX)`.
    ///
    /// Failures are per index (`backoffLimitPerIndex: 0`, `maxFailedIndexes: count`): with a plain
    /// `backoffLimit: 0` the first failed pod would fail the whole Job and Kubernetes would kill
    /// every other candidate still running. Agon retries a failed index itself, once, elsewhere.
    public static func job(_ batch: JobBatch, settings: KubernetesSettings, namespace: String) -> [String: Any] {
        let name = KubernetesNames.jobName(runID: batch.runID)
        let command = batch.workerArguments.map(escapeExpansion) + [escapeExpansion(batch.runID + ":") + "$(JOB_COMPLETION_INDEX)"]
        var spec = jobSpec(batch, settings: settings, completions: batch.count,
                           pod: podSpec(batch, settings: settings, command: command, avoidNode: nil),
                           podLabels: [jobLabel: name, runLabel: KubernetesNames.label(batch.runID, limit: 63)])
        spec["backoffLimitPerIndex"] = 0
        spec["maxFailedIndexes"] = batch.count
        return envelope(name: name, namespace: namespace, batch: batch, spec: spec)
    }

    /// The one-pod Job retrying candidate `index` of `batch`, kept off `avoidNode` (the node the
    /// failed attempt ran on) by a required node affinity on the node's name.
    public static func retryJob(_ batch: JobBatch, index: Int, avoidNode: String?, settings: KubernetesSettings, namespace: String) -> [String: Any] {
        let name = KubernetesNames.retryJobName(runID: batch.runID, index: index)
        let command = (batch.workerArguments + [batch.jobID(index)]).map(escapeExpansion)
        var spec = jobSpec(batch, settings: settings, completions: 1,
                           pod: podSpec(batch, settings: settings, command: command, avoidNode: avoidNode),
                           podLabels: [jobLabel: name, runLabel: KubernetesNames.label(batch.runID, limit: 63), indexLabel: String(index)])
        spec["backoffLimit"] = 0
        return envelope(name: name, namespace: namespace, batch: batch, spec: spec)
    }

    /// JSON with sorted keys (stable bytes for golden files and logs).
    public static func encode(_ manifest: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// Kubernetes expands `$(VAR)` in a container's command and env values, and reduces every
    /// `$$` to `$` (its escape), so each `$` is doubled: arguments Agon passes through (store URL,
    /// paths) reach the worker verbatim, a password's `$$` included.
    static func escapeExpansion(_ argument: String) -> String {
        argument.replacingOccurrences(of: "$", with: "$$")
    }

    private static func envelope(name: String, namespace: String, batch: JobBatch, spec: [String: Any]) -> [String: Any] {
        [
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": [
                "name": name,
                "namespace": namespace,
                "labels": [runLabel: KubernetesNames.label(batch.runID, limit: 63), "app.kubernetes.io/managed-by": "agon"],
                // The label value is sanitised; the annotation keeps the run id exactly.
                "annotations": ["agon.run-id": batch.runID],
            ] as [String: Any],
            "spec": spec,
        ]
    }

    private static func jobSpec(_ batch: JobBatch, settings: KubernetesSettings, completions: Int, pod: [String: Any],
                                podLabels: [String: String]) -> [String: Any] {
        [
            "completionMode": "Indexed",
            "completions": completions,
            "parallelism": completions,
            "activeDeadlineSeconds": batch.hardTimeoutSeconds + settings.deadlineMarginSeconds,
            "ttlSecondsAfterFinished": settings.ttlSecondsAfterFinished,
            "template": ["metadata": ["labels": podLabels], "spec": pod] as [String: Any],
        ]
    }

    private static func podSpec(_ batch: JobBatch, settings: KubernetesSettings, command: [String], avoidNode: String?) -> [String: Any] {
        var container: [String: Any] = [
            "name": "worker",
            "image": settings.image,
            "command": command,
            "env": batch.environment.keys.sorted().filter { $0 != WorkerHost.variable }
                .map { ["name": $0, "value": escapeExpansion(batch.environment[$0]!)] as [String: Any] }
                // The pod's host name is the pod's; the record wants the node's (the downward API).
                + [["name": WorkerHost.variable, "valueFrom": ["fieldRef": ["fieldPath": "spec.nodeName"]]] as [String: Any]],
        ]
        if !settings.envSecrets.isEmpty {
            container["envFrom"] = settings.envSecrets.map { ["secretRef": ["name": $0]] as [String: Any] }
        }
        if let dir = batch.workingDirectory { container["workingDir"] = dir }
        var amounts: [String: String] = [:]
        if let cpu = settings.cpu { amounts["cpu"] = cpu }
        if let memory = settings.memory { amounts["memory"] = memory }
        if !amounts.isEmpty { container["resources"] = ["requests": amounts, "limits": amounts] }
        // The worker needs the store and the artifact root, never the API server: without this a
        // candidate could read the pod's service account token and delete its rivals' pods.
        var pod: [String: Any] = ["restartPolicy": "Never", "containers": [container], "automountServiceAccountToken": false]
        if let account = settings.serviceAccountName { pod["serviceAccountName"] = account }
        if !settings.nodeSelector.isEmpty { pod["nodeSelector"] = settings.nodeSelector }
        if let node = avoidNode {
            // matchFields on metadata.name is the node's name itself (kubernetes.io/hostname may differ from it).
            pod["affinity"] = ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
                ["matchFields": [["key": "metadata.name", "operator": "NotIn", "values": [node]]]],
            ]]]]
        }
        return pod
    }
}
