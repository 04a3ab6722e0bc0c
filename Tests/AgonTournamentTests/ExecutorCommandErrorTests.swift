import AgonCore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// Error paths of `--executor` and `agon worker`: one `agon:` line, exit 2, nothing created.
@Suite struct ExecutorCommandErrorTests {
    @Test func kubernetesSettingsAndCredentialsAreCheckedBeforeAnythingIsCreated() throws {
        let fixture = try TournamentFixture()
        let config = try String(contentsOfFile: fixture.repo + "/agon.yml", encoding: .utf8)
        // No image: the engine's own settings check, as one line.
        try (config + "\nexecutor:\n  kubernetes: { namespace: agents }\n").write(toFile: fixture.repo + "/agon.yml", atomically: true, encoding: .utf8)
        let noImage = try fixture.agon("run", "specs/slugify.md", "--executor", "kubernetes")
        #expect(noImage.status == 2)
        #expect(noImage.stderr.hasPrefix("agon: executor.kubernetes.image in agon.yml is missing; name the worker image"))
        #expect(noImage.stderr.split(separator: "\n").count == 1)
        // An image but a kubeconfig that is not there: the credentials fail before the run exists.
        try (config + "\nexecutor:\n  kind: kubernetes\n  kubernetes: { image: \"registry.example.com/agon:1\", kubeconfig: /nonexistent/kubeconfig }\n")
            .write(toFile: fixture.repo + "/agon.yml", atomically: true, encoding: .utf8)
        let noCredentials = try fixture.agon("run", "specs/slugify.md")
        #expect(noCredentials.status == 2, "\(noCredentials.stderr)")
        #expect(noCredentials.stderr.hasPrefix("agon: "))
        #expect(noCredentials.stderr.contains("/nonexistent/kubeconfig"))
        #expect(noCredentials.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs"))
    }

    @Test func workerJobIDsAreChecked() throws {
        let fixture = try TournamentFixture()
        let bad = try fixture.agon("worker", "--job", "nonsense")
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("agon: --job \"nonsense\" is not RUN:INDEX"))
        #expect(bad.stderr.split(separator: "\n").count == 1)
        let unknown = try fixture.agon("worker", "--job", "20990101-000000-zzzz:0")
        #expect(unknown.status == 2, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("20990101-000000-zzzz"))
    }

    @Test func slurmWithoutSbatchFailsWithAHint() throws {
        let fixture = try TournamentFixture()
        // PATH without any Slurm client.
        var environment = fixture.environment
        environment["PATH"] = fixture.bin + ":/nonexistent"
        let result = try ProcessRun.run([TournamentFixture.agonBinary, "run", "specs/slugify.md", "--executor", "slurm"],
                                        in: fixture.repo, environment: environment, scratch: fixture.root)
        #expect(result.0 == 1)
        #expect(result.2.contains("agon: sbatch is not installed or not on PATH; install the Slurm client"), "\(result.2)")
    }
}
