import AgonExecutors
import AgonStore
import Foundation

extension Tournament {
    /// The environment every job's worker is given beside the engine's own. Slurm passes the
    /// coordinator's whole environment on; a Kubernetes pod has only its image's and this, so
    /// `AGON_STORE_URL` must travel with the Job, or the worker would open the repository's own
    /// SQLite store, find no such run, and fail.
    func workerEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        if let url = workspace.environment[StoreLocation.environmentVariable], !url.isEmpty {
            environment[StoreLocation.environmentVariable] = url
        }
        return environment
    }

    /// The worker's argv up to `--job` for `kind`. A Kubernetes pod runs the image's `agon`
    /// (found on the image's PATH), not this machine's path to its own binary, which the image
    /// does not have; `workerExecutable` still wins when set.
    func workerArguments(for kind: ExecutorKind) -> [String] {
        var arguments = workerArguments()
        if kind == .kubernetes && options.workerExecutable == nil { arguments[0] = "agon" }
        return arguments
    }
}
