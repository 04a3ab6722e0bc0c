import AgonCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A live snapshot of a running agent, for the lead's progress table.
public struct AgentProgress: Sendable {
    public enum State: Equatable, Sendable {
        case running
        case stopping(StopReason)
        case finished(Outcome)
    }

    public var elapsed: TimeInterval
    public var usage: TokenUsage
    public var costUSD: Double?
    public var turns: Int
    public var state: State
}

/// Everything Agon learned from one agent run.
public struct AgentRunResult: Sendable {
    public var outcome: Outcome
    /// The agent's pid, which is also its process-group id (nil when it never started).
    public var pid: Int32?
    /// nil when the process could not be started (see `errorMessage`).
    public var exitStatus: ExitStatus?
    public var stopReason: StopReason?
    public var usage: TokenUsage
    /// The candidate's cost per `costSource` (nil when unpriced).
    public var costUSD: Double?
    public var computedCostUSD: Double?
    public var reportedCostUSD: Double?
    public var costSource: CostSource
    /// The enforcement cost at the event that crossed the budget.
    public var costKilledAt: Double?
    /// Time from start to the first file-editing tool call; nil if the harness reported none.
    public var firstAttemptMs: Int?
    public var durationMs: Int
    public var turns: Int
    /// Output + reasoning tokens per second of generation time, where generation time runs from
    /// process start to the last usage event (nil without output tokens).
    public var tokensPerSec: Double?
    public var malformedLines: Int
    public var overlongLines: Int
    public var sessionID: String?
    public var model: String?
    public var transcriptPath: String
    public var stderrPath: String
    public var transcriptTruncated: Bool
    public var apiErrorKind: APIErrorKind?
    public var apiErrorMessage: String?
    /// Why the run could not start, or the agent's own error summary.
    public var errorMessage: String?
    public var usedSIGKILL: Bool
    /// Milliseconds from the budget-crossing event to the whole group being gone.
    public var killLatencyMs: Double?
    /// Processes of the agent still alive after supervision (always empty unless something is very wrong).
    public var survivors: [Int32]
    /// Time from start to the first usage the CLI reported (its time to first output); nil without any.
    public var firstOutputMs: Int? = nil
}

/// Runs one agent CLI under its budget: builds the command line, supervises the process group,
/// parses its output as it arrives, meters cost and stops it when the budget is crossed.
///
/// `run()` blocks the calling thread; `runInBackground()` runs it on a dedicated thread.
/// `cancel()` (e.g. on Ctrl-C) stops the group; the run ends `interrupted`.
public final class AgentExecutor: @unchecked Sendable {
    public let launch: AgentLaunch
    private let onProgress: ((AgentProgress) -> Void)?
    private let progressInterval: TimeInterval
    private let lock = NSLock()
    private var supervisor: ProcessGroupSupervisor?
    private var cancelled = false

    public init(launch: AgentLaunch, progressInterval: TimeInterval = 0.5, onProgress: ((AgentProgress) -> Void)? = nil) {
        self.launch = launch
        self.onProgress = onProgress
        self.progressInterval = progressInterval
    }

    /// Stops the agent's whole process group; its run ends with outcome `interrupted`.
    public func cancel() {
        lock.lock()
        cancelled = true
        let s = supervisor
        lock.unlock()
        s?.stop(.cancelled)
    }

