import Foundation

/// Which engine runs a run's candidates: `local` (in this process, the default) or one job per
/// candidate on a cluster engine.
public enum ExecutorKind: String, CaseIterable, Codable, Sendable {
    case local, slurm, kubernetes
}

/// One run's candidates as cluster jobs: job `i` is the candidate at position `i` of the run's
/// lineup, and runs `agon worker --job <runID>:<i>` on whichever node the engine picks.
public struct JobBatch: Codable, Equatable, Sendable {
    /// The run the jobs belong to; also names the engine's job (`agon-<runID>`).
    public var runID: String
    /// Number of candidates; job indexes are `0..<count`.
    public var count: Int
    /// The worker's argv up to (not including) the job id, e.g. `["/usr/local/bin/agon", "worker",
    /// "--store", URL, "--job"]`; each engine appends `<runID>:<index>` its own way (a Slurm array
    /// task id, a Kubernetes completion index).
    public var workerArguments: [String]
    /// Environment every job gets (store URL, artifact root, …), beside the engine's own.
    public var environment: [String: String]
    /// Working directory of the worker process (a path every node sees; nil = the engine's default).
    public var workingDirectory: String?
    /// The candidates' hard timeout; engines add a margin for checkout and record writing.
    public var hardTimeoutSeconds: Int

    public init(runID: String, count: Int, workerArguments: [String], environment: [String: String] = [:],
                workingDirectory: String? = nil, hardTimeoutSeconds: Int) {
        self.runID = runID
        self.count = count
        self.workerArguments = workerArguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.hardTimeoutSeconds = hardTimeoutSeconds
    }

    /// The job id a worker is given for candidate `index`.
    public func jobID(_ index: Int) -> String { "\(runID):\(index)" }
}

/// An engine's view of one job.
public enum EngineJobState: String, Codable, Sendable {
    /// Queued, not started yet.
    case pending
    case running
    /// The worker exited 0 (its record says how the candidate went).
    case succeeded
    /// The worker exited non-zero, its node died, or the engine killed it (time limit, OOM).
    case failed
    /// Cancelled through `cancel`.
    case cancelled

    /// True once the engine will not run this job any more.
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// One job's state as an engine reports it, with the node it ran on when known (for retries
/// "on another node").
public struct EngineJobStatus: Equatable, Sendable {
    public var state: EngineJobState
    public var node: String?
    /// The engine's reason for a failure (exit code, `NodeFail`, pod phase message), for the record.
    public var reason: String?

    public init(state: EngineJobState, node: String? = nil, reason: String? = nil) {
        self.state = state
        self.node = node
        self.reason = reason
    }
}

/// A cluster engine that runs candidate jobs. The coordinator submits a batch, polls states while
/// it follows the workers' records in the store, retries a lost job once elsewhere, and cancels
/// on Ctrl-C or a budget kill. Implementations talk to the engine only (sbatch/squeue/sacct/
/// scancel, the Kubernetes API server); they never touch the store or the repository.
public protocol CandidateExecutor: Sendable {
    var kind: ExecutorKind { get }
    /// Submits every job of the batch at once; returns the engine's handle (Slurm job id,
    /// Kubernetes Job name).
    func submit(_ batch: JobBatch) throws -> String
    /// The state of each job the engine knows of, by index; an index missing from the answer is
    /// not known to the engine yet (treat as pending).
    func states(_ batch: JobBatch, handle: String) throws -> [Int: EngineJobStatus]
    /// Submits job `index` again, avoiding `avoidNode` when the engine can; returns the retry's handle.
    func retry(_ batch: JobBatch, index: Int, avoidNode: String?) throws -> String
    /// Cancels every job of `handle` still queued or running. Idempotent.
    func cancel(_ batch: JobBatch, handle: String) throws
}
