import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a supervised process ended, as `waitpid` reported it.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let sig): return "signal \(sig)"
        }
    }
}

/// Why Agon stopped a process (nil in `SupervisedRun` when it ended by itself).
public enum StopReason: String, Sendable {
    case costCap, hardTimeout, silenceTimeout, cancelled
}

/// Errors starting or supervising a process; messages name the path or program involved.
public enum SupervisorError: Error, CustomStringConvertible, Equatable {
    case executableNotFound(name: String, searchPath: String)
    case cannotOpen(path: String, reason: String)
    case spawnFailed(program: String, reason: String)

    public var description: String {
        switch self {
        case .executableNotFound(let name, let path): return "cannot start agent: '\(name)' not found on PATH (\(path))"
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .spawnFailed(let program, let reason): return "cannot start \(program): \(reason)"
        }
    }
}

/// Safety limits for one supervised process. Timeouts of 0 disable that check.
public struct SupervisionLimits: Sendable {
    public var hardTimeout: TimeInterval
    public var silenceTimeout: TimeInterval
    /// Time between SIGTERM to the group and SIGKILL.
    public var killGrace: TimeInterval
    public var maxLineBytes: Int
    public var transcriptCapBytes: Int
    public var stderrCapBytes: Int
    /// How often `onTick` runs (file tailers, progress reports).
    public var tickInterval: TimeInterval

    public init(hardTimeout: TimeInterval = 600, silenceTimeout: TimeInterval = 0, killGrace: TimeInterval = 0.5,
                maxLineBytes: Int = 1 << 20, transcriptCapBytes: Int = 64 << 20, stderrCapBytes: Int = 4 << 20,
                tickInterval: TimeInterval = 0.1) {
        self.hardTimeout = hardTimeout
        self.silenceTimeout = silenceTimeout
        self.killGrace = killGrace
        self.maxLineBytes = maxLineBytes
        self.transcriptCapBytes = transcriptCapBytes
        self.stderrCapBytes = stderrCapBytes
        self.tickInterval = tickInterval
    }
}

/// What to start: argv, working directory and the complete environment (nothing is inherited).
public struct SpawnSpec: Sendable {
    /// A path, or a bare name looked up on the *child's* PATH.
    public var executable: String
    public var arguments: [String]
    public var workingDirectory: String
    public var environment: [String: String]
    public var transcriptPath: String
    public var stderrPath: String
    /// Run inside this bubblewrap sandbox; nil = directly, in a process group only.
    public var sandbox: Sandbox?

    public init(executable: String, arguments: [String], workingDirectory: String, environment: [String: String],
                transcriptPath: String, stderrPath: String, sandbox: Sandbox? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.transcriptPath = transcriptPath
        self.stderrPath = stderrPath
        self.sandbox = sandbox
    }

    /// Resolves `executable` the way a shell would, but against the child's PATH and cwd.
    public func resolvedExecutable() throws -> String {
        if executable.contains("/") {
            return executable.hasPrefix("/") ? executable : workingDirectory + "/" + executable
        }
        let searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in searchPath.split(separator: ":") where !dir.isEmpty {
            let candidate = dir + "/" + executable
            if access(candidate, X_OK) == 0 { return String(candidate) }
        }
        throw SupervisorError.executableNotFound(name: executable, searchPath: searchPath)
    }
}

/// What happened to a supervised process group.
public struct SupervisedRun: Sendable {
    public var pid: Int32
    public var exitStatus: ExitStatus
    public var stopReason: StopReason?
    /// Monotonic seconds (`MonotonicClock`) when Agon first signalled the group, if it did.
    public var signalledAt: Double?
    /// Whether SIGKILL was needed because the group outlived the grace period.
    public var usedSIGKILL: Bool
    /// Monotonic seconds when the leader was reaped and no process of the group was left.
    public var finishedAt: Double
    public var startedAt: Double
    public var stdoutBytes: Int
    public var overlongLines: Int
    public var transcriptTruncated: Bool
    /// The end of stderr (up to 64 KiB), for error classification.
    public var stderrTail: String
    /// Processes of the group still alive after the final sweep (should always be empty).
    public var survivors: [Int32]
}

