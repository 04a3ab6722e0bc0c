import AgonAgents
import AgonCore
import Foundation

/// Runs a spec's shell commands (acceptance, holdout) in a directory, each in its own process
/// group with a timeout, keeping their combined output in a log file.
struct CheckRunner {
    var timeout: TimeInterval
    var environment: [String: String]
    /// The sandbox each command runs in; nil = unsandboxed.
    var sandbox: Sandbox?

    /// Runs `commands` in order and stops at the first failure (later ones are recorded as skipped).
    func run(_ commands: [String], kind: CheckKind, in directory: String, logs: (Int) -> URL,
             stopSignal: StopSignal? = nil) -> (CheckStatus, [CheckResult]) {
        guard !commands.isEmpty else { return (.skipped, []) }
        var results: [CheckResult] = []
        var failed = false
        for (index, command) in commands.enumerated() {
            if failed || stopSignal?.isStopped == true {
                results.append(CheckResult(kind: kind, command: command, status: .skipped, durationMs: 0))
                continue
            }
            let result = runOne(command, kind: kind, in: directory, log: logs(index + 1), stopSignal: stopSignal)
            results.append(result)
            if result.status != .passed { failed = true }
        }
        return (failed || stopSignal?.isStopped == true ? .failed : .passed, results)
    }

    private func runOne(_ command: String, kind: CheckKind, in directory: String, log: URL,
                        stopSignal: StopSignal?) -> CheckResult {
        try? FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        let spec = SpawnSpec(executable: "/bin/sh", arguments: ["-c", "exec 2>&1\n" + command],
                             workingDirectory: directory, environment: environment,
                             transcriptPath: log.path, stderrPath: log.path + ".stderr", sandbox: sandbox)
        let supervisor = ProcessGroupSupervisor(spec: spec, limits: SupervisionLimits(hardTimeout: timeout, killGrace: 0.5))
        let token = stopSignal?.register { supervisor.stop(.cancelled) }
        defer { if let token { stopSignal?.unregister(token) } }
        let started = MonotonicClock.now()
        let outcome: SupervisedRun
        do {
            outcome = try supervisor.run(onLine: { _ in })
        } catch {
            try? Data("agon: could not run check: \(error)\n".utf8).write(to: log)
            return CheckResult(kind: kind, command: command, status: .failed, durationMs: 0, outputPath: log.path)
        }
        try? FileManager.default.removeItem(atPath: log.path + ".stderr")
        if outcome.stopReason == .hardTimeout {
            appendLine("agon: check timed out after \(Int(timeout)) s and was stopped", to: log)
        }
        let durationMs = Int((MonotonicClock.now() - started) * 1000)
        let passed = outcome.exitStatus == .exited(0) && outcome.stopReason == nil
        var exitCode: Int32?
        if case .exited(let code) = outcome.exitStatus { exitCode = code }
        return CheckResult(kind: kind, command: command, status: passed ? .passed : .failed, exitCode: exitCode,
                           durationMs: durationMs, outputPath: log.path)
    }

    private func appendLine(_ line: String, to url: URL) {
        guard let handle = try? FileHandle(forWritingTo: url) else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
    }
}

/// A flag set once (Ctrl-C) whose observers stop what they are running.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var observers: [Int: () -> Void] = [:]
    private var nextToken = 0

    var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    func register(_ observer: @escaping () -> Void) -> Int {
        lock.lock()
        if stopped { lock.unlock(); observer(); return -1 }
        nextToken += 1
        observers[nextToken] = observer
        lock.unlock()
        return nextToken
    }

    func unregister(_ token: Int) {
        lock.lock(); observers[token] = nil; lock.unlock()
    }

    func stop() {
        lock.lock()
        guard !stopped else { lock.unlock(); return }
        stopped = true
        let toRun = Array(observers.values)
        observers = [:]
        lock.unlock()
        toRun.forEach { $0() }
    }
}
