import AgonAgents
import Foundation

/// `sandbox-start`: the cost of the bubblewrap sandbox per agent start. Starts `/bin/echo` N times
/// through `ProcessGroupSupervisor` with an agent's mount layout (repository hidden, git dir
/// read-only with a private object store and refs, worktree read-write, private HOME with login
/// files) and N times without a sandbox; measures spawn → first byte of output.
func runSandboxStartBenchmark(arguments: [String]) throws {
    var runs = 100
    if let i = arguments.firstIndex(of: "--runs"), i + 1 < arguments.count { runs = Int(arguments[i + 1]) ?? runs }
    guard let bwrap = Sandbox.availableBwrap() else { throw BenchError.usage("bwrap is missing or cannot create namespaces here") }
    let fm = FileManager.default
    let root = NSTemporaryDirectory() + "agon-sandbox-start-" + UUID().uuidString.prefix(8)
    defer { try? fm.removeItem(atPath: root) }
    let repo = root + "/repo", common = repo + "/.git", worktree = repo + "/worktrees/run/a"
    let privateDir = root + "/private", home = root + "/home"
    for dir in [common + "/objects", common + "/worktrees/a", common + "/refs/heads/agon", common + "/logs/refs/heads/agon",
                worktree, privateDir + "/objects/info", privateDir + "/refs/run", home + "/.codex", repo + "/.agon/holdout"] {
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    for file in [common + "/worktrees/a/gitdir", common + "/worktrees/a/commondir", home + "/.codex/auth.json",
                 privateDir + "/refs/run/a"] {
        _ = fm.createFile(atPath: file, contents: Data("x\n".utf8))
    }
    let sandbox = Sandbox(bwrap: bwrap, mounts: [
        .hide(repo), .readOnly(common), .hide(common + "/worktrees"), .writable(common + "/worktrees/a"),
        .readOnly(common + "/worktrees/a/gitdir"), .readOnly(common + "/worktrees/a/commondir"),
        .bind(source: privateDir + "/objects", target: common + "/objects"),
        .bindReadOnly(source: common + "/objects", target: "/tmp/.agon-shared-objects"),
        .bind(source: privateDir + "/refs", target: common + "/refs/heads/agon"),
        .hide(common + "/logs/refs/heads/agon"), .writable(worktree),
        .bind(source: home, target: NSHomeDirectory()), .bindReadOnly(source: home + "/.codex/auth.json", target: NSHomeDirectory() + "/.codex/auth.json"),
    ], network: true)

    func measure(_ sandbox: Sandbox?) throws -> [Double] {
        var out: [Double] = []
        for run in 0..<runs {
            let spec = SpawnSpec(executable: "/bin/echo", arguments: ["hi"], workingDirectory: worktree,
                                 environment: ["PATH": "/usr/bin:/bin"], transcriptPath: "\(root)/t\(run)", stderrPath: "\(root)/e\(run)",
                                 sandbox: sandbox)
            let supervisor = ProcessGroupSupervisor(spec: spec, limits: SupervisionLimits(hardTimeout: 10))
            var first: Double?
            let start = MonotonicClock.now()
            let result = try supervisor.run(onLine: { _ in if first == nil { first = MonotonicClock.now() } })
            guard let first, result.exitStatus == .exited(0) else {
                throw BenchError.usage("run \(run) failed: \(result.exitStatus) \(result.stderrTail)")
            }
            out.append((first - start) * 1000)
        }
        return out.sorted()
    }
    func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
    let plain = try measure(nil)
    let boxed = try measure(sandbox)
    print("sandbox start: spawn -> first byte of output, \(runs) starts each")
    print(String(format: "  bwrap (agent layout, %d mounts)  p50 %.1f ms  p99 %.1f ms", sandbox.mounts.count, percentile(boxed, 0.5), percentile(boxed, 0.99)))
    print(String(format: "  no sandbox                      p50 %.1f ms  p99 %.1f ms", percentile(plain, 0.5), percentile(plain, 0.99)))
}
