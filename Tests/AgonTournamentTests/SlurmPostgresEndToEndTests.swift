import AgonCore
import AgonStore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// `agon run --executor slurm` with the run store in PostgreSQL: the coordinator and every worker
/// write there, and no SQLite file appears. The second test's workers do not see the
/// coordinator's repository at all: they fetch the base commit from a git remote
/// (`executor.repository`) into their own copy. Both skip, saying why, without PostgreSQL or Slurm.
extension SlurmExecutorEndToEndTests {
    /// A fresh PostgreSQL schema, or nil (with the reason printed) when no test server is given.
    static func postgresStore() throws -> ScratchStore? {
        guard StoreBackend.postgresURL != nil else {
            print("note: Slurm-on-PostgreSQL test skipped: \(StoreBackend.postgresURLVariable) is not set (scripts/with-postgres.sh sets it)")
            return nil
        }
        return try ScratchStore(.postgres)
    }

    @Test func fourCandidatesOnPostgreSQL() throws {
        guard let scratch = try Self.postgresStore() else { return }
        let (started, _) = SingleNodeSlurm.start(packageRoot: TournamentFixture.packageRoot)
        guard let cluster = started else { return }
        defer { cluster.stop() }
        let fixture = try TournamentFixture(config: Self.slurmConfig(TournamentFixture.fourAgents))
        // The store comes from the environment, which sbatch hands on to every worker.
        var environment = cluster.environment(fixture.environment)
        environment["AGON_STORE_URL"] = scratch.urlOrPath
        let run = try ProcessRun.run([TournamentFixture.agonBinary, "run", "specs/slugify.md", "--no-review", "--json"],
                                     in: fixture.repo, environment: environment, scratch: fixture.root)
        #expect(run.0 == 0, "agon run failed: \(run.2)")
        let store = try scratch.open()
        let runID = try #require(try store.listRuns().first?.runID)
        let record = try #require(try store.run(runID))
        ClusterJobProbe.expectFourDemoOutcomes(record)
        let host = ProcessInfo.processInfo.hostName
        #expect(record.candidates.allSatisfy { $0.state == .finished && $0.workerHost == host && $0.attempt == 1 })
        let jobs = try store.jobs(runID: runID)
        #expect(jobs.map(\.agent) == record.agentsPlanned)
        #expect(jobs.allSatisfy { $0.state == .finished && $0.attempt == 1 && $0.host == host })
        // Every record is in PostgreSQL: no process made the repository's SQLite store.
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/agon.sqlite"))
        #expect(try scratch.sql("SELECT count(*) FROM candidates").trimmingCharacters(in: .whitespacesAndNewlines) == "4")
    }