/// Monotonic seconds since an arbitrary origin (immune to wall-clock changes).
public enum MonotonicClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Runs one agent process in its own process group and guarantees that nothing it started
/// outlives it.
///
/// stdout is read as it arrives and split into bounded lines (teed to a bounded transcript file);
/// stderr goes to a bounded file. `stop` sends SIGTERM to the whole group, then SIGKILL after the
/// grace period. When the leader has exited, every process left in its group, every descendant
/// seen while it ran, and every process carrying this run's `AGON_PROCESS_TAG` is SIGKILLed and,
/// where it is Agon's child (see `ChildSubreaper`), reaped.
public final class ProcessGroupSupervisor {
    public static let tagVariable = "AGON_PROCESS_TAG"

    public let spec: SpawnSpec
    public let limits: SupervisionLimits
    public let tag: String

    private let lock = NSLock()
    private var pid: pid_t = 0
    private var requestedStop: StopReason?
    private var silenceHeld = false
    private var signalledAt: Double?
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1

    public init(spec: SpawnSpec, limits: SupervisionLimits) {
        self.spec = spec
        self.limits = limits
        self.tag = UUID().uuidString
    }

    /// Asks the group to stop (SIGTERM now, SIGKILL after the grace period). Thread-safe,
    /// idempotent: the first reason wins. Callable from `onLine` for the fastest reaction.
    /// Pauses the silence timeout while `held` (a model call the CLI prints nothing during is in
    /// flight); the silence window restarts when it is released. Hard timeout and budget still apply.
    public func holdSilence(_ held: Bool) {
        lock.lock()
        silenceHeld = held
        lock.unlock()
    }

    private var isSilenceHeld: Bool {
        lock.lock()
        defer { lock.unlock() }
        return silenceHeld
    }

    public func stop(_ reason: StopReason) {
        lock.lock()
        if requestedStop == nil { requestedStop = reason }
        if pid > 0 && signalledAt == nil {
            signalledAt = MonotonicClock.now()
            if spec.sandbox == nil {
                kill(-pid, SIGTERM)
            } else {
                // bwrap dies of SIGTERM at once and takes the sandbox with it, which would deny the
                // agent its grace period: SIGTERM the group's members inside, not bwrap.
                for e in ProcessTable.all() where e.pgid == pid && e.pid != pid { kill(e.pid, SIGTERM) }
            }
        }
        let fd = wakeWrite
        lock.unlock()
        if fd >= 0 { var b: UInt8 = 1; _ = write(fd, &b, 1) }
    }

