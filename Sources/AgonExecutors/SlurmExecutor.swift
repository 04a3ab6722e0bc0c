import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What agon.yml's `executor.slurm` says about the cluster.
public struct SlurmSettings: Equatable, Sendable {
    /// `--partition`; nil = the cluster's default partition.
    public var partition: String?
    /// Seconds added to the candidates' hard timeout for `--time` (checkout, checks, record writing).
    public var timeMarginSeconds: Int
    /// Extra `#SBATCH` options, verbatim (`--account=…`, `--qos=…`, `--mem=4G`).
    public var extraOptions: [String]

    public init(partition: String? = nil, timeMarginSeconds: Int = 600, extraOptions: [String] = []) {
        self.partition = partition
        self.timeMarginSeconds = timeMarginSeconds
        self.extraOptions = extraOptions
    }
}

/// Runs a batch as one Slurm job array (`sbatch --parsable`, one array task per candidate);
/// follows it with `scontrol show job -o` (squeue drops finished tasks and, with
/// accounting_storage/none, sacct has no history), cancels with `scancel`, and retries one task
/// with `--exclude=<node>` when the cluster has another node.
public struct SlurmExecutor: CandidateExecutor {
    public var kind: ExecutorKind { .slurm }
    public let settings: SlurmSettings
    /// Where the batch script and each task's output go (the run's artifact directory, on a shared path).
    public let outputDirectory: String
    /// Environment of the Slurm commands themselves (SLURM_CONF, PATH).
    public let commandEnvironment: [String: String]

    public init(settings: SlurmSettings, outputDirectory: String,
                commandEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        self.settings = settings
        self.outputDirectory = outputDirectory
        self.commandEnvironment = commandEnvironment
    }

    /// The batch script's path for `batch`.
    public func scriptPath(_ batch: JobBatch) -> String { outputDirectory + "/slurm-job.sh" }

    public func submit(_ batch: JobBatch) throws -> String {
        try writeScript(batch)
        return try sbatch([scriptPath(batch)])
    }

    public func retry(_ batch: JobBatch, index: Int, avoidNode: String?) throws -> String {
        try writeScript(batch)
        var options = ["--array=\(index)"]
        // Excluding the only node would leave the retry pending for ever.
        if let avoidNode, try nodeCount() > 1 { options.append("--exclude=\(avoidNode)") }
        return try sbatch(options + [scriptPath(batch)])
    }

    public func states(_ batch: JobBatch, handle: String) throws -> [Int: EngineJobStatus] {
        let result = try SlurmCommand.run("scontrol", ["show", "job", "-o", handle], environment: commandEnvironment)
        if result.status != 0 {
            // A job the controller has forgotten (purged after MinJobAge) is unknown, not an error.
            if result.standardError.contains("Invalid job id") { return [:] }
            throw SlurmError.commandFailed(command: "scontrol show job \(handle)", detail: result.standardError)
        }
        return SlurmJobParser.states(scontrol: result.standardOutput)
    }

    public func cancel(_ batch: JobBatch, handle: String) throws {
        let result = try SlurmCommand.run("scancel", [handle], environment: commandEnvironment)
        if result.status != 0 && !result.standardError.contains("Invalid job id") {
            throw SlurmError.commandFailed(command: "scancel \(handle)", detail: result.standardError)
        }
    }

    /// The batch script: the array, the time limit, the partition, each task's output file, the
    /// environment, and the worker's command line with `<runID>:$SLURM_ARRAY_TASK_ID` appended.
    public func script(_ batch: JobBatch) -> String {
        let minutes = (batch.hardTimeoutSeconds + settings.timeMarginSeconds + 59) / 60
        var lines = ["#!/bin/sh",
                     "#SBATCH --job-name=agon-\(batch.runID)",
                     "#SBATCH --array=0-\(max(0, batch.count - 1))",
                     "#SBATCH --time=\(max(1, minutes))",
                     "#SBATCH --ntasks=1",
                     "#SBATCH --output=\(outputDirectory)/slurm-%A_%a.out"]
        if let partition = settings.partition { lines.append("#SBATCH --partition=\(partition)") }
        if let directory = batch.workingDirectory { lines.append("#SBATCH --chdir=\(directory)") }
        lines += settings.extraOptions.map { "#SBATCH \($0)" }
        for (name, value) in batch.environment.sorted(by: { $0.key < $1.key }) {
            lines.append("export \(name)=\(ShellQuote.quote(value))")
        }
        let argv = batch.workerArguments.map(ShellQuote.quote).joined(separator: " ")
        lines.append("exec \(argv) \(ShellQuote.quote(batch.runID + ":"))\"$SLURM_ARRAY_TASK_ID\"")
        return lines.joined(separator: "\n") + "\n"
    }

