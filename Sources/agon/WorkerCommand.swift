import AgonAgents
import AgonExecutors
import AgonReport
import AgonTournament
import ArgumentParser
import Foundation

/// `agon worker --job RUN:INDEX`: one candidate of a run on a cluster node (the coordinator submits these).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one candidate of a run as a cluster job (started by `agon run --executor slurm|kubernetes`).",
        discussion: "Exit 0 when the job needs nothing more from this worker (its record is written, or another worker's is); 1 when it could not finish; 130 when cancelled.")

    @OptionGroup var repo: RepositoryOptions
    @Option(help: ArgumentHelp("The job: the run id and the candidate's index in its lineup.", valueName: "run:index")) var job: String
    @Option(help: ArgumentHelp("Work in this machine's copy of this git remote (executor.repository), fetching the run's base commit by SHA; needs --config.", valueName: "url")) var remote: String?
    @Flag(help: "Never reuse an exact repeat's candidate (the coordinator's `--no-cache`).") var noCache = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let result = try worker().run(jobID: job, useCache: !noCache, progress: TerminalProgress.standardError())
        LeftoverProcesses.killOrphans()
        try finish(result, json: json, present: WorkerPresenter.output)
    }

    private func worker() throws -> CandidateWorker {
        guard let remote else { return CandidateWorker(workspace: try repo.workspace(), host: WorkerHost.name()) }
        guard repo.repository == nil, let config = repo.config else {
            throw WorkerError.remoteNeedsConfig
        }
        return CandidateWorker(workspace: try RemoteRepository.workspace(remote: remote, configPath: config), host: WorkerHost.name(),
                               remote: remote)
    }
}

extension ExecutorKind: ExpressibleByArgument {}