    /// Starts the process and supervises it to the end, on the calling thread.
    /// `onLine` gets each stdout line as it arrives; `onTick` runs every `tickInterval`.
    public func run(onLine: (Substring) -> Void, onTick: () -> Void = {}) throws -> SupervisedRun {
        let executable = try spec.resolvedExecutable()
        let transcript = try BoundedFileSink(path: spec.transcriptPath, capBytes: limits.transcriptCapBytes)
        let stderrSink = try BoundedFileSink(path: spec.stderrPath, capBytes: limits.stderrCapBytes, keepTailBytes: 64 * 1024)
        defer { transcript.close(); stderrSink.close() }

        var wake: [Int32] = [0, 0], out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        guard Self.makePipe(&wake, O_CLOEXEC | O_NONBLOCK), Self.makePipe(&out, O_CLOEXEC), Self.makePipe(&err, O_CLOEXEC) else {
            throw SupervisorError.spawnFailed(program: executable, reason: String(cString: strerror(errno)))
        }
        lock.lock(); wakeRead = wake[0]; wakeWrite = wake[1]; lock.unlock()
        defer {
            lock.lock(); close(wakeRead); close(wakeWrite); wakeRead = -1; wakeWrite = -1; lock.unlock()
        }

        var environment = spec.environment
        environment[Self.tagVariable] = tag
        var program = executable, argv0 = spec.executable, arguments = spec.arguments
        if var sandbox = spec.sandbox {
            // The program itself may live where the sandbox hides (a tool under /tmp or HOME).
            sandbox.expose(executable: executable)
            environment[Sandbox.markerVariable] = "1"
            // The sandbox's private /tmp; anything else is read-only, except a directory the harness
            // chose and the sandbox binds writable (codex refuses a CODEX_HOME under its TMPDIR).
            if !(environment["TMPDIR"].map(sandbox.bindsWritable) ?? false) { environment["TMPDIR"] = "/tmp" }
            let argv = sandbox.command(executable: executable, arguments: spec.arguments, cwd: spec.workingDirectory)
            program = sandbox.bwrap
            argv0 = argv[0]
            arguments = Array(argv.dropFirst())
        }
        let startedAt = MonotonicClock.now()
        let child: pid_t
        do {
            child = try Self.spawn(executable: program, argv0: argv0, arguments: arguments,
                                   cwd: spec.workingDirectory, environment: environment,
                                   stdoutFD: out[1], stderrFD: err[1])
        } catch {
            for fd in [out[0], out[1], err[0], err[1]] { close(fd) }
            throw error
        }
        close(out[1]); close(err[1])
        defer { close(out[0]); close(err[0]) }

        let childStart = ProcessTable.entry(pid: child)?.startTime ?? 0
        lock.lock()
        pid = child
        let stopBeforeStart = requestedStop != nil
        lock.unlock()
        if let reason = stopBeforeStart ? requestedStop : nil { stop(reason) }

        var splitter = LineSplitter(maxLineBytes: limits.maxLineBytes)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var outOpen = true, errOpen = true
        var leaderStatus: ExitStatus?
        var lastActivity = startedAt
        var lastTick = startedAt
        var lastScan = startedAt
        var usedSIGKILL = false
        var leftoversKilledAt: Double?
        var stdoutBytes = 0
        var tracked: Set<Int32> = []
        let hardDeadline = limits.hardTimeout > 0 ? startedAt + limits.hardTimeout : Double.infinity

        while true {
            var now = MonotonicClock.now()
            if leaderStatus == nil, let status = Self.reap(child) { leaderStatus = status }
            let signalTime = currentSignalTime()

            if leaderStatus == nil {
                if isSilenceHeld { lastActivity = now }
                if now >= hardDeadline { stop(.hardTimeout) }
                if limits.silenceTimeout > 0 && now - lastActivity >= limits.silenceTimeout { stop(.silenceTimeout) }
                if let t = currentSignalTime(), !usedSIGKILL, now - t >= limits.killGrace {
                    usedSIGKILL = true
                    kill(-child, SIGKILL)
                    for p in tracked { kill(p, SIGKILL) }
                }
                // Remember descendants while the leader lives: ones that leave the group are still ours.
                if now - lastScan >= 1.0 || (signalTime != nil && lastScan < signalTime!) {
                    tracked.formUnion(ProcessTable.descendants(of: child, in: ProcessTable.all()))
                    lastScan = MonotonicClock.now()
                }
            } else if leftoversKilledAt == nil {
                // The agent is done: whatever it left running in its group dies now.
                kill(-child, SIGKILL)
                leftoversKilledAt = now
            }
            if let done = leftoversKilledAt, (!outOpen && !errOpen) || now - done > 0.5 { break }

            if now - lastTick >= limits.tickInterval { onTick(); lastTick = now }

            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if outOpen { fds.append(pollfd(fd: out[0], events: Int16(POLLIN), revents: 0)) }
            if errOpen { fds.append(pollfd(fd: err[0], events: Int16(POLLIN), revents: 0)) }
            now = MonotonicClock.now()
            var wait = limits.tickInterval - (now - lastTick)
            if currentSignalTime() != nil || leaderStatus != nil || (!outOpen && !errOpen) {
                wait = min(wait, currentSignalTime() != nil || leaderStatus != nil ? 0.001 : 0.02)
            }
            if leaderStatus == nil {
                wait = min(wait, hardDeadline - now)
                if limits.silenceTimeout > 0 { wait = min(wait, lastActivity + limits.silenceTimeout - now) }
                if let t = currentSignalTime() { wait = min(wait, t + limits.killGrace - now) }
            }
            let ready = poll(&fds, nfds_t(fds.count), Int32(max(0, min(wait, 1.0)) * 1000))
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            for p in fds where p.revents != 0 {
                if p.fd == wakeRead {
                    while read(wakeRead, &buffer, buffer.count) > 0 {}
                    continue
                }
                let n = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    if p.fd == out[0] { outOpen = false; splitter.finish(onLine) } else { errOpen = false }
                    continue
                }
                lastActivity = MonotonicClock.now()
                buffer.withUnsafeBytes { raw in
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                    if p.fd == out[0] {
                        stdoutBytes += n
                        transcript.write(chunk)
                        splitter.append(chunk, onLine)
                    } else {
                        stderrSink.write(chunk)
                    }
                }
            }
        }
        if outOpen { splitter.finish(onLine) }
        onTick()

