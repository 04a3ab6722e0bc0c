import AgonAgents
import AgonCore
import Foundation

/// `kill-latency`: the agent-double streams usage (overspend mode) until the meter crosses the
/// budget; measures from the crossing event to the leader reaped and no process of the group left.
func runKillLatencyBenchmark(arguments: [String]) throws {
    var runs = 200
    var delayMs = 1
    var double: String?
    var i = 0
    while i < arguments.count {
        let value = i + 1 < arguments.count ? arguments[i + 1] : ""
        switch arguments[i] {
        case "--runs": runs = Int(value) ?? runs
        case "--delay-ms": delayMs = Int(value) ?? delayMs
        case "--double": double = value
        default: throw BenchError.usage("unknown option \(arguments[i]); usage: kill-latency [--runs N] [--delay-ms N] [--double PATH]")
        }
        i += 2
    }
    let executableDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let doublePath = double ?? executableDir.appendingPathComponent("agent-double").path
    guard FileManager.default.isExecutableFile(atPath: doublePath) else {
        throw BenchError.usage("agent-double not found at \(doublePath); build it (swift build -c release --product agent-double) or pass --double")
    }

    let root = NSTemporaryDirectory() + "agon-kill-latency-" + UUID().uuidString.prefix(8)
    let fm = FileManager.default
    try fm.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
    try fm.createSymbolicLink(atPath: root + "/bin/claude", withDestinationPath: doublePath)
    defer { try? fm.removeItem(atPath: root) }
    let price = ModelPrice(inputPerToken: 3e-6, outputPerToken: 15e-6, source: "bench")

    var latencies: [Double] = []
    var failures: [String] = []
    for run in 0..<runs {
        let dir = "\(root)/run\(run)"
        try fm.createDirectory(atPath: dir + "/wt", withIntermediateDirectories: true)
        let launch = AgentLaunch(harness: .claude, model: "bench", env: ["DOUBLE_MODE": "overspend", "DOUBLE_DELAY_MS": String(delayMs)],
                                 price: price, maxCostUSD: 0.05, hardTimeout: 30, prompt: "spend", worktree: dir + "/wt",
                                 artifactsDir: dir + "/artifacts",
                                 parentEnvironment: ["PATH": root + "/bin:/usr/bin:/bin", "HOME": root])
        let result = AgentExecutor(launch: launch).run()
        if result.outcome != .costKilled || !result.survivors.isEmpty {
            failures.append("run \(run): outcome \(result.outcome.rawValue), survivors \(result.survivors)")
        }
        if let ms = result.killLatencyMs { latencies.append(ms) }
        try? fm.removeItem(atPath: dir)
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double {
        latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
    }
    print("kill-latency: \(latencies.count) runs (double streaming one usage event per \(delayMs) ms, cap $0.05)")
    print(String(format: "  crossing event → group gone: p50 %.2f ms, p99 %.2f ms, max %.2f ms", percentile(0.5), percentile(0.99), latencies.last ?? .nan))
    print("  goal p99 < 50 ms: \(percentile(0.99) < 50 ? "met" : "NOT met")")
    if !failures.isEmpty {
        print("  \(failures.count) bad runs:")
        failures.prefix(10).forEach { print("    " + $0) }
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self { case .usage(let s): return s }
    }
}
