import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One row of `/proc/<pid>/stat`: enough to find an agent's process group and descendants.
struct ProcessEntry: Equatable {
    var pid: Int32
    var ppid: Int32
    var pgid: Int32
    /// Kernel state letter; `Z` (zombie) and `X` (dead) are no longer running.
    var state: Character
    /// Start time in clock ticks since boot (0 when unknown): a process created before the agent
    /// cannot be one of its descendants.
    var startTime: UInt64 = 0
    var isAlive: Bool { state != "Z" && state != "X" }
}

/// Reads the Linux process table from /proc (no subprocesses, no allocation-heavy APIs).
enum ProcessTable {
    /// Parses one `/proc/<pid>/stat` line; the command name may contain spaces and parentheses.
    static func parseStat(_ text: String) -> ProcessEntry? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"),
              let pid = Int32(text[..<open].trimmingCharacters(in: .whitespaces)) else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 3, let state = fields[0].first,
              let ppid = Int32(fields[1]), let pgid = Int32(fields[2]) else { return nil }
        let startTime = fields.count > 19 ? UInt64(fields[19]) ?? 0 : 0
        return ProcessEntry(pid: pid, ppid: ppid, pgid: pgid, state: state, startTime: startTime)
    }

    static func entry(pid: Int32) -> ProcessEntry? {
        readSmallFile("/proc/\(pid)/stat").flatMap(parseStat)
    }

    static func all() -> [ProcessEntry] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var result: [ProcessEntry] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), let e = entry(pid: pid) else { continue }
            result.append(e)
        }
        return result
    }

    /// Every process in `table` below `root` by the parent chain.
    static func descendants(of root: Int32, in table: [ProcessEntry]) -> Set<Int32> {
        var children: [Int32: [Int32]] = [:]
        for e in table { children[e.ppid, default: []].append(e.pid) }
        var found: Set<Int32> = []
        var stack = children[root] ?? []
        while let pid = stack.popLast() {
            guard found.insert(pid).inserted else { continue }
            stack.append(contentsOf: children[pid] ?? [])
        }
        return found
    }

    /// Whether the process's environment holds exactly `entry` (`NAME=value`); false when unreadable.
    static func environment(of pid: Int32, contains entry: String) -> Bool {
        guard let data = readSmallFile("/proc/\(pid)/environ", limit: 1 << 20) else { return false }
        return data.split(separator: "\0").contains { $0 == entry }
    }

    private static func readSmallFile(_ path: String, limit: Int = 4096) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, min($0.count, limit - bytes.count)) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Makes this process a "child subreaper" (Linux `PR_SET_CHILD_SUBREAPER`): descendants of an
/// agent that daemonise or `setsid` are re-parented to Agon instead of init, so the supervisor
/// can still find (by parent chain) and reap them. Process-wide; call once at start-up.
public enum ChildSubreaper {
    private typealias PrctlFunction = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32

    /// Returns whether the kernel accepted it (false on non-Linux or when prctl is unavailable).
    @discardableResult
    public static func enable() -> Bool {
        // prctl is variadic in C, which Swift cannot call directly; bind it with a fixed signature.
        guard let symbol = dlsym(nil, "prctl") else { return false }  // nil handle = RTLD_DEFAULT
        let prctl = unsafeBitCast(symbol, to: PrctlFunction.self)
        let PR_SET_CHILD_SUBREAPER: Int32 = 36
        return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    }
}