        var status = leaderStatus ?? .signaled(SIGKILL)
        // bwrap reports a command killed by signal N as exit 128+N.
        if spec.sandbox != nil, case .exited(let code) = status, code > 128, code < 128 + 65 { status = .signaled(code - 128) }
        let survivors = Self.sweep(group: child, startedAfter: childStart, tracked: tracked, tag: "\(Self.tagVariable)=\(tag)")
        lock.lock()
        let reason = requestedStop
        let signalled = signalledAt
        pid = 0
        lock.unlock()
        return SupervisedRun(pid: child, exitStatus: status, stopReason: reason, signalledAt: signalled,
                             usedSIGKILL: usedSIGKILL, finishedAt: MonotonicClock.now(), startedAt: startedAt,
                             stdoutBytes: stdoutBytes, overlongLines: splitter.overlongLines,
                             transcriptTruncated: transcript.droppedBytes > 0, stderrTail: stderrSink.tailText,
                             survivors: survivors)
    }

    private func currentSignalTime() -> Double? {
        lock.lock(); defer { lock.unlock() }
        return signalledAt
    }

    private static func reap(_ pid: pid_t) -> ExitStatus? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return nil }
        let sig = status & 0x7f
        return sig == 0 ? .exited((status >> 8) & 0xff) : .signaled(sig)
    }

    /// SIGKILLs every remaining process of the run and waits until none is alive (at most 2 s).
    /// Returns the pids still alive after that (expected: none).
    private static func sweep(group: pid_t, startedAfter: UInt64, tracked: Set<Int32>, tag: String) -> [Int32] {
        let me = getpid()
        var members = tracked
        let deadline = MonotonicClock.now() + 2
        var first = true
        while true {
            let table = ProcessTable.all()
            if first {
                // Escaped descendants (setsid, daemonised) still carry the run's tag in their environment.
                for e in table where e.isAlive && e.pid != me && e.startTime >= startedAfter
                    && ProcessTable.environment(of: e.pid, contains: tag) {
                    members.insert(e.pid)
                }
                first = false
            }
            var alive: [Int32] = []
            for e in table where e.pgid == group || members.contains(e.pid) {
                members.insert(e.pid)
                if e.isAlive {
                    alive.append(e.pid)
                } else if e.ppid == me {
                    var status: Int32 = 0
                    waitpid(e.pid, &status, WNOHANG)  // a re-parented descendant: ours to reap
                }
            }
            if alive.isEmpty || MonotonicClock.now() > deadline { return alive }
            kill(-group, SIGKILL)
            for p in alive { kill(p, SIGKILL) }
            usleep(1000)
        }
    }

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    // glibc ≥ 2.29/2.34 has these, but its headers hide them from Swift; bind them by name.
    private static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
    private static let addClosefrom: AddClosefrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddClosefrom.self) }

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    /// pipe2 sets close-on-exec atomically, so a concurrent spawn on another thread cannot inherit it.
    private static func makePipe(_ fds: inout [Int32], _ flags: Int32) -> Bool {
        if let pipe2 { return fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress!, flags) } == 0 }
        guard pipe(&fds) == 0 else { return false }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if flags & O_NONBLOCK != 0 { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        }
        return true
    }

    private static func spawn(executable: String, argv0: String, arguments: [String], cwd: String,
                              environment: [String: String], stdoutFD: Int32, stderrFD: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutFD, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrFD, 2)
        guard let addChdir else {
            throw SupervisorError.spawnFailed(program: executable, reason: "this C library lacks posix_spawn_file_actions_addchdir_np")
        }
        _ = addChdir(&actions, cwd)
        // Other agents' pipes must not leak into this child, or their EOF would wait on it.
        if let addClosefrom { _ = addClosefrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in 1..<32 where sig != SIGKILL && sig != SIGSTOP { sigaddset(&defaults, Int32(sig)) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([argv0] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            let reason = rc == ENOENT ? "no such file or working directory '\(cwd)'" : String(cString: strerror(rc))
            throw SupervisorError.spawnFailed(program: executable, reason: reason)
        }
        return pid
    }
}