    /// `run()` on its own thread, so the async caller never blocks a cooperative-pool thread.
    public func runInBackground() async -> AgentRunResult {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.run()) }
            thread.name = "agon-agent"
            thread.start()
        }
    }

    public func run() -> AgentRunResult {
        let paths = HarnessCommand.Paths(artifactsDir: launch.artifactsDir)
        var session = MeteredSession(launch: launch)
        func failure(_ message: String) -> AgentRunResult {
            session.result(outcome: .agentError, run: nil, paths: paths, errorMessage: message)
        }
        let command: HarnessCommand
        do {
            try FileManager.default.createDirectory(atPath: launch.artifactsDir, withIntermediateDirectories: true)
            try Data(launch.prompt.utf8).write(to: URL(fileURLWithPath: paths.promptFile))
            // Fresh side files: a redone attempt must not count the usage an earlier one appended,
            // and a sandbox binds these paths, so they must exist before it starts.
            for file in [paths.usageFile, paths.analyticsLog] {
                try? FileManager.default.removeItem(atPath: file)
                guard FileManager.default.createFile(atPath: file, contents: nil) else { throw WorkFileError(path: file) }
            }
            try FileManager.default.createDirectory(atPath: paths.codexHome, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: paths.codexHome + "-tmp", withIntermediateDirectories: true)
            for file in RealCLIFlags.aiderHistoryFiles(artifactsDir: launch.artifactsDir)
                + [RealCLIFlags.aiderModelMetadataPath(artifactsDir: launch.artifactsDir)]
            where !FileManager.default.fileExists(atPath: file) {
                guard FileManager.default.createFile(atPath: file, contents: nil) else { throw WorkFileError(path: file) }
            }
            command = try HarnessCommand.build(for: launch, paths: paths)
            if launch.harness == .codex && launch.env["CODEX_HOME"] == nil {
                try prepareCodexHome(paths.codexHome)
                // A resumed thread's rollout lives in the earlier attempt's private CODEX_HOME.
                if let earlier = launch.resume?.artifactsDir { try carryCodexSessions(from: earlier + "/codex-home", to: paths.codexHome) }
            }
            if launch.harness == .aider, let model = launch.model, let price = launch.price {
                try RealCLIFlags.aiderModelMetadata(model: model, price: price)
                    .write(to: URL(fileURLWithPath: RealCLIFlags.aiderModelMetadataPath(artifactsDir: launch.artifactsDir)))
            }
        } catch {
            return failure("\(error)")
        }
        let parent = launch.parentEnvironment ?? ProcessInfo.processInfo.environment
        var agonVariables = ["AGON_PROMPT_FILE": paths.promptFile, "AGON_WORKTREE": launch.worktree,
                             "AGON_USAGE_FILE": paths.usageFile, "AGON_DEADLINE_S": String(Int(launch.hardTimeout))]
        if let cap = launch.maxCostUSD, cap > 0 { agonVariables["AGON_BUDGET_USD"] = String(cap) }
        let environment = ChildEnvironment.build(parent: parent, passThrough: launch.passThroughEnv,
                                                 explicit: launch.env.merging(command.environment) { a, _ in a },
                                                 agon: agonVariables)
        let spec = SpawnSpec(executable: command.executable, arguments: command.arguments, workingDirectory: launch.worktree,
                             environment: environment, transcriptPath: paths.transcript, stderrPath: paths.stderr,
                             sandbox: launch.sandbox)
        let limits = SupervisionLimits(hardTimeout: launch.hardTimeout, silenceTimeout: launch.silenceTimeout,
                                       killGrace: launch.killGrace, maxLineBytes: launch.maxLineBytes,
                                       transcriptCapBytes: launch.transcriptCapBytes, stderrCapBytes: launch.stderrCapBytes)
        let supervisor = ProcessGroupSupervisor(spec: spec, limits: limits)
        lock.lock()
        self.supervisor = supervisor
        let cancelledEarly = cancelled
        lock.unlock()
        if cancelledEarly { supervisor.stop(.cancelled) }

        session.configure(stdout: command.stdoutFormat, sideChannels: command.sideChannels,
                          maxLineBytes: launch.maxLineBytes, supervisor: supervisor,
                          snapshotBaseline: command.snapshotBaseline ?? .zero,
                          reportedCostBaseline: command.reportedCostBaseline ?? 0)
        var lastProgress = 0.0
        let run: SupervisedRun
        do {
            run = try supervisor.run(onLine: { line in session.consumeStdout(line) }, onTick: {
                session.pollSideChannels()
                let now = MonotonicClock.now()
                if let onProgress = self.onProgress, now - lastProgress >= self.progressInterval {
                    lastProgress = now
                    onProgress(session.progress(now: now))
                }
            })
        } catch {
            return failure("\(error)")
        }
        session.finishStreams()
        let outcome = session.decideOutcome(run)
        let result = session.result(outcome: outcome, run: run, paths: paths, errorMessage: nil)
        onProgress?(AgentProgress(elapsed: Double(result.durationMs) / 1000, usage: result.usage, costUSD: result.costUSD,
                                  turns: result.turns, state: .finished(outcome)))
        return result
    }

    /// A private CODEX_HOME per candidate (so its rollout files are this run's alone), seeded with
    /// the user's auth and config so the CLI still logs in.
    private func prepareCodexHome(_ home: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: home + "/sessions", withIntermediateDirectories: true)
        if launch.env["TMPDIR"] == nil { try fm.createDirectory(atPath: home + "-tmp", withIntermediateDirectories: true) }
        let parent = launch.parentEnvironment ?? ProcessInfo.processInfo.environment
        let source = parent["CODEX_HOME"] ?? (parent["HOME"].map { $0 + "/.codex" } ?? "")
        for name in ["auth.json", "config.toml"] where fm.fileExists(atPath: source + "/" + name) {
            try? fm.removeItem(atPath: home + "/" + name)
            try fm.copyItem(atPath: source + "/" + name, toPath: home + "/" + name)
        }
    }
}

