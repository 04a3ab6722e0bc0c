import AgonCore
import AgonGit
import AgonStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One repository Agon works in: its root, `agon.yml`, price table and `.agon/` layout.
public struct Workspace {
    /// The repository's work tree (absolute, no trailing slash).
    public let root: String
    public let config: Config
    /// The agon.yml that was read; nil when the repository has none.
    public let configPath: String?
    public let layout: ArtifactLayout
    /// Built-in prices, extended by `pricing.file` when the config names one.
    public let prices: PriceTable
    /// Entries of the price file that were refused (absurd or incomplete).
    public let rejectedPrices: [RejectedPrice]
    /// The environment agents draw their allowlist from (injectable for tests).
    public var environment: [String: String]

    public static func open(from path: String, configPath: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Workspace {
        let root = try repositoryRoot(from: path)

        var config = Config.empty
        var usedConfigPath: String?
        if let configPath {
            let absolute = Self.absolute(configPath, relativeTo: FileManager.default.currentDirectoryPath)
            guard FileManager.default.fileExists(atPath: absolute) else { throw WorkspaceError.noConfigFile(path: configPath) }
            config = try Config.load(path: absolute, displayName: configPath)
            usedConfigPath = absolute
        } else {
            let candidate = root + "/agon.yml"
            if FileManager.default.fileExists(atPath: candidate) {
                config = try Config.load(path: candidate, displayName: "agon.yml")
                usedConfigPath = candidate
            }
        }

        var prices = PriceTable.builtIn
        var rejected: [RejectedPrice] = []
        if let file = config.pricing.file {
            let path = Self.absolute(file, relativeTo: root)
            guard FileManager.default.fileExists(atPath: path) else {
                throw AgonInputError(file: "agon.yml", field: "pricing.file", message: "no such file: \(file)")
            }
            let loaded = try PriceTable.loadLiteLLM(path: path)
            prices = prices.merging(loaded.table)
            rejected = loaded.rejected
        }
        // A bad store URL fails here, before anything runs.
        _ = try StoreLocation.configured(environment: environment, configValue: config.store)
        let artifactRoot = config.artifactRoot.map { URL(fileURLWithPath: Self.absolute($0, relativeTo: root)) }
        return Workspace(root: root, config: config, configPath: usedConfigPath,
                         layout: ArtifactLayout(root: URL(fileURLWithPath: root), artifactRoot: artifactRoot), prices: prices,
                         rejectedPrices: rejected, environment: environment)
    }

    /// The work tree of the repository containing `path` (the main one when `path` is inside one
    /// of its linked worktrees), without reading any configuration.
    public static func repositoryRoot(from path: String) throws -> String {
        let repository: GitRepository
        do {
            repository = try GitRepository.discover(from: path)
        } catch {
            throw WorkspaceError.notARepository(path: path)
        }
        guard let workdir = repository.workdir else {
            throw WorkspaceError.bareRepository(gitDir: repository.gitDir)
        }
        var root = workdir
        if repository.isLinkedWorktree {
            let common = URL(fileURLWithPath: repository.commonDir)
            if common.lastPathComponent == ".git" { root = common.deletingLastPathComponent().path }
        }
        return trimSlash(root)
    }

    /// A fresh libgit2 handle on the repository (one per thread: handles are not thread-safe).
    public func repository() throws -> GitRepository {
        try GitRepository.open(root)
    }

    /// The run index, created on first use. One store per database per process: SQLite's POSIX
    /// locks are per process, and opening the file a second time (and closing it) would drop the
    /// locks the first connection holds while another thread writes — a known way to corrupt it.
    public func store() throws -> RunStore {
        if let url = try sharedStoreURL { return try OpenStores.shared.store(postgresURL: url) }
        return try OpenStores.shared.store(for: layout)
    }

    /// The PostgreSQL store's URL (`AGON_STORE_URL`, else agon.yml's `store:`); nil for the
    /// repository's own SQLite file.
    public var sharedStoreURL: String? {
        get throws { try StoreLocation.configured(environment: environment, configValue: config.store) }
    }

    /// Whether there is a store to read: a configured PostgreSQL one, or the SQLite file
    /// (reading never creates `.agon/`).
    public var storeExists: Bool {
        (try? sharedStoreURL) != nil || FileManager.default.fileExists(atPath: layout.databaseURL.path)
    }

    /// The run index for commands that only read: a repository where Agon never ran has no runs,
    /// and reading must not create `.agon/` there.
    public func storeForReading() throws -> RunStore {
        guard storeExists else {
            throw RunLookupError.noRunsYet(root: root)
        }
        return try store()
    }

    /// Absolute directory under which run worktrees live (`defaults.worktree_root`).
    public var worktreeRoot: String {
        Self.absolute(config.defaults.worktreeRoot, relativeTo: root)
    }

    /// The verifier ids a review uses when none are named.
    public var defaultVerifiers: [String] { config.defaultVerifierIDs }

    /// `path` relative to the repository root when it lies inside it (for records and messages).
    public func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    public static func absolute(_ path: String, relativeTo base: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let joined = expanded.hasPrefix("/") ? expanded : base + "/" + expanded
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    static func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}

/// The process's open run stores, by database path.
final class OpenStores: @unchecked Sendable {
    static let shared = OpenStores()
    private let lock = NSLock()
    private var stores: [String: RunStore] = [:]

    func store(for layout: ArtifactLayout) throws -> RunStore {
        lock.lock(); defer { lock.unlock() }
        let path = layout.databaseURL.path
        if let store = stores[path] { return store }
        // Two `agon` processes creating the store at once race on switching it to WAL and on
        // the first migration ("database is locked" without waiting); an exclusive flock on a
        // separate file serialises just the opening. (flock on another file leaves SQLite's own
        // POSIX locks alone.)
        try FileManager.default.createDirectory(at: layout.agonDirectory, withIntermediateDirectories: true)
        let lockFD = open(layout.agonDirectory.appendingPathComponent("store.lock").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if lockFD >= 0 { _ = flock(lockFD, LOCK_EX) }
        defer { if lockFD >= 0 { _ = flock(lockFD, LOCK_UN); close(lockFD) } }
        let store = try RunStore(layout: layout)
        stores[path] = store
        return store
    }

    /// The PostgreSQL store at `url`, one connection per process.
    func store(postgresURL url: String) throws -> RunStore {
        lock.lock(); defer { lock.unlock() }
        if let store = stores[url] { return store }
        let store = try RunStore(postgresURL: url)
        stores[url] = store
        return store
    }

    /// Forgets a store (after its files were deleted).
    func forget(_ layout: ArtifactLayout) {
        lock.lock(); defer { lock.unlock() }
        stores[layout.databaseURL.path] = nil
    }
}
