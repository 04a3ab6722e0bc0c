import AgonCore
import AgonExecutors
import AgonStore
import Foundation

/// `agon run --executor slurm|kubernetes`: the run's candidates as cluster jobs. The coordinator
/// submits one batch, follows the workers' records in the store and the engine's job states,
/// retries a job that died once (elsewhere when it can), marks it `crashed` after that, and
/// cancels every job on Ctrl-C. Checks, review and consensus then go on as for a local run.
extension Tournament {
    /// The engine this run uses: `--executor`, else agon.yml's `executor.kind`.
    func executorKind() throws -> ExecutorKind {
        if let kind = options.executor { return kind }
        guard let kind = ExecutorKind(rawValue: workspace.config.executor.kind) else {
            throw AgonInputError(file: workspace.config.file ?? "agon.yml", field: "executor.kind",
                                 message: "unknown executor \"\(workspace.config.executor.kind)\"")
        }
        return kind
    }

    /// The engine for `kind` (nil for `local`); fails before a run exists when it cannot be used.
    func candidateExecutor(_ kind: ExecutorKind, runID: String) throws -> CandidateExecutor? {
        let settings = workspace.config.executor
        switch kind {
        case .local: return nil
        case .slurm:
            return SlurmExecutor(settings: SlurmSettings(partition: settings.slurmPartition,
                                                         timeMarginSeconds: Int(settings.timeMargin.seconds),
                                                         extraOptions: settings.slurmOptions),
                                 outputDirectory: workspace.layout.runDirectory(runID).path + "/jobs",
                                 commandEnvironment: workspace.environment)
        case .kubernetes:
            return try KubernetesExecutor(settings: try KubernetesSettings(settings.kubernetes), environment: workspace.environment)
        }
    }

    /// Fails early (before any run is created) when the chosen engine cannot be used.
    func checkExecutor() throws {
        // Kubernetes: the settings and the credentials (service account or kubeconfig) must be
        // usable before a run exists. Slurm's client errors come with the submission.
        try checkRemoteRepository()
        if try executorKind() == .kubernetes {
            _ = try KubernetesExecutor(settings: try KubernetesSettings(workspace.config.executor.kubernetes),
                                       environment: workspace.environment)
        }
    }

    /// The worker's argv up to `--job`: this agon binary on the same repository and config.
    func workerArguments() -> [String] {
        let executable = options.workerExecutable
            ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var arguments = [executable, "worker", "--repo", workspace.root]
        if let config = workspace.configPath { arguments += ["--config", config] }
        if !options.useCache { arguments.append("--no-cache") }
        return arguments + ["--job"]
    }