extension AgentExecutor {
    /// Copies an earlier attempt's codex sessions (rollout files) into this attempt's CODEX_HOME,
    /// so `codex exec resume THREAD` finds the thread; the copies' old usage is below the
    /// command's snapshot baseline and is not charged again.
    func carryCodexSessions(from earlierHome: String, to home: String) throws {
        let fm = FileManager.default
        let source = earlierHome + "/sessions"
        guard fm.fileExists(atPath: source) else { return }
        try? fm.removeItem(atPath: home + "/sessions")
        try fm.copyItem(atPath: source, toPath: home + "/sessions")
    }
}

/// A side file Agon could not create for an agent.
struct WorkFileError: Error, CustomStringConvertible {
    var path: String
    var description: String { "cannot create \(path)" }
}

/// The parsing and metering state of one run (confined to the supervising thread).
struct MeteredSession {
    private enum Source { case stdout, side }

    let launch: AgentLaunch
    var meter: CostMeter
    private var stdoutParser: (any StreamParser)?
    private var sideParsers: [(channel: SideChannel, parser: any StreamParser, file: FileTailer?, dir: RolloutDirectoryTailer?)] = []
    private weak var supervisor: ProcessGroupSupervisor?
    private let startedAt = MonotonicClock.now()
    private var firstEditAt: Double?
    private var lastUsageAt: Double?
    private var firstUsageAt: Double?
    private var crossedAt: Double?
    private var usageOwner: Source?
    /// aider's stdout usage held back until its analytics log reports (or `stdoutFallbackDelay`).
    private var pendingStdout: [(event: AgentEvent, at: Double)] = []
    /// How long aider's stdout usage waits for the analytics log before it is used instead.
    static let stdoutFallbackDelay = 1.0
    private var apiError: (kind: APIErrorKind, message: String)?
    private var resultError: (isError: Bool, summary: String?)?
    private var sessionID: String?
    private var model: String?

    init(launch: AgentLaunch) {
        self.launch = launch
        meter = CostMeter(price: launch.price, cap: launch.maxCostUSD)
    }

    mutating func configure(stdout: StreamFormat?, sideChannels: [SideChannel], maxLineBytes: Int,
                            supervisor: ProcessGroupSupervisor, snapshotBaseline: TokenUsage = .zero,
                            reportedCostBaseline: Double = 0) {
        if !snapshotBaseline.isZero || reportedCostBaseline > 0 {
            meter = CostMeter(price: launch.price, cap: launch.maxCostUSD, snapshotBaseline: snapshotBaseline,
                              reportedCostBaseline: reportedCostBaseline)
        }
        self.supervisor = supervisor
        stdoutParser = stdout.map(makeStreamParser)
        for channel in sideChannels {
            switch channel {
            case .file(let path, let format):
                sideParsers.append((channel, makeStreamParser(format), FileTailer(path: path, maxLineBytes: maxLineBytes), nil))
            case .rollouts(let dir, let format):
                sideParsers.append((channel, makeStreamParser(format), nil, RolloutDirectoryTailer(directory: dir, maxLineBytes: maxLineBytes)))
            }
        }
    }

