import AgonAgents
import AgonCore
import AgonGit
import AgonStore
import Foundation

/// `agon clean`: removes a run's (or every run's) worktrees and branches and prunes git's
/// worktree metadata; records and artifacts stay unless `purge`.
public struct Cleaner {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    struct Result: Codable {
        var runs: [String]
        var worktreesRemoved: [String]
        var branchesDeleted: [String]
        var processesKilled: Int
        var purged: Bool
        enum CodingKeys: String, CodingKey {
            case runs, worktreesRemoved = "worktrees_removed", branchesDeleted = "branches_deleted"
            case processesKilled = "processes_killed", purged
        }
    }

    /// `run` nil = every run.
    public func clean(run reference: String?, purge: Bool) throws -> CommandOutput {
        // A root another repository owns is not ours to clean.
        try WorktreeRootCheck.validate(workspace)
        let repository = try workspace.repository()
        // Entries whose worktree is gone (a moved repository, a deleted directory) are pruned
        // first, so they cannot make the removals below fail.
        _ = try? repository.pruneWorktrees()
        let storeExists = FileManager.default.fileExists(atPath: workspace.layout.databaseURL.path)
        let store = storeExists ? try workspace.store() : nil

        var runIDs: [String]
        if let reference {
            if let store, let resolved = try? store.resolveRunID(reference) {
                runIDs = [resolved]
            } else if RunID(reference) != nil, (try? repository.branches(prefix: "agon/\(reference)/").isEmpty) == false
                        || FileManager.default.fileExists(atPath: workspace.worktreeRoot + "/" + reference) {
                runIDs = [reference]   // worktrees of a run whose record is gone
            } else {
                throw UsageError("no run \(reference)")
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
            throw UsageError("run \(runID) is still being run by another agon process; stop it first")
        }
        runIDs.removeAll { live.contains($0) }
        var result = Result(runs: runIDs, worktreesRemoved: [], branchesDeleted: [], processesKilled: 0, purged: purge)
        for runID in runIDs {
            result.processesKilled += LeftoverProcesses.kill(environmentEntry: Tournament.runMarker(runID)).count
            for worktree in try WorktreeSet.all(in: repository, runID: runID) {
                do {
                    try repository.removeWorktree(worktree.name, deleteBranch: false)
                } catch {
                    // Its metadata points somewhere stale: drop the entry by hand (only this repository's).
                    try? FileManager.default.removeItem(atPath: repository.commonDir + "/worktrees/" + worktree.name)
                }
                result.worktreesRemoved.append(workspace.relative(worktree.path))
            }
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
        _ = try repository.pruneWorktrees()

        var text = "cleaned \(runIDs.count) run\(runIDs.count == 1 ? "" : "s"): "
        text += "\(result.worktreesRemoved.count) worktrees, \(result.branchesDeleted.count) branches removed"
        if result.processesKilled > 0 { text += ", \(result.processesKilled) leftover processes killed" }
        text += purge ? "; records and artifacts deleted\n" : "; records kept (`--purge` deletes them)\n"
        if !live.isEmpty { text += "skipped \(live.joined(separator: ", ")): still being run by another agon process\n" }
        return CommandOutput(text: text, value: VersionedDocument(result))
    }
}
