import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension GitRepository {
    /// The file other `agon` processes lock before touching this repository's worktree metadata.
    public var worktreeMetadataLockPath: String { commonDir + "/agon-worktrees.lock" }

    /// Runs `body` holding an exclusive `flock` on the repository's worktree metadata against other
    /// processes (threads of this process may still add worktrees concurrently inside one `body`).
    /// libgit2 reads every worktree's metadata when adding one, and another process's half-written
    /// entry makes it fail. When the lock file cannot be opened, `body` runs unlocked (as git does).
    public func withWorktreeMetadataLock<T>(_ body: () throws -> T) rethrows -> T {
        let fd = Glibc.open(worktreeMetadataLockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if fd >= 0 { _ = flock(fd, LOCK_EX) }
        defer { if fd >= 0 { _ = flock(fd, LOCK_UN); Glibc.close(fd) } }
        return try body()
    }
}
