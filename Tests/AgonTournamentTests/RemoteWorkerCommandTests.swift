import AgonCore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// Error paths of `executor.repository` and `agon worker --remote`: one `agon:` line, nothing created.
@Suite struct RemoteWorkerCommandTests {
    @Test func aRemoteRepositoryNeedsASharedStoreAndAnAbsoluteArtifactRoot() throws {
        let fixture = try TournamentFixture()
        let config = try String(contentsOfFile: fixture.repo + "/agon.yml", encoding: .utf8)
        // The repository's own SQLite store: workers elsewhere could never write their records.
        try (config + "\nexecutor:\n  repository: \"file:///srv/git/app.git\"\n")
            .write(toFile: fixture.repo + "/agon.yml", atomically: true, encoding: .utf8)
        let sqlite = try fixture.agon("run", "specs/slugify.md", "--executor", "slurm")
        #expect(sqlite.status == 2, "\(sqlite.stderr)")
        #expect(sqlite.stderr.hasPrefix("agon: "), "\(sqlite.stderr)")
        #expect(sqlite.stderr.contains("executor.repository") && sqlite.stderr.contains("PostgreSQL"), "\(sqlite.stderr)")
        #expect(sqlite.stderr.split(separator: "\n").count == 1)
        // A relative artifact root would resolve inside each worker's own copy.
        try (config + "\nstore: \"postgresql://agon@127.0.0.1:1/agon\"\nartifact_root: shared/artifacts\n"
             + "executor:\n  repository: \"file:///srv/git/app.git\"\n")
            .write(toFile: fixture.repo + "/agon.yml", atomically: true, encoding: .utf8)
        let relative = try fixture.agon("run", "specs/slugify.md", "--executor", "slurm")
        #expect(relative.status == 2, "\(relative.stderr)")
        #expect(relative.stderr.hasPrefix("agon: "), "\(relative.stderr)")
        #expect(relative.stderr.contains("artifact_root"), "\(relative.stderr)")
        #expect(relative.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs"))
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/shared"))
    }

    @Test func workerRemoteNeedsTheRunsConfig() throws {
        let fixture = try TournamentFixture()
        let result = try fixture.agon("worker", "--remote", "file:///srv/git/app.git", "--job", "20990101-000000-zzzz:0")
        #expect(result.status == 2)
        #expect(result.stderr == "agon: --remote needs --config (the run's agon.yml copy) and no --repo; the coordinator passes both when agon.yml sets executor.repository; run `agon run --executor …` rather than starting workers by hand\n")
    }

    @Test func workerCacheMustBeAbsolute() throws {
        let fields = "executor:\n  worker_cache: cache/repos\n"
        let error = #expect(throws: AgonInputError.self) { try Config.parse(yaml: fields) }
        #expect(error?.description.contains("worker_cache") == true)
        #expect(RemoteRepository.cacheDirectory(for: "https://example.com/a.git", workerCache: nil, environment: ["XDG_CACHE_HOME": "/x"])
                .hasPrefix("/x/agon/repos/"))
        #expect(RemoteRepository.cacheDirectory(for: "https://example.com/a.git", workerCache: nil, environment: ["HOME": "/h"])
                .hasPrefix("/h/.cache/agon/repos/"))
        // One copy per remote.
        #expect(RemoteRepository.cacheDirectory(for: "a", workerCache: "/c", environment: [:])
                != RemoteRepository.cacheDirectory(for: "b", workerCache: "/c", environment: [:]))
    }
}
