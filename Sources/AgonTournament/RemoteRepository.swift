import AgonCore
import AgonExecutors
import AgonGit
import AgonStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A worker on a machine without the coordinator's repository (`executor.repository` in
/// agon.yml): it keeps its own copy of the remote under the worker cache, fetches the run's base
/// commit into it by SHA when missing, and makes the candidate's worktree there. The spec and
/// agon.yml come from the run's artifact directory (a copy the coordinator writes), never from
/// a checkout of the remote.
public enum RemoteRepository {
    /// The run's agon.yml copy that remote workers read (`<artifact_root>/runs/<run>/agon.yml`).
    public static func configCopy(_ layout: ArtifactLayout, runID: String) -> URL {
        layout.runDirectory(runID).appendingPathComponent("agon.yml")
    }

    /// The directory holding this machine's copy of `url`: `<cache>/<sha256(url) prefix>`, under
    /// `worker_cache`, else `$XDG_CACHE_HOME/agon/repos`, else `~/.cache/agon/repos`.
    public static func cacheDirectory(for url: String, workerCache: String?, environment: [String: String]) -> String {
        let base: String
        if let workerCache {
            base = (workerCache as NSString).expandingTildeInPath
        } else if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg + "/agon/repos"
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/agon/repos"
        }
        return base + "/" + SHA256Digest.hex(url).prefix(16)
    }

    /// The worker's workspace for `url`: its cache copy (made on first use) as the repository,
    /// read with the run's agon.yml copy at `configPath`.
    public static func workspace(remote url: String, configPath: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Workspace {
        guard FileManager.default.fileExists(atPath: configPath) else { throw WorkspaceError.noConfigFile(path: configPath) }
        let config = try Config.load(path: configPath, displayName: configPath)
        let directory = cacheDirectory(for: url, workerCache: config.executor.workerCache, environment: environment)
        do {
            try withLock(directory) { _ = try GitRepository.openOrInit(directory) }
        } catch {
            throw WorkerError.cacheUnusable(path: directory, detail: (error as? GitError)?.message ?? error.localizedDescription)
        }
        return try Workspace.open(from: directory, configPath: configPath, environment: environment)
    }

    /// Makes sure commit `sha` is in the worker's copy, fetching it from `url` when it is not.
    static func ensureCommit(_ sha: ObjectID, runID: String, in workspace: Workspace, from url: String) throws {
        try withLock(workspace.root) {
            let repository = try workspace.repository()
            if (try? repository.resolveCommit(sha.hex)) != nil { return }
            do {
                try repository.fetchCommit(sha, from: url)
            } catch let error as GitError {
                throw WorkerError.fetchFailed(runID: runID, sha: sha.hex, remote: url, detail: error.message)
            }
            guard (try? repository.resolveCommit(sha.hex)) != nil else {
                throw WorkerError.fetchFailed(runID: runID, sha: sha.hex, remote: url, detail: "the fetch brought no such commit")
            }
        }
    }

    /// Runs `body` holding an exclusive lock on `<directory>.lock`: workers sharing a machine
    /// (and so a cache) make and fetch into one copy one at a time.
    static func withLock<T>(_ directory: String, _ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: (directory as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let fd = open(directory + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if fd >= 0 { _ = flock(fd, LOCK_EX) }
        defer { if fd >= 0 { _ = flock(fd, LOCK_UN); close(fd) } }
        return try body()
    }
}

extension Tournament {
    /// With `executor.repository`, the settings a worker elsewhere needs must be readable there:
    /// a shared store, and absolute paths for the artifact root and the price file. Checked
    /// before a run exists.
    func checkRemoteRepository() throws {
        guard workspace.config.executor.repository != nil, try executorKind() != .local else { return }
        let file = workspace.config.file ?? "agon.yml"
        guard try workspace.sharedStoreURL != nil else {
            throw AgonInputError(file: file, field: "executor.repository",
                                 message: "workers elsewhere cannot reach this repository's SQLite store: set `store:` (or AGON_STORE_URL) to a PostgreSQL URL")
        }
        guard let artifactRoot = workspace.config.artifactRoot, artifactRoot.hasPrefix("/") else {
            throw AgonInputError(file: file, field: "artifact_root",
                                 message: "executor.repository needs an absolute artifact_root every node shares (workers read the run's spec and agon.yml there)")
        }
        if let prices = workspace.config.pricing.file, !prices.hasPrefix("/") {
            throw AgonInputError(file: file, field: "pricing.file",
                                 message: "executor.repository needs an absolute path every node sees, got \"\(prices)\"")
        }
    }

    /// The worker's argv up to `--job` and its working directory when workers fetch from
    /// `executor.repository` (nil otherwise): `agon worker --remote URL --config <run's agon.yml copy>`,
    /// started in the run's artifact directory. Writes that copy.
    func remoteWorkerCommand(runID: String, kind: ExecutorKind) throws -> (arguments: [String], workingDirectory: String)? {
        guard let url = workspace.config.executor.repository, let configPath = workspace.configPath else { return nil }
        let copy = RemoteRepository.configCopy(workspace.layout, runID: runID)
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: configPath)), to: copy)
        var arguments = [workerArguments(for: kind)[0], "worker", "--remote", url, "--config", copy.path]
        if !options.useCache { arguments.append("--no-cache") }
        return (arguments + ["--job"], copy.deletingLastPathComponent().path)
    }
}