    @Test func workersWithoutTheRepositoryFetchTheBaseFromARemote() throws {
        guard let scratch = try Self.postgresStore() else { return }
        let (started, _) = SingleNodeSlurm.start(packageRoot: TournamentFixture.packageRoot)
        guard let cluster = started else { return }
        defer { cluster.stop() }
        let fixture = try TournamentFixture(config: Self.slurmConfig(TournamentFixture.fourAgents))
        let remote = fixture.root + "/remote.git"
        let remoteURL = "file://" + remote
        let artifacts = fixture.root + "/shared-artifacts"
        let nodeCache = fixture.root + "/node-cache"
        let config = try String(contentsOfFile: fixture.repo + "/agon.yml", encoding: .utf8)
        try (config + "\n  repository: \"\(remoteURL)\"\n  worker_cache: \(nodeCache)\n"
             + "store: \"\(scratch.urlOrPath)\"\nartifact_root: \(artifacts)\n")
            .write(toFile: fixture.repo + "/agon.yml", atomically: true, encoding: .utf8)
        try fixture.git("commit", "-qam", "agon.yml: workers fetch from a remote")
        let base = try fixture.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try fixture.git("clone", "-q", "--bare", fixture.repo, remote)
        // Holdout scripts are not in git: the "node" gets its own copy, as an admin would put there.
        let copy = RemoteRepository.cacheDirectory(for: remoteURL, workerCache: nodeCache, environment: [:])
        try FileManager.default.createDirectory(atPath: copy + "/.agon", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.repo + "/.agon/holdout", toPath: copy + "/.agon/holdout")

        let environment = cluster.environment(fixture.environment)
        let run = try ProcessRun.run([TournamentFixture.agonBinary, "run", "specs/slugify.md", "--no-review", "--json"],
                                     in: fixture.repo, environment: environment, scratch: fixture.root)
        let store = try scratch.open()
        let runID = try #require(try store.listRuns().first?.runID)
        let jobsDir = "\(artifacts)/runs/\(runID)/jobs"
        let workerLogs = ((try? FileManager.default.contentsOfDirectory(atPath: jobsDir)) ?? []).sorted()
            .filter { $0.hasSuffix(".out") }
            .map { "\($0): " + ((try? String(contentsOfFile: jobsDir + "/" + $0, encoding: .utf8)) ?? "") }
        #expect(run.0 == 0, "agon run failed: \(run.2)\n\(workerLogs.joined(separator: "\n"))")
        let record = try #require(try store.run(runID))
        ClusterJobProbe.expectFourDemoOutcomes(record)
        // The workers were started with --remote and the run's agon.yml copy, not --repo.
        let script = try String(contentsOfFile: "\(artifacts)/runs/\(runID)/jobs/slurm-job.sh", encoding: .utf8)
        #expect(script.contains(" worker --remote \(remoteURL) --config \(artifacts)/runs/\(runID)/agon.yml --job "), "\(script)")
        #expect(!script.contains("--repo"))
        #expect(FileManager.default.fileExists(atPath: "\(artifacts)/runs/\(runID)/agon.yml"))
        for candidate in record.candidates {
            // Each worktree was made in the node's copy, and the record says so with an absolute path.
            #expect(candidate.worktree.hasPrefix(copy + "/worktrees/\(runID)/"), "\(candidate.agent): \(candidate.worktree)")
            #expect(candidate.attempt == 1)
            // The patch landed in the shared artifact root and applies to the coordinator's base.
            if let patch = candidate.diff.patchPath {
                #expect(patch.hasPrefix(artifacts + "/"))
                _ = try fixture.git("apply", "--check", patch)
            }
        }
        // The git CLI on the node's copy: the base commit arrived whole and is pinned by a ref.
        let node = GitCLI(directory: copy)
        #expect(try node.run("rev-parse", "refs/agon/fetched/\(base)").trimmingCharacters(in: .whitespacesAndNewlines) == base)
        #expect(try node.run("rev-parse", "\(base)^{tree}") == (try fixture.git("rev-parse", "HEAD^{tree}")))
        _ = try node.run("fsck", "--no-dangling")
        // No worker touched the coordinator's repository, and every record is in PostgreSQL.
        #expect(try fixture.git("worktree", "list", "--porcelain").components(separatedBy: "worktree ").count == 2)
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/agon.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: copy + "/.agon/agon.sqlite"))

        // A worker whose remote lacks the base commit says so in one line and changes nothing.
        let jobBefore = try store.jobs(runID: runID).first
        let empty = fixture.root + "/empty.git"
        _ = try fixture.git("init", "-q", "--bare", empty)
        /// The run's agon.yml copy as another machine with its cache at `cache` would have it.
        func otherNode(_ name: String, cache: String) throws -> String {
            let path = fixture.root + "/\(name).yml"
            try (try String(contentsOfFile: "\(artifacts)/runs/\(runID)/agon.yml", encoding: .utf8))
                .replacingOccurrences(of: "worker_cache: \(nodeCache)", with: "worker_cache: \(cache)")
                .write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let otherConfig = try otherNode("other-node", cache: fixture.root + "/other-node")
        let lacking = try ProcessRun.run([TournamentFixture.agonBinary, "worker", "--remote", "file://" + empty,
                                          "--config", otherConfig, "--job", "\(runID):0"],
                                         in: fixture.root, environment: environment, scratch: fixture.root)
        #expect(lacking.0 == 1)
        #expect(lacking.2.hasPrefix("agon: cannot fetch run \(runID)'s base commit \(base.prefix(12)) from file://\(empty): "), "\(lacking.2)")
        #expect(lacking.2.contains("; push the base commit to executor.repository"))
        #expect(lacking.2.split(separator: "\n").count == 1, "\(lacking.2)")
        #expect(try store.jobs(runID: runID).first == jobBefore)

        // A machine whose copy has no holdout scripts refuses the job rather than fail the holdout check.
        let bareNode = try ProcessRun.run([TournamentFixture.agonBinary, "worker", "--remote", remoteURL,
                                           "--config", try otherNode("bare-node", cache: fixture.root + "/bare-node"),
                                           "--job", "\(runID):0"],
                                          in: fixture.root, environment: environment, scratch: fixture.root)
        #expect(bareNode.0 == 1)
        #expect(bareNode.2.hasPrefix("agon: run \(runID)'s spec has holdout checks but \(fixture.root)/bare-node/"), "\(bareNode.2)")
        #expect(bareNode.2.contains("/.agon/holdout does not exist on this machine; copy the holdout scripts"), "\(bareNode.2)")
        // A cache that cannot be a directory.
        let fileCache = fixture.root + "/a-file"
        FileManager.default.createFile(atPath: fileCache, contents: Data("x".utf8))
        let badCache = try ProcessRun.run([TournamentFixture.agonBinary, "worker", "--remote", remoteURL,
                                           "--config", try otherNode("bad-cache", cache: fileCache), "--job", "\(runID):0"],
                                          in: fixture.root, environment: environment, scratch: fixture.root)
        #expect(badCache.0 == 1)
        #expect(badCache.2.hasPrefix("agon: cannot use the worker's copy of the repository at \(fileCache)/"), "\(badCache.2)")
        #expect(badCache.2.split(separator: "\n").count == 1, "\(badCache.2)")
        #expect(try store.jobs(runID: runID).first == jobBefore)
    }
}
