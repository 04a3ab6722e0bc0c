// bench-agents: benchmarks for AgonAgents (see bench/README.md).
//   bench-agents kill-latency [--runs 200] [--delay-ms 1] [--double PATH]
//   bench-agents parse-throughput [args]
//   bench-agents sandbox-start [--runs 100]
import Foundation

let args = Array(CommandLine.arguments.dropFirst())
do {
    switch args.first {
    case "kill-latency": try runKillLatencyBenchmark(arguments: Array(args.dropFirst()))
    case "parse-throughput": try runParseThroughputBenchmark(arguments: Array(args.dropFirst()))
    case "sandbox-start": try runSandboxStartBenchmark(arguments: Array(args.dropFirst()))
    default:
        FileHandle.standardError.write(Data("usage: bench-agents kill-latency [--runs N] [--delay-ms N] [--double PATH] | parse-throughput [args] | sandbox-start [--runs N]\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("bench-agents: \(error)\n".utf8))
    exit(1)
}
