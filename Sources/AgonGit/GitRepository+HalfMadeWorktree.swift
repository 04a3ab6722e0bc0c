import CGit2
import Foundation

extension GitRepository {
    /// Removes the metadata directory of worktree `name` when libgit2 cannot read it as a
    /// worktree: what a process killed in the middle of `addWorktree` (a SIGKILLed cluster
    /// worker) leaves, and what would otherwise refuse every later add of that name. Returns
    /// whether it removed anything. Callers hold the worktree-metadata lock, so no add in flight
    /// in another process can be mistaken for a half-made one.
    @discardableResult
    public func removeHalfMadeWorktree(_ name: String) throws -> Bool {
        guard Self.safeWorktreeName(name) == name else { return false }
        let metadataDir = commonDir + "/worktrees/" + name
        guard Self.pathExists(metadataDir) else { return false }
        var worktree: OpaquePointer?
        if git_worktree_lookup(&worktree, handle, name) == 0 {
            git_worktree_free(worktree)
            return false
        }
        try FileManager.default.removeItem(atPath: metadataDir)
        return true
    }
}