    mutating func consumeStdout(_ line: Substring) {
        guard var parser = stdoutParser else { return }
        let events = parser.consume(line: line)
        stdoutParser = parser
        if !events.isEmpty {
            // Read side files first so the usage source that owns the run is decided in a stable order.
            if events.contains(where: Self.carriesUsage) { pollSideChannels() }
            apply(events, from: .stdout)
        }
    }

    /// Whether stdout usage waits for the side channel: aider prints its rounded `Tokens: 1.2k
    /// sent` line just before it logs the exact counts, so the log must win that race.
    private var defersStdoutUsage: Bool { launch.harness == .aider && !sideParsers.isEmpty }

    /// Drops held-back stdout usage once the side channel owns usage; uses it when the side
    /// channel stayed silent for `stdoutFallbackDelay` (or at the end of the run).
    private mutating func settlePendingStdout(now: Double, final: Bool = false) {
        guard !pendingStdout.isEmpty else { return }
        if usageOwner == .side {
            pendingStdout.removeAll()
        } else if final || now - pendingStdout[0].at >= Self.stdoutFallbackDelay {
            usageOwner = .stdout
            let events = pendingStdout.map(\.event)
            pendingStdout.removeAll()
            apply(events, from: .stdout)
        }
    }

    mutating func pollSideChannels() {
        for i in sideParsers.indices {
            var collected: [AgentEvent] = []
            var parser = sideParsers[i].parser
            let emit: (Substring) -> Void = { collected += parser.consume(line: $0) }
            sideParsers[i].file?.poll(emit)
            sideParsers[i].dir?.poll(emit)
            sideParsers[i].parser = parser
            apply(collected, from: .side)
        }
        settlePendingStdout(now: MonotonicClock.now())
    }

    mutating func finishStreams() {
        if var parser = stdoutParser {
            let events = parser.finish()
            stdoutParser = parser
            apply(events, from: .stdout)
        }
        for i in sideParsers.indices {
            var collected: [AgentEvent] = []
            var parser = sideParsers[i].parser
            let emit: (Substring) -> Void = { collected += parser.consume(line: $0) }
            sideParsers[i].file?.finish(emit)
            sideParsers[i].dir?.finish(emit)
            collected += parser.finish()
            sideParsers[i].parser = parser
            apply(collected, from: .side)
        }
        settlePendingStdout(now: MonotonicClock.now(), final: true)
    }

    private static func carriesUsage(_ e: AgentEvent) -> Bool {
        switch e {
        case .usage, .usageSnapshot, .reportedCost: return true
        default: return false
        }
    }

    private mutating func apply(_ events: [AgentEvent], from source: Source) {
        let now = MonotonicClock.now()
        for event in events {
            if source == .stdout && usageOwner == nil && defersStdoutUsage, Self.carriesUsage(event) || event == .turn {
                pendingStdout.append((event, now))
                continue
            }
            if Self.carriesUsage(event) {
                // aider reports the same calls twice (analytics log and stdout) as deltas: the first
                // source to report usage owns it, the other is ignored. Snapshot-only harnesses
                // (codex stdout + rollout) need no arbitration: snapshots merge by maximum.
                if launch.harness == .aider || launch.harness == .command {
                    if usageOwner == nil { usageOwner = source }
                    if usageOwner != source { continue }
                }
                lastUsageAt = now
                if firstUsageAt == nil { firstUsageAt = now }
            }
            if case .turn = event {
                // Count turns from one source only: the usage owner where there is one (aider,
                // command), else stdout (codex's rollout file repeats every turn of its stdout).
                if let owner = usageOwner, owner != source { continue }
                if usageOwner == nil && source == .side && stdoutParser != nil { continue }
            }
            switch event {
            case .fileEdit: if firstEditAt == nil { firstEditAt = now }
            case .apiError(let kind, let message): if apiError == nil { apiError = (kind, message) }
            case .result(let isError, let summary): resultError = (isError, summary)
            case .session(let id): sessionID = id
            case .model(let m): model = m
            case .modelCall(let inFlight): supervisor?.holdSilence(inFlight)
            default: break
            }
            if case .kill = meter.apply(event), crossedAt == nil {
                crossedAt = now
                supervisor?.stop(.costCap)
            }
        }
    }

