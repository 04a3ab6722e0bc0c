import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Processes an agent left running after `agon` itself was killed: found by an environment entry
/// every agent process carries and its children inherit (e.g. `AGON_RUN_ID=<run>`).
public enum LeftoverProcesses {
    /// Live processes (not zombies, not this one) whose environment holds `entry` (`NAME=value`).
    public static func find(environmentEntry entry: String) -> [Int32] {
        let me = getpid()
        return ProcessTable.all()
            .filter { $0.isAlive && $0.pid != me && ProcessTable.environment(of: $0.pid, contains: entry) }
            .map(\.pid)
    }

    /// SIGKILLs every process `find` returns and reaps those that are this process's children.
    @discardableResult
    public static func kill(environmentEntry entry: String) -> [Int32] {
        let pids = find(environmentEntry: entry)
        for pid in pids { Glibc.kill(pid, SIGKILL) }
        for pid in pids { var status: Int32 = 0; _ = waitpid(pid, &status, WNOHANG) }
        return pids
    }

    /// SIGKILLs and reaps every live child of this process. For a child subreaper whose own
    /// children are all done: what is left is what agents and checks orphaned (`setsid env -i`,
    /// double forks), which carry no tag to find them by.
    @discardableResult
    public static func killOrphans() -> [Int32] {
        let me = getpid()
        var killed: [Int32] = []
        for _ in 0..<50 {
            let children = ProcessTable.all().filter { $0.ppid == me }
            if children.isEmpty { break }
            for child in children {
                if child.isAlive { Glibc.kill(child.pid, SIGKILL); killed.append(child.pid) }
                var status: Int32 = 0
                _ = waitpid(child.pid, &status, WNOHANG)
            }
            usleep(2000)
        }
        return Array(Set(killed))
    }
}
