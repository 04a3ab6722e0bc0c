import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bubblewrap sandbox for one process tree: what it sees of the filesystem, whether it has a
/// network, and the guarantee that nothing it starts outlives it.
///
/// Always: the whole filesystem read-only, a private `/dev`, `/tmp` and `/proc` (a new pid
/// namespace, so `/proc` shows only the sandbox's own processes), all capabilities dropped, and
/// `--die-with-parent`: when the sandbox's leader ends or is killed, the kernel kills every
/// process in its pid namespace, including `setsid`/double-forked ones. `mounts` are applied in
/// order after that, so a later bind re-exposes a path under an earlier `hide`.
public struct Sandbox: Equatable, Sendable {
    /// One step of the filesystem view.
    public enum Mount: Equatable, Sendable {
        /// An empty, private tmpfs over the path: nothing under it is visible.
        case hide(String)
        /// The path itself, read-write.
        case writable(String)
        /// The path itself, read-only (re-exposed under an earlier `hide`).
        case readOnly(String)
        /// `source` seen at `target`, read-write.
        case bind(source: String, target: String)
        /// `source` seen at `target`, read-only.
        case bindReadOnly(source: String, target: String)
        /// A symbolic link at `path` pointing to `destination`.
        case symlink(destination: String, path: String)

        var target: String {
            switch self {
            case .hide(let p), .writable(let p), .readOnly(let p): return p
            case .bind(_, let t), .bindReadOnly(_, let t): return t
            case .symlink(_, let p): return p
            }
        }
    }

    /// The bubblewrap binary.
    public var bwrap: String
    public var mounts: [Mount]
    /// Whether the sandbox keeps the host's network (agents and verifiers call their APIs).
    public var network: Bool

    public init(bwrap: String, mounts: [Mount], network: Bool) {
        self.bwrap = bwrap
        self.mounts = mounts
        self.network = network
    }

    /// Whether `path` is itself one of the sandbox's read-write mounts (the last mount naming it wins).
    public func bindsWritable(_ path: String) -> Bool {
        guard let last = mounts.last(where: { $0.target == path }) else { return false }
        switch last {
        case .writable, .bind: return true
        default: return false
        }
    }

    /// The environment entry every sandboxed process sees, so CLIs that refuse some flags as
    /// root (Claude Code) know they are contained.
    public static let markerVariable = "IS_SANDBOX"

    /// bubblewrap's path when it is installed and can create namespaces here, else nil.
    /// Probed once per process: a `true` run inside an empty sandbox.
    public static func availableBwrap() -> String? { detected }

    private static let detected: String? = {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where access(dir + "/bwrap", X_OK) == 0 {
            return probe(dir + "/bwrap") ? dir + "/bwrap" : nil
        }
        return nil
    }()

    private static func probe(_ bwrap: String) -> Bool {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
        let args = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid",
                    "--die-with-parent", "--", "/bin/true"]
        let argv = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        guard posix_spawn(&pid, bwrap, &actions, nil, argv, environ) == 0 else { return false }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status == 0
    }

    /// Whether `path` is visible inside: the last mount covering it decides (the private `/tmp`
    /// and `/dev` hide everything under them, e.g. `/dev/shm`, unless re-exposed).
    public func exposes(_ path: String) -> Bool {
        func covers(_ dir: String) -> Bool { path == dir || path.hasPrefix(dir.hasSuffix("/") ? dir : dir + "/") }
        var visible = !covers("/tmp") && !covers("/dev")   // both are the sandbox's own
        for mount in mounts where covers(mount.target) {
            switch mount {
            case .hide: visible = false
            case .readOnly, .writable, .symlink: visible = true
            // Another directory shown there: what is visible is the source's file, not ours.
            case let .bind(source, target), let .bindReadOnly(source, target):
                visible = source == target
            }
        }
        return visible
    }

    /// Makes `executable` (and what it links to) visible inside, read-only, where a mount hides
    /// it, together with its installation: a program rarely runs alone (a virtual environment's
    /// script needs its `lib/`, a build directory's binary its neighbours), so the directory it
    /// is in is shown, or the prefix above it when that directory is a `bin/`.
    public mutating func expose(executable: String) {
        guard let resolved = realpath(executable, nil) else { return }
        let real = String(cString: resolved)
        free(resolved)
        // A visible link is not enough: what it points to must be visible too.
        guard !exposes(executable) || !exposes(real) else { return }
        if !exposes(real) {
            let installation = Self.installation(of: real)
            if canExpose(installation) { mounts.append(.readOnly(installation)) } else { mounts.append(.bindReadOnly(source: real, target: real)) }
        }
        if real != executable, !exposes(executable) {
            let installation = Self.installation(of: executable)
            if canExpose(installation) { mounts.append(.readOnly(installation)) }
            if !exposes(executable) { mounts.append(.symlink(destination: real, path: executable)) }
        }
    }

    /// The directory a program is installed in: its own, or the prefix above a `bin/`.
    static func installation(of program: String) -> String {
        let directory = (program as NSString).deletingLastPathComponent
        return (directory as NSString).lastPathComponent == "bin" ? (directory as NSString).deletingLastPathComponent : directory
    }

    /// Whether `directory` may be shown whole: never one that holds (or is) another mount's target,
    /// since re-exposing it would undo a hide below it (a private HOME, the repository).
    private func canExpose(_ directory: String) -> Bool {
        guard !["", "/", "/tmp", "/dev", "/proc"].contains(directory) else { return false }
        return !mounts.contains { $0.target == directory || $0.target.hasPrefix(directory + "/") }
    }

    /// The argv that runs `executable arguments` in `cwd` inside this sandbox.
    public func command(executable: String, arguments: [String], cwd: String) -> [String] {
        var args = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                    "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--cap-drop", "ALL"]
        if !network { args.append("--unshare-net") }
        for mount in mounts {
            switch mount {
            case .hide(let path): args += ["--tmpfs", path]
            case .writable(let path): args += ["--bind", path, path]
            case .readOnly(let path): args += ["--ro-bind", path, path]
            case let .bind(source, target): args += ["--bind", source, target]
            case let .bindReadOnly(source, target): args += ["--ro-bind", source, target]
            case let .symlink(destination, path): args += ["--symlink", destination, path]
            }
        }
        args += ["--chdir", cwd, "--", executable]
        return args + arguments
    }
}
