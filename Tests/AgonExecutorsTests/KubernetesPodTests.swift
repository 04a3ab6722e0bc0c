@testable import AgonExecutors
import Foundation
import Testing

/// Pod objects as the API server sends them (trimmed to the fields read) → engine states.
@Suite("Kubernetes pod states")
struct KubernetesPodTests {
    static func pod(_ json: String) throws -> KubernetesPod? {
        KubernetesPod(try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]))
    }

    @Test func indexFromLabelAnnotationOrRetryLabel() throws {
        #expect(try Self.pod(#"{"metadata": {"name": "p", "labels": {"batch.kubernetes.io/job-completion-index": "4"}}}"#)?.index == 4)
        // Before Kubernetes 1.28 the index is an annotation only.
        #expect(try Self.pod(#"{"metadata": {"name": "p", "annotations": {"batch.kubernetes.io/job-completion-index": "2"}}}"#)?.index == 2)
        #expect(try Self.pod(#"{"metadata": {"name": "p", "labels": {"agon.index": "7", "batch.kubernetes.io/job-completion-index": "0"}}}"#)?.index == 7)
        #expect(try Self.pod(#"{"metadata": {"name": "p", "labels": {"app": "x"}}}"#) == nil)
    }

    @Test func phases() throws {
        func status(_ body: String) throws -> EngineJobStatus? {
            try Self.pod(#"{"metadata": {"name": "p", "labels": {"agon.index": "0"}}, "#.appending(body).appending("}"))?.status
        }
        #expect(try status(#""spec": {}, "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes are available: 3 Insufficient memory."}]}"#)
                == EngineJobStatus(state: .pending, reason: "Unschedulable: 0/3 nodes are available: 3 Insufficient memory."))
        #expect(try status(#""spec": {"nodeName": "n1"}, "status": {"phase": "Pending", "containerStatuses": [{"state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"agon:bad\""}}}]}"#)
                == EngineJobStatus(state: .pending, node: "n1", reason: "ImagePullBackOff: Back-off pulling image \"agon:bad\""))
        #expect(try status(#""spec": {"nodeName": "n1"}, "status": {"phase": "Running"}"#) == EngineJobStatus(state: .running, node: "n1"))
        #expect(try status(#""spec": {"nodeName": "n1"}, "status": {"phase": "Unknown"}"#)?.state == .running)
        #expect(try status(#""spec": {"nodeName": "n1"}, "status": {"phase": "Succeeded", "containerStatuses": [{"state": {"terminated": {"reason": "Completed", "exitCode": 0}}}]}"#)
                == EngineJobStatus(state: .succeeded, node: "n1"))
        #expect(try status(#""spec": {"nodeName": "n1"}, "status": {"phase": "Failed", "containerStatuses": [{"state": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}"#)
                == EngineJobStatus(state: .failed, node: "n1", reason: "OOMKilled (exit 137)"))
        #expect(try status(#""spec": {"nodeName": "n1"}, "status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: ephemeral-storage."}"#)
                == EngineJobStatus(state: .failed, node: "n1", reason: "Evicted: The node was low on resource: ephemeral-storage."))
    }

    @Test func newestPodOfAnIndexWins() throws {
        let watch = KubernetesPodWatch()
        let stream = watch.relisted(["metadata": ["resourceVersion": "5"], "items": [] as [Any]])
        func event(_ type: String, _ name: String, _ created: String, _ phase: String) -> Data {
            Data(#"{"type": "\#(type)", "object": {"metadata": {"name": "\#(name)", "resourceVersion": "9", "creationTimestamp": "\#(created)", "labels": {"agon.index": "0"}}, "spec": {"nodeName": "n"}, "status": {"phase": "\#(phase)"}}}"#.utf8)
        }
        watch.apply(event("ADDED", "new", "2026-11-30T10:00:05Z", "Running"), stream: stream)
        watch.apply(event("MODIFIED", "old", "2026-11-30T10:00:01Z", "Failed"), stream: stream)
        #expect(watch.snapshot() == [0: EngineJobStatus(state: .running, node: "n")])
        #expect(watch.version == "9")
        // A line of an older stream (restarted since) changes nothing.
        _ = watch.relisted(["metadata": ["resourceVersion": "10"], "items": [] as [Any]])
        watch.apply(event("MODIFIED", "new", "2026-11-30T10:00:05Z", "Succeeded"), stream: stream)
        #expect(watch.snapshot() == [0: EngineJobStatus(state: .failed, node: "n", reason: "pod deleted before it finished")])
    }
}
