import AgonCore
import AgonStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Marks a run as being executed by a live `agon` process: an exclusive `flock` on
/// `.agon/runs/<run>/lease`. The kernel drops it when the process exits, however it dies, so
/// `agon clean` and `agon run --resume` can tell a live run from one whose `agon` was killed.
public final class RunLease {
    private var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { release() }

    /// Takes the lease, or fails with a usage error when another process holds it.
    static func acquire(_ layout: ArtifactLayout, runID: String) throws -> RunLease {
        let directory = layout.runDirectory(runID)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // O_CLOEXEC: an agent that outlives `agon` must not keep the run looking alive.
        let fd = open(directory.appendingPathComponent("lease").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunLeaseError.unopenable(runID: runID, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw RunLeaseError.held(runID: runID)
        }
        return RunLease(fd: fd)
    }

    /// Whether some process holds the lease of `runID` right now.
    static func isHeld(_ layout: ArtifactLayout, runID: String) -> Bool {
        let path = layout.runDirectory(runID).appendingPathComponent("lease").path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }

    func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    /// How `list` and `show` name a run that says it is running but whose lease nobody holds.
    public static let staleStatus = "stale"

    /// `status`, or `stale` when the run claims to be in progress and no `agon` process holds its lease.
    public static func displayedStatus(_ status: RunStatus, runID: String, layout: ArtifactLayout) -> String {
        if !status.isTerminal && status != .planned && !isHeld(layout, runID: runID) { return staleStatus }
        return status.rawValue
    }
}