    private func writeScript(_ batch: JobBatch) throws {
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
            try Data(script(batch).utf8).write(to: URL(fileURLWithPath: scriptPath(batch)), options: .atomic)
        } catch {
            throw SlurmError.commandFailed(command: "write \(scriptPath(batch))", detail: "\(error.localizedDescription)")
        }
    }

    private func sbatch(_ arguments: [String]) throws -> String {
        let result = try SlurmCommand.run("sbatch", ["--parsable"] + arguments, environment: commandEnvironment)
        guard result.status == 0 else {
            if result.standardError.localizedCaseInsensitiveContains("invalid partition") {
                throw SlurmError.noPartition(partition: settings.partition, detail: result.standardError)
            }
            throw SlurmError.rejected(detail: result.standardError)
        }
        guard let id = SlurmJobParser.parsableJobID(result.standardOutput) else {
            throw SlurmError.commandFailed(command: "sbatch --parsable", detail: "unexpected answer: \(result.standardOutput)")
        }
        return id
    }

    private func nodeCount() throws -> Int {
        let result = try SlurmCommand.run("sinfo", ["-h", "-N", "-o", "%N"], environment: commandEnvironment)
        return Set(result.standardOutput.split(separator: "\n").map(String.init)).count
    }
}

/// Parsing what the Slurm commands print.
public enum SlurmJobParser {
    /// The job id of `sbatch --parsable` (`123` or `123;cluster`).
    public static func parsableJobID(_ output: String) -> String? {
        let first = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        return !first.isEmpty && first.allSatisfy(\.isNumber) ? first : nil
    }

    /// Each array task's state from `scontrol show job -o <array job>` (one line per record; the
    /// tasks not started yet share one record whose `ArrayTaskId` is a range like `1-3` or `2,4-5%2`).
    public static func states(scontrol output: String) -> [Int: EngineJobStatus] {
        var states: [Int: EngineJobStatus] = [:]
        for line in output.split(separator: "\n") {
            let fields = keyValues(String(line))
            guard let tasks = fields["ArrayTaskId"], let slurmState = fields["JobState"] else { continue }
            let state = engineState(slurmState)
            let node = fields["NodeList"].flatMap { $0.isEmpty || $0 == "(null)" ? nil : $0 }
            var reason: String?
            if state == .failed || state == .cancelled {
                var parts = [slurmState]
                if let exit = fields["ExitCode"], exit != "0:0" { parts.append("exit \(exit)") }
                if let why = fields["Reason"], why != "None" { parts.append(why) }
                reason = parts.joined(separator: ", ")
            }
            for index in expand(tasks) { states[index] = EngineJobStatus(state: state, node: node, reason: reason) }
        }
        return states
    }

    /// Slurm's job states (JOB_STATE_STRING) onto the engine-neutral ones.
    public static func engineState(_ slurm: String) -> EngineJobState {
        switch slurm.split(separator: "+").first.map(String.init) ?? slurm {
        case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "SUSPENDED", "STOPPED": return .running
        case "COMPLETED": return .succeeded
        case "CANCELLED": return .cancelled
        case "FAILED", "NODE_FAIL", "TIMEOUT", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED", "SPECIAL_EXIT":
            return .failed
        default: return .pending   // PENDING, CONFIGURING, REQUEUED, RESIZING, REQUEUE_HOLD, …
        }
    }

