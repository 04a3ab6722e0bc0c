import AgonAgents
import AgonCore
import AgonGit
import AgonStore
import Foundation

/// `agon clean`: returns a run's (or every run's) worktrees to the pool (removing those it has no
/// room for), deletes their branches and prunes git's worktree metadata; records and artifacts
/// stay unless `purge`. `pool` empties the pool as well.
public struct Cleaner {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// What `agon clean` removed or pooled, and the runs it left alone because a live `agon` holds them.
    public struct Result: Codable {
        public var runs: [String]
        public var worktreesRemoved: [String]
        public var worktreesPooled: [String]
        public var poolEntriesRemoved: Int?
        public var branchesDeleted: [String]
        public var processesKilled: Int
        public var purged: Bool
        /// Not in the JSON document (it predates this field); the text names them.
        public var skipped: [String] = []
        /// Whether any run was asked for (false for `--pool` alone); not in the JSON document.
        public var cleanedRuns = true
        enum CodingKeys: String, CodingKey {
            case runs, worktreesRemoved = "worktrees_removed", worktreesPooled = "worktrees_pooled"
            case poolEntriesRemoved = "pool_entries_removed", branchesDeleted = "branches_deleted"
            case processesKilled = "processes_killed", purged
        }
    }

    /// `run` nil = every run; `runs` false cleans no run (for `--pool` alone).
    public func clean(run reference: String?, purge: Bool, pool emptyPool: Bool = false, runs: Bool = true) throws -> Result {
        // A root another repository owns is not ours to clean.
        try WorktreeRootCheck.validate(workspace)
        let repository = try workspace.repository()
        // Entries whose worktree is gone (a moved repository, a deleted directory) are pruned
        // first, so they cannot make the removals below fail.
        _ = try? repository.pruneWorktrees()
        let store = workspace.storeExists ? try workspace.store() : nil

        var runIDs: [String]
        if !runs {
            runIDs = []
        } else if let reference {
            if let store, let resolved = try? store.resolveRunID(reference) {
                runIDs = [resolved]
            } else if RunID(reference) != nil, (try? repository.branches(prefix: "agon/\(reference)/").isEmpty) == false
                        || FileManager.default.fileExists(atPath: workspace.worktreeRoot + "/" + reference) {
                runIDs = [reference]   // worktrees of a run whose record is gone
            } else {
                throw RunLookupError.notFound(reference: reference)
            }
        } else {
            var ids = Set(try store?.listRuns(RunFilter()).map(\.runID) ?? [])
            for branch in try repository.branches(prefix: "agon/") {
                let parts = branch.split(separator: "/")
                if parts.count >= 3 { ids.insert(String(parts[1])) }
            }
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: workspace.worktreeRoot) {
                ids.formUnion(entries.filter { RunID($0) != nil })
            }
            runIDs = ids.sorted()
        }

        // A run some live `agon` is still executing is left alone (its lease says so).
        let live = runIDs.filter { RunLease.isHeld(workspace.layout, runID: $0) }
        if reference != nil, let runID = live.first {
            throw RunLeaseError.held(runID: runID)
        }
        runIDs.removeAll { live.contains($0) }
        var result = Result(runs: runIDs, worktreesRemoved: [], worktreesPooled: [], branchesDeleted: [], processesKilled: 0,
                            purged: purge, skipped: live, cleanedRuns: runs)
        let pool = WorktreePool(workspace: workspace)
        for runID in runIDs {
            result.processesKilled += LeftoverProcesses.kill(environmentEntry: Tournament.runMarker(runID)).count
            let (pooled, removed) = try WorktreeSet.acrossProcesses(workspace) { try pool.retireRun(runID, repository) }
            result.worktreesPooled += pooled.map(workspace.relative)
            result.worktreesRemoved += removed.map(workspace.relative)
            for branch in try repository.branches(prefix: "agon/\(runID)/") {
                try repository.deleteBranch(branch)
                result.branchesDeleted.append(branch)
            }
            let directory = workspace.worktreeRoot + "/" + runID
            if FileManager.default.fileExists(atPath: directory) { try FileManager.default.removeItem(atPath: directory) }
            if purge, let store {
                _ = try store.deleteRun(runID)
                try workspace.layout.removeRunDirectory(runID)
            }
        }
        if purge && reference == nil {
            // Directories no record points at (e.g. `agon try` artifacts) go too.
            let recorded = Set(try store?.listRuns(RunFilter()).map(\.runID) ?? [])
            let directories = (try? FileManager.default.contentsOfDirectory(atPath: workspace.layout.runsDirectory.path)) ?? []
            for directory in directories where !recorded.contains(directory) && !live.contains(directory) {
                try? workspace.layout.removeRunDirectory(directory)
            }
        }
        if emptyPool {
            result.poolEntriesRemoved = try WorktreeSet.acrossProcesses(workspace) { pool.removeAll(repository) }
        }
        _ = try repository.pruneWorktrees()

        return result
    }
}
