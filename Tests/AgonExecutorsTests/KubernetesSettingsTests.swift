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
        (["image": "a", "env_secrets": "agent-keys, Bad_Name"], "env_secrets", "Secret names"),
        (["image": "a", "env_secrets": "keys,"], "env_secrets", "Secret names"),
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

    /// The agents' keys come from Secrets through `envFrom`; the Job itself never holds them.
    @Test func envSecretsBecomeEnvFromAndNothingElse() throws {
        let settings = try KubernetesSettings(["image": "agon:1", "env_secrets": "anthropic-key, team.openai-key"])
        #expect(settings.envSecrets == ["anthropic-key", "team.openai-key"])
        let batch = JobBatch(runID: "20261130-134512-ab12", count: 2, workerArguments: ["agon", "worker", "--job"], hardTimeoutSeconds: 60)
        for manifest in [KubernetesJobManifest.job(batch, settings: settings, namespace: "agents"),
                         KubernetesJobManifest.retryJob(batch, index: 1, avoidNode: "n1", settings: settings, namespace: "agents")] {
            let json = try #require(try JSONSerialization.jsonObject(with: KubernetesJobManifest.encode(manifest)) as? [String: Any])
            let pod = ((json["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
            let container = try #require((pod?["containers"] as? [[String: Any]])?.first)
            let envFrom = container["envFrom"] as? [[String: Any]] ?? []
            #expect(envFrom.compactMap { ($0["secretRef"] as? [String: Any])?["name"] as? String } == ["anthropic-key", "team.openai-key"])
            let env = container["env"] as? [[String: Any]] ?? []
            #expect(!env.contains { ($0["name"] as? String)?.hasSuffix("_API_KEY") == true })
        }
        // Without the setting the manifest has no envFrom (the golden manifests stay as they are).
        let plain = KubernetesJobManifest.job(batch, settings: try KubernetesSettings(["image": "agon:1"]), namespace: "agents")
        #expect(!String(decoding: KubernetesJobManifest.encode(plain), as: UTF8.self).contains("envFrom"))
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
