import Foundation
import Testing
@testable import AgonCore

/// `executor:` in agon.yml.
@Suite struct ExecutorSettingsTests {
    @Test func localIsTheDefault() throws {
        let config = try Config.parse(yaml: "agents:\n  a: { harness: claude }\n")
        #expect(config.executor == ExecutorSettings())
        #expect(config.executor.kind == "local")
    }

    @Test func readsSlurmAndPassesKubernetesOn() throws {
        let config = try Config.parse(yaml: """
        executor:
          kind: slurm
          poll_interval: 5s
          slurm: { partition: gpu, time_margin: 15m, options: ["--mem=4G", "--account=ml"] }
          kubernetes: { image: "registry/agon:1", namespace: agents, api_server: "https://k8s:6443", service_account_dir: /var/run/t, ttl_seconds_after_finished: 600 }
        """)
        #expect(config.executor.kind == "slurm")
        #expect(config.executor.pollInterval.seconds == 5)
        #expect(config.executor.slurmPartition == "gpu")
        #expect(config.executor.timeMargin.seconds == 900)
        #expect(config.executor.slurmOptions == ["--mem=4G", "--account=ml"])
        #expect(config.executor.kubernetes == ["image": "registry/agon:1", "namespace": "agents",
                                               "api_server": "https://k8s:6443", "service_account_dir": "/var/run/t", "ttl_seconds_after_finished": "600"])
    }

    @Test(arguments: [
        ("executor: { kind: lsf }\n", "agon.yml:1: executor.kind: expected one of local, slurm, kubernetes, got \"lsf\""),
        ("executor: { slurm: { partiton: x } }\n", "agon.yml:1: executor.slurm.partiton: unknown key (did you mean \"partition\"?); known keys: partition, time_margin, options"),
        ("executor: { slurm: { options: [\"-p gpu\"] } }\n", "agon.yml:1: executor.slurm.options: item 0 (\"-p gpu\") is not a long sbatch option (--name=value)"),
        ("executor: { poll_interval: 0s }\n", "agon.yml:1: executor.poll_interval: must be longer than zero"),
        ("executor: { kubernetes: { image: [a, b] } }\n", "agon.yml:1: executor.kubernetes.image: expected a string, got a list"),
    ])
    func mistakesAreOneLineErrors(yaml: String, message: String) {
        let error = #expect(throws: AgonInputError.self) { try Config.parse(yaml: yaml) }
        #expect(error?.description == message)
    }
}
