import Foundation

/// The node a worker runs on, as its record keeps it (`worker_host`). An engine whose workers'
/// own host name is not the node's sets `AGON_WORKER_HOST` (a Kubernetes pod's host name is the
/// pod's name, so the Job passes the node's name through the downward API).
public enum WorkerHost {
    public static let variable = "AGON_WORKER_HOST"

    /// `AGON_WORKER_HOST` when set and not empty, else this machine's host name.
    public static func name(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
    }
}
