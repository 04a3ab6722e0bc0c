@testable import AgonExecutors
import Foundation
import Testing

@Suite("Kubernetes settings")
struct KubernetesSettingsTests {
    @Test func readsEveryKey() throws {
        let settings = try KubernetesSettings([
            "image": "registry.example.com/agon:1.4", "namespace": "agents", "api_server": "https://10.0.0.1:6443",
            "kubeconfig": "/etc/agon/kubeconfig", "ttl_seconds_after_finished": "120", "deadline_margin_seconds": "60",
            "service_account": "agon-worker", "cpu": "2", "memory": "4Gi", "node_selector": "pool=agents, disk=ssd",
        ])
        #expect(settings == KubernetesSettings(image: "registry.example.com/agon:1.4", namespace: "agents", apiServer: "https://10.0.0.1:6443",
                                               kubeconfigPath: "/etc/agon/kubeconfig", ttlSecondsAfterFinished: 120, deadlineMarginSeconds: 60,
                                               serviceAccountName: "agon-worker", cpu: "2", memory: "4Gi",
                                               nodeSelector: ["pool": "agents", "disk": "ssd"]))
    }

    @Test func defaults() throws {
        let settings = try KubernetesSettings(["image": "agon:dev"])
        #expect(settings.namespace == nil)
        #expect(settings.ttlSecondsAfterFinished == 3600)
        #expect(settings.deadlineMarginSeconds == 600)
        #expect(settings.serviceAccountDirectory == "/var/run/secrets/kubernetes.io/serviceaccount")
    }

    @Test(arguments: [
        (["namespace": "x"], "image", "is missing"),
        (["image": "  "], "image", "is empty"),
        (["image": "agon dev"], "image", "contains whitespace"),
        (["image": "a", "ttl_seconds_after_finished": "an hour"], "ttl_seconds_after_finished", "whole number"),
        (["image": "a", "deadline_margin_seconds": "-5"], "deadline_margin_seconds", "whole number"),
        (["image": "a", "namespace": "Team_A"], "namespace", "DNS label"),
        (["image": "a", "api_server": "10.0.0.1:6443"], "api_server", "http(s) URL"),
        (["image": "a", "node_selector": "pool"], "node_selector", "label=value"),
        (["image": "a", "imagePullPolicy": "Always"], "imagePullPolicy", "is not a setting"),
    ])
    func refusesBadValues(map: [String: String], key: String, problem: String) {
        do {
            _ = try KubernetesSettings(map)
            Issue.record("accepted \(map)")
        } catch let KubernetesError.badSetting(badKey, text) {
            #expect(badKey == key)
            #expect(text.contains(problem), "\(text)")
            #expect(KubernetesError.badSetting(key: badKey, problem: text).hint != nil)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func missingImageHintShowsTheBlock() {
        let error = KubernetesError.badSetting(key: "image", problem: "is missing")
        #expect(error.headline == "executor.kubernetes.image in agon.yml is missing")
        #expect(error.hint?.contains("executor: {kubernetes: {image:") == true)
    }

    @Test func jobNamesAreDNSLabels() {
        for runID in ["20261130-134512-ab12", "Run_With.Dots/and slashes", String(repeating: "x", count: 200), "---"] {
            #expect(KubernetesNames.isDNSLabel(KubernetesNames.jobName(runID: runID)), "\(runID)")
            #expect(KubernetesNames.jobName(runID: runID).count <= 52)
            #expect(KubernetesNames.isDNSLabel(KubernetesNames.retryJobName(runID: runID, index: 99)), "\(runID)")
        }
        #expect(KubernetesNames.jobName(runID: "20261130-134512-ab12") == "agon-20261130-134512-ab12")
    }
}
