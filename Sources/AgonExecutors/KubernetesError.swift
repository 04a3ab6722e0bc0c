import Foundation

/// Why the Kubernetes engine cannot do what was asked, told as a headline and, where there is
/// something to do about it, a hint (AgonTournament renders it as one `agon: …` line).
public enum KubernetesError: Error, Equatable {
    /// `executor.kubernetes` in agon.yml is missing a key or has a bad value.
    case badSetting(key: String, problem: String)
    /// Neither an in-cluster service account nor a usable kubeconfig was found.
    case noCredentials(searched: [String])
    /// The kubeconfig exists but cannot be used as written.
    case badKubeconfig(path: String, problem: String)
    /// The bearer token's file (service account or kubeconfig `tokenFile`) cannot be read.
    case unreadableToken(path: String)
    /// The kubeconfig's user authenticates in a way Agon does not implement.
    case unsupportedAuth(user: String, method: String)
    /// The API server could not be reached (connection refused, DNS, timeout).
    case unreachable(server: String, detail: String)
    /// TLS failed: the server's certificate is not signed by the configured cluster CA.
    case untrustedServer(server: String, detail: String)
    /// The API server answered with an error status.
    case api(status: Int, verb: String, path: String, message: String)
    /// The API server answered something that is not the JSON Agon asked for.
    case malformedReply(path: String, detail: String)
    /// A Job handle that is not a Job name Agon could have made (a damaged or tampered record).
    case badHandle(String)
    /// `curl`, the HTTP client the engine drives, is not installed.
    case noHTTPClient

    public var headline: String {
        switch self {
        case .badSetting(let key, let problem): return "executor.kubernetes.\(key) in agon.yml \(problem)"
        case .noCredentials(let searched):
            return "no Kubernetes credentials: not in a cluster and no kubeconfig (looked at \(searched.joined(separator: ", ")))"
        case .badKubeconfig(let path, let problem): return "kubeconfig \(path): \(problem)"
        case .unreadableToken(let path): return "cannot read the Kubernetes token file \(path)"
        case .unsupportedAuth(let user, let method): return "kubeconfig user \"\(user)\" authenticates with \(method), which agon does not support"
        case .unreachable(let server, let detail): return "cannot reach the Kubernetes API server \(server): \(detail)"
        case .untrustedServer(let server, let detail): return "the Kubernetes API server \(server) failed TLS verification: \(detail)"
        case .api(let status, let verb, let path, let message): return "Kubernetes API \(verb) \(path) answered HTTP \(status): \(message)"
        case .malformedReply(let path, let detail): return "the Kubernetes API server's reply to \(path) is not usable: \(detail)"
        case .badHandle(let handle): return "\"\(handle)\" is not the name of a Kubernetes Job agon submitted"
        case .noHTTPClient: return "the Kubernetes engine needs curl, which is not on PATH"
        }
    }

    public var hint: String? {
        switch self {
        case .badSetting(let key, _):
            return key == "image"
                ? "name the worker image, e.g. `executor: {kubernetes: {image: registry.example.com/agon:1.0}}`"
                : "known keys: \(KubernetesSettings.knownKeys.joined(separator: ", "))"
        case .noCredentials: return "run agon in a pod with a service account, or set `kubeconfig:` (or $KUBECONFIG) to a kubeconfig with a token"
        case .badKubeconfig: return "check it with `kubectl config view --minify`"
        case .unreadableToken: return "check that it exists and that this user may read it"
        case .unsupportedAuth:
            return "give the user a `token:` or `tokenFile:` (e.g. `kubectl create token SERVICE_ACCOUNT`), or run agon in the cluster"
        case .unreachable: return "check `api_server:` / the kubeconfig's server, and that the cluster is up"
        case .untrustedServer: return "point the kubeconfig's certificate-authority (or `ca_file:`) at the cluster's CA"
        case .api(let status, _, _, _):
            switch status {
            case 401: return "the token was refused; renew it (`kubectl create token …`) or fix the kubeconfig's user"
            case 403: return "grant the account create, get and delete on jobs (batch) and list and watch on pods in the namespace (README, \"Candidates on Kubernetes\")"
            case 404: return "check `namespace:` in executor.kubernetes, and that the cluster serves batch/v1 Jobs"
            case 409: return "a Job of that name exists already; delete it (`kubectl delete job NAME`) or wait for its ttlSecondsAfterFinished"
            case 422: return "the API server refused the Job manifest; check image, resources and node_selector in executor.kubernetes (Kubernetes ≥ 1.29 is needed for backoffLimitPerIndex)"
            default: return nil
            }
        case .malformedReply: return "is `api_server:` a Kubernetes API server?"
        case .badHandle: return "the run's record of its Job is damaged; find the Job with `kubectl get jobs -l agon.run`"
        case .noHTTPClient: return "install curl (`apt-get install curl`)"
        }
    }
}