    /// Runs `todo` as jobs on `executor` and returns their finished records (every one of them:
    /// recorded by its worker, or `crashed` with the reason).
    func runAsJobs(_ todo: [PlannedAgent], executor: CandidateExecutor, plan: RunPlan, record: RunRecord,
                   board: ProgressBoard, progress: ProgressSink) throws -> [CandidateRecord] {
        let runID = record.runID
        let store = try workspace.store()
        let lineup = record.agentsPlanned
        let indexes = todo.compactMap { agent in lineup.firstIndex(of: agent.id).map { (index: $0, agent: agent.id) } }
        let hardTimeout = Int(todo.map(\.budget.hardTimeout).max() ?? 0)
        // With executor.repository the workers fetch the base commit and read the run's agon.yml copy.
        let remote = try remoteWorkerCommand(runID: runID, kind: executor.kind)
        let batch = JobBatch(runID: runID, count: lineup.count,
                             workerArguments: remote?.arguments ?? workerArguments(for: executor.kind),
                             environment: workerEnvironment(), workingDirectory: remote?.workingDirectory ?? workspace.root,
                             hardTimeoutSeconds: hardTimeout)
        let margin = workspace.config.executor.timeMargin.seconds
        let poll = workspace.config.executor.pollInterval.seconds

        let handle = try executor.submit(batch)
        try store.registerJobs(runID: runID, agents: indexes, engine: executor.kind.rawValue, handle: handle)
        progress.note("run \(runID): \(indexes.count) candidate job\(indexes.count == 1 ? "" : "s") submitted to \(executor.kind.rawValue) as \(handle)")
        let cancelToken = stopSignal.register {
            // Ctrl-C: every job of the run, the first submission and each retry.
            let handles = ((try? store.jobs(runID: runID)) ?? []).compactMap(\.handle) + [handle]
            for each in Set(handles) { try? executor.cancel(batch, handle: each) }
        }
        defer { stopSignal.unregister(cancelToken) }

        var done: [String: CandidateRecord] = [:]
        var shownRunning: Set<String> = []
        var seenByEngine: Set<Int> = []
        let wanted = Set(indexes.map(\.index))
        while done.count < indexes.count && !stopSignal.isStopped {
            let jobs = try store.jobs(runID: runID).filter { wanted.contains($0.index) }
            // The engine's view, one query per handle (the batch and each retry).
            var engine: [Int: EngineJobStatus] = [:]
            for jobHandle in Set(jobs.compactMap(\.handle)) {
                let states = try executor.states(batch, handle: jobHandle)
                for job in jobs where job.handle == jobHandle { if let state = states[job.index] { engine[job.index] = state } }
            }
            for job in jobs where done[job.agent] == nil {
                switch job.state {
                case .finished, .crashed:
                    if let candidate = try store.candidate(runID: runID, agent: job.agent) {
                        done[job.agent] = candidate
                        board.finished(candidate)
                    }
                    continue
                case .running where !shownRunning.contains(job.agent):
                    shownRunning.insert(job.agent)
                    board.started(job.agent)
                default: break
                }
                let status = engine[job.index]
                if status != nil { seenByEngine.insert(job.index) }
                guard let death = Self.deathReason(job, status: status, seen: seenByEngine.contains(job.index),
                                                   limit: Double(hardTimeout) + margin) else { continue }
                // Read once more: the worker may have written its record between the two reads.
                if let fresh = try store.jobs(runID: runID).first(where: { $0.index == job.index }),
                   fresh.state == .finished || fresh.state == .crashed || fresh.attempt != job.attempt { continue }
                if job.attempt < 2 {
                    let retryHandle = try executor.retry(batch, index: job.index, avoidNode: status?.node ?? job.host)
                    if try store.requeueJob(runID: runID, index: job.index, handle: retryHandle, reason: death) {
                        seenByEngine.remove(job.index)
                        shownRunning.remove(job.agent)
                        progress.note("\(job.agent): job died (\(death)); retried as \(retryHandle)")
                    } else {
                        try? executor.cancel(batch, handle: retryHandle)
                    }
                } else {
                    var crashed = Self.crashedCandidate(job, plan: plan, record: record, workspace: workspace)
                    crashed.apiErrorMessage = "the job died twice; last: \(death)"
                    if try store.crashJob(runID: runID, index: job.index, reason: death, crashed) {
                        done[job.agent] = crashed
                        board.finished(crashed)
                        progress.note("\(job.agent): job died again (\(death)); marked crashed")
                    }
                }
            }
            if done.count < indexes.count { Thread.sleep(forTimeInterval: poll) }
        }
        if stopSignal.isStopped {
            // Cancelled: whatever was recorded stays; the rest is pending for `--resume`.
            for (_, agent) in indexes where done[agent] == nil {
                if let candidate = try? store.candidate(runID: runID, agent: agent), candidate.state == .finished {
                    done[agent] = candidate
                }
            }
        }
        return lineup.compactMap { done[$0] }
    }

    /// Why a job counts as dead, or nil while it may still deliver: the engine gave up on it (or
    /// forgot it) with no record, or it ran past the hard timeout plus the margin.
    static func deathReason(_ job: JobRecord, status: EngineJobStatus?, seen: Bool, limit: TimeInterval,
                            now: Date = Date()) -> String? {
        if let status, status.state.isFinal {
            // A worker that exits 0 has written its record first; with none, something went wrong.
            return status.reason ?? "the engine reports \(status.state.rawValue) with no record"
        }
        if status == nil && seen { return "the engine no longer knows the job and no record was written" }
        if let started = job.startedAt, now.timeIntervalSince(started) > limit {
            return "running \(Int(now.timeIntervalSince(started))) s, past the hard timeout plus margin, with no record"
        }
        return nil
    }

    /// The record of a candidate whose job was given up.
    static func crashedCandidate(_ job: JobRecord, plan: RunPlan, record: RunRecord, workspace: Workspace) -> CandidateRecord {
        let planned = plan.agents.first { $0.id == job.agent }
        var candidate = record.candidate(job.agent)
            ?? CandidateRecord(agent: job.agent, harness: planned?.harness ?? .command, model: planned?.model,
                               worktree: "", branch: RunID(record.runID)!.branchName(agent: job.agent))
        candidate.outcome = .crashed
        candidate.state = .finished
        candidate.attempt = job.attempt
        candidate.workerHost = job.host
        return candidate
    }
}

/// Slurm's failures render like every pipeline failure (`headline; hint`) and fail the run (exit 1).
extension SlurmError: HintedFailure {
    public var exitCode: Int32 { 1 }
}
