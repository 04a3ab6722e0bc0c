import AgonCore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// Error paths of `--executor` and `agon worker`: one `agon:` line, exit 2, nothing created.
@Suite struct ExecutorCommandErrorTests {
    @Test func kubernetesIsNotInThisBuildAndNothingIsCreated() throws {
        let fixture = try TournamentFixture()
        let result = try fixture.agon("run", "specs/slugify.md", "--executor", "kubernetes")
        #expect(result.status == 2)
        #expect(result.stderr == "agon: executor kubernetes is not available in this build; use --executor local or slurm (or set executor.kind in agon.yml)\n")
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
