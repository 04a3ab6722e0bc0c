import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away single-node Slurm (munge, slurmctld, slurmd) in a temporary directory, started by
/// `scripts/slurm-single-node.sh` and stopped on `stop()`/deinit. `start` returns nil with the
/// reason when Slurm cannot run here (not root, not installed), so tests skip instead of failing.
public final class SingleNodeSlurm {
    /// The cluster's directory: slurm.conf, state, logs, munge socket.
    public let directory: String
    /// `SLURM_CONF`, for every Slurm command and job.
    public var configPath: String { directory + "/slurm.conf" }
    private let scriptPath: String
    private var stopped = false

    private init(directory: String, script: String) {
        self.directory = directory
        self.scriptPath = script
    }

    /// Starts a cluster, or returns the reason it cannot (printed, so a skipped test says why).
    public static func start(packageRoot: String) -> (cluster: SingleNodeSlurm?, skipReason: String?) {
        let directory = NSTemporaryDirectory() + "agon-slurm-" + UUID().uuidString.prefix(8)
        let cluster = SingleNodeSlurm(directory: directory, script: packageRoot + "/scripts/slurm-single-node.sh")
        let (status, stderr) = cluster.runScript("start")
        if status == 0 { return (cluster, nil) }
        cluster.stop()
        let reason = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        print("skipping the Slurm test: \(reason.isEmpty ? "the cluster did not start (exit \(status))" : reason)")
        return (nil, reason)
    }

    /// Runs the script with its output in a file and waits for it with posix_spawn/waitpid: the
    /// daemons it starts keep inherited pipes open, and Foundation's Process did not notice the
    /// script's exit here (it stayed a zombie), so neither is used.
    private func runScript(_ verb: String) -> (Int32, String) {
        let log = NSTemporaryDirectory() + "agon-slurm-\(verb)-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let words: [String] = ["/bin/sh", scriptPath, verb, directory]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { word in strdup(word) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp) == 0 else { return (1, "cannot run /bin/sh") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitCode, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// The environment a Slurm client needs on top of `base`.
    public func environment(_ base: [String: String]) -> [String: String] {
        var environment = base
        environment["SLURM_CONF"] = configPath
        return environment
    }

    /// Stops the daemons and removes the directory. Idempotent.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        _ = runScript("stop")
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}
