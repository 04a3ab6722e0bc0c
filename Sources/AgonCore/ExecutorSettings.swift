import Foundation

/// `executor:` in agon.yml: which engine runs a run's candidates and the engines' own settings.
///
/// ```yaml
/// executor:
///   kind: slurm            # local (default) | slurm | kubernetes
///   poll_interval: 2s      # how often the coordinator looks at the store and the engine
///   slurm: {partition: debug, time_margin: 10m, options: ["--mem=4G"]}
///   kubernetes: {image: …, namespace: …, api_server: …, kubeconfig: …, …}   # see KubernetesSettings
///   repository: https://git.example.com/team/app.git   # workers fetch the base commit from here
///   worker_cache: /scratch/agon-repos                   # where workers keep their copies of it
/// ```
public struct ExecutorSettings: Equatable, Sendable {
    /// The engine's name as written; `agon run --executor` overrides it.
    public var kind: String = "local"
    public var pollInterval = AgonDuration(seconds: 2)
    public var slurmPartition: String?
    /// Added to the candidates' hard timeout for the engine's time limit and for "running too long".
    public var timeMargin = AgonDuration(seconds: 600)
    /// Extra sbatch options, verbatim.
    public var slurmOptions: [String] = []
    /// `executor.kubernetes`, passed on as written (the Kubernetes engine reads it).
    public var kubernetes: [String: String] = [:]
    /// `executor.repository`: a git URL (or a path on the nodes) workers fetch the run's base
    /// commit from, into a copy of their own; nil = workers open the coordinator's repository path.
    public var repository: String?
    /// `executor.worker_cache`: the directory under which a worker keeps its copy of each remote;
    /// nil = `$XDG_CACHE_HOME/agon/repos` (else `~/.cache/agon/repos`) on the worker's machine.
    public var workerCache: String?

    public init() {}

    /// The engines `executor.kind` may name.
    public static let kinds = ["local", "slurm", "kubernetes"]
    static let keys = ["kind", "poll_interval", "slurm", "kubernetes", "repository", "worker_cache"]
    static let slurmKeys = ["partition", "time_margin", "options"]

    static func read(_ fields: YAMLFields) throws -> ExecutorSettings {
        try fields.rejectUnknownKeys(keys)
        var settings = ExecutorSettings()
        if let kind = try fields.string("kind") {
            guard kinds.contains(kind) else {
                throw fields.error("kind", "expected one of \(kinds.joined(separator: ", ")), got \"\(kind)\"")
            }
            settings.kind = kind
        }
        if let interval = try fields.duration("poll_interval") {
            guard interval.seconds > 0 else { throw fields.error("poll_interval", "must be longer than zero") }
            settings.pollInterval = interval
        }
        if let slurm = try fields.fields("slurm") {
            try slurm.rejectUnknownKeys(slurmKeys)
            if let partition = try slurm.string("partition") {
                guard !partition.isEmpty else { throw slurm.error("partition", "must not be empty") }
                settings.slurmPartition = partition
            }
            if let margin = try slurm.duration("time_margin") { settings.timeMargin = margin }
            if let options = try slurm.stringList("options") {
                for (index, option) in options.enumerated() where !option.hasPrefix("--") {
                    throw slurm.error("options", "item \(index) (\"\(option)\") is not a long sbatch option (--name=value)")
                }
                settings.slurmOptions = options
            }
        }
        if let kubernetes = try fields.fields("kubernetes") {
            // Passed on as written: the Kubernetes engine (`KubernetesSettings` in AgonExecutors)
            // owns the keys and their meaning, and refuses unknown or bad ones.
            for entry in kubernetes.entries {
                if let value = try kubernetes.string(entry.key) { settings.kubernetes[entry.key] = value }
            }
        }
        if let repository = try fields.string("repository") {
            guard !repository.isEmpty else { throw fields.error("repository", "must not be empty") }
            settings.repository = repository
        }
        if let cache = try fields.string("worker_cache") {
            guard cache.hasPrefix("/") || cache.hasPrefix("~") else {
                throw fields.error("worker_cache", "must be an absolute path on the worker machines, got \"\(cache)\"")
            }
            settings.workerCache = cache
        }
        return settings
    }
}