    func progress(now: Double) -> AgentProgress {
        AgentProgress(elapsed: now - startedAt, usage: meter.usage, costUSD: meter.costUSD, turns: meter.turns,
                      state: crossedAt != nil ? .stopping(.costCap) : .running)
    }

    /// Maps how the process ended onto an `Outcome`. Any end after Agon signalled the group is
    /// that signal's outcome, never `ok` (gemini exits 0 on SIGTERM).
    func decideOutcome(_ run: SupervisedRun) -> Outcome {
        switch run.stopReason {
        case .costCap: return .costKilled
        case .hardTimeout: return .timeout
        case .silenceTimeout: return .silenceTimeout
        case .cancelled: return .interrupted
        case nil: break
        }
        if case .signaled = run.exitStatus { return .crashed }
        let failed = run.exitStatus != .exited(0) || resultError?.isError == true
        if failed && (apiError != nil || classifiedStderr(run) != nil) { return .apiError }
        return failed ? .agentError : .ok
    }

    private func classifiedStderr(_ run: SupervisedRun) -> APIErrorKind? {
        let tail = String(run.stderrTail.suffix(4096))
        return tail.isEmpty ? nil : APIErrorClassifier.classify(text: tail)
    }

    func result(outcome: Outcome, run: SupervisedRun?, paths: HarnessCommand.Paths, errorMessage: String?) -> AgentRunResult {
        let end = run?.finishedAt ?? MonotonicClock.now()
        let begin = run?.startedAt ?? startedAt
        let generated = meter.usage.output + meter.usage.reasoning
        var tokensPerSec: Double?
        if generated > 0, let last = lastUsageAt, last > begin { tokensPerSec = Double(generated) / (last - begin) }
        var apiKind = apiError?.kind
        var apiMessage = apiError?.message
        if outcome == .apiError, apiKind == nil, let run, let kind = classifiedStderr(run) {
            apiKind = kind
            apiMessage = String(run.stderrTail.suffix(500))
        }
        var message = errorMessage
        if message == nil, outcome == .agentError { message = resultError?.summary ?? run.map { "agent exited with \($0.exitStatus)" } }
        return AgentRunResult(
            outcome: outcome, pid: run?.pid, exitStatus: run?.exitStatus, stopReason: run?.stopReason, usage: meter.usage,
            costUSD: meter.costUSD, computedCostUSD: meter.computedUSD, reportedCostUSD: meter.reportedUSD,
            costSource: meter.costSource, costKilledAt: meter.killedAt,
            firstAttemptMs: firstEditAt.map { Int((($0 - begin) * 1000).rounded()) },
            durationMs: Int(((end - begin) * 1000).rounded()), turns: meter.turns, tokensPerSec: tokensPerSec,
            malformedLines: (stdoutParser?.malformedLines ?? 0) + sideParsers.reduce(0) { $0 + $1.parser.malformedLines },
            overlongLines: (run?.overlongLines ?? 0) + sideParsers.reduce(0) { $0 + ($1.file?.overlongLines ?? 0) },
            sessionID: sessionID ?? meter.sessionID, model: model ?? meter.model,
            transcriptPath: paths.transcript, stderrPath: paths.stderr, transcriptTruncated: run?.transcriptTruncated ?? false,
            apiErrorKind: apiKind, apiErrorMessage: apiMessage, errorMessage: message,
            usedSIGKILL: run?.usedSIGKILL ?? false,
            killLatencyMs: crossedAt.flatMap { c in run.map { ($0.finishedAt - c) * 1000 } },
            survivors: run?.survivors ?? [],
            firstOutputMs: firstUsageAt.map { Int((($0 - begin) * 1000).rounded()) })
    }
}