    /// `1-3,7%2` → [1, 2, 3, 7] (the `%` throttle is not part of the set).
    static func expand(_ spec: String) -> [Int] {
        let set = spec.split(separator: "%").first.map(String.init) ?? spec
        var indexes: [Int] = []
        for part in set.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2, bounds[0] <= bounds[1] { indexes += Array(bounds[0]...bounds[1]) }
            else if bounds.count == 1 { indexes.append(bounds[0]) }
        }
        return indexes
    }

    /// `Key=Value` pairs of one `-o` line (values hold no spaces in the fields read here).
    static func keyValues(_ line: String) -> [String: String] {
        var fields: [String: String] = [:]
        for token in line.split(separator: " ") {
            guard let equals = token.firstIndex(of: "=") else { continue }
            let key = String(token[..<equals])
            if fields[key] == nil { fields[key] = String(token[token.index(after: equals)...]) }
        }
        return fields
    }
}

/// A Slurm command failed; `headline` and `hint` make the one `agon:` line.
public enum SlurmError: Error, Equatable, CustomStringConvertible {
    /// A Slurm client program is not on PATH.
    case commandMissing(command: String)
    /// sbatch refused the partition.
    case noPartition(partition: String?, detail: String)
    /// sbatch refused the submission for another reason.
    case rejected(detail: String)
    /// Any other command failure.
    case commandFailed(command: String, detail: String)

    public var headline: String {
        switch self {
        case .commandMissing(let command): return "\(command) is not installed or not on PATH"
        case .noPartition(let partition, let detail):
            return "sbatch refused partition \(partition ?? "(the cluster's default)"): \(Self.firstLine(detail))"
        case .rejected(let detail): return "sbatch refused the job array: \(Self.firstLine(detail))"
        case .commandFailed(let command, let detail): return "\(command) failed: \(Self.firstLine(detail))"
        }
    }

    public var hint: String? {
        switch self {
        case .commandMissing: return "install the Slurm client (Debian: slurm-client) or run with --executor local"
        case .noPartition: return "set executor.slurm.partition in agon.yml to one `sinfo` lists"
        case .rejected: return "check executor.slurm in agon.yml (partition, options) against `sinfo` and the cluster's limits"
        case .commandFailed: return "check that the Slurm controller answers (`sinfo`) and SLURM_CONF points at its config"
        }
    }

    public var description: String { hint.map { "\(headline); \($0)" } ?? headline }

    static func firstLine(_ text: String) -> String {
        let lines = text.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }
        // sbatch prints the generic "Batch job submission failed" last; the specific line first.
        return lines.last(where: { $0.contains("submission failed") }) ?? lines.first ?? "(no output)"
    }
}

/// Runs one Slurm client command and collects its output.
enum SlurmCommand {
    struct Result { var status: Int32; var standardOutput: String; var standardError: String }

    static func run(_ command: String, _ arguments: [String], environment: [String: String],
                    timeout: TimeInterval = 120) throws -> Result {
        guard let path = locate(command, environment: environment) else { throw SlurmError.commandMissing(command: command) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw SlurmError.commandMissing(command: command) }
        // A client whose controller is down retries for minutes: give up sooner, with a clear error.
        let timedOut = DataBox()
        let timer = DispatchWorkItem {
            // SIGKILL: a coordinator ignores SIGTERM while it runs (its interrupt trap), and children inherit that.
            if process.isRunning { timedOut.data = Data([1]); kill(process.processIdentifier, SIGKILL) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        defer { timer.cancel() }
        // Read both pipes before waiting so a chatty command cannot fill one and block.
        let errData = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        if !timedOut.data.isEmpty {
            throw SlurmError.commandFailed(command: ([command] + arguments).joined(separator: " "),
                                           detail: "no answer within \(Int(timeout)) s")
        }
        return Result(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: String(decoding: errData.data, as: UTF8.self))
    }

    /// The standard-error bytes, filled by the reading thread before `group.wait()` returns.
    final class DataBox: @unchecked Sendable { var data = Data() }

    static func locate(_ command: String, environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// POSIX shell quoting for the batch script.
enum ShellQuote {
    static func quote(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,")
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
