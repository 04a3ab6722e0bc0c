import Foundation
import Yams

/// Where the API server is and how to authenticate to it, as discovered from the pod's service
/// account or a kubeconfig.
public struct KubernetesCredentials: Equatable, Sendable {
    /// Base URL of the API server, without a trailing slash.
    public var server: String
    /// CA bundle the server's certificate must chain to; nil = the system's trust store.
    public var caFile: String?
    /// The bearer token, read when needed (service account tokens rotate on disk).
    public var token: Token?
    /// Namespace the credentials default to (the service account's, or the kubeconfig context's).
    public var namespace: String?
    /// Where the credentials came from, for messages.
    public var source: String

    /// A bearer token given inline or as a file re-read before every request.
    public enum Token: Equatable, Sendable {
        case inline(String)
        case file(String)

        /// The token's current value.
        public func value() throws -> String {
            switch self {
            case .inline(let token): return token
            case .file(let path):
                do {
                    return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                } catch {
                    throw KubernetesError.unreadableToken(path: path)
                }
            }
        }
    }

    public init(server: String, caFile: String? = nil, token: Token? = nil, namespace: String? = nil, source: String) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.caFile = caFile
        self.token = token
        self.namespace = namespace
        self.source = source
    }

    /// The credentials for `settings`: in-cluster when `KUBERNETES_SERVICE_HOST` is set and the
    /// service account's token exists (unless a kubeconfig is named explicitly), otherwise the
    /// kubeconfig's current context. `api_server` and `ca_file` override what was discovered.
    /// `caDirectory` receives a kubeconfig's inline `certificate-authority-data` as a file.
    public static func discover(_ settings: KubernetesSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                                caDirectory: URL = FileManager.default.temporaryDirectory) throws -> KubernetesCredentials {
        var found: KubernetesCredentials
        var searched: [String] = []
        if settings.kubeconfigPath == nil, let inCluster = inCluster(directory: settings.serviceAccountDirectory, environment: environment) {
            found = inCluster
        } else {
            if settings.kubeconfigPath == nil { searched.append("\(settings.serviceAccountDirectory)/token with $KUBERNETES_SERVICE_HOST") }
            let path = kubeconfigPath(settings, environment: environment)
            searched.append(path)
            guard FileManager.default.fileExists(atPath: path) else {
                if settings.kubeconfigPath != nil { throw KubernetesError.badKubeconfig(path: path, problem: "no such file") }
                throw KubernetesError.noCredentials(searched: searched)
            }
            found = try fromKubeconfig(path: path, caDirectory: caDirectory)
        }
        if let server = settings.apiServer { found.server = server; while found.server.hasSuffix("/") { found.server.removeLast() } }
        if let ca = settings.caFile { found.caFile = ca }
        return found
    }

    /// The pod's service account, when running in a cluster.
    static func inCluster(directory: String, environment: [String: String]) -> KubernetesCredentials? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              FileManager.default.fileExists(atPath: "\(directory)/token") else { return nil }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        // An IPv6 service address needs brackets in a URL.
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let ca = "\(directory)/ca.crt"
        let namespace = (try? String(contentsOfFile: "\(directory)/namespace", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return KubernetesCredentials(server: "https://\(hostPart):\(port)",
                                     caFile: FileManager.default.fileExists(atPath: ca) ? ca : nil,
                                     token: .file("\(directory)/token"),
                                     namespace: namespace?.isEmpty == false ? namespace : nil,
                                     source: "service account \(directory)")
    }

    /// `kubeconfig:` from agon.yml, else the first file of `$KUBECONFIG`, else `~/.kube/config`.
    static func kubeconfigPath(_ settings: KubernetesSettings, environment: [String: String]) -> String {
        if let path = settings.kubeconfigPath { return (path as NSString).expandingTildeInPath }
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first { return String(first) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return "\(home)/.kube/config"
    }

    /// The current context of a kubeconfig: its cluster's server and CA, its user's token, its namespace.
    static func fromKubeconfig(path: String, caDirectory: URL) throws -> KubernetesCredentials {
        func bad(_ problem: String) -> KubernetesError { .badKubeconfig(path: path, problem: problem) }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw bad("cannot be read") }
        guard let root = (try? Yams.load(yaml: text)) as? [String: Any] else { throw bad("is not a YAML mapping") }
        func named(_ list: String, _ name: String, _ field: String) throws -> [String: Any] {
            let entries = root[list] as? [[String: Any]] ?? []
            guard let entry = entries.first(where: { ($0["name"] as? String) == name }) else { throw bad("no \(field) named \"\(name)\" in \(list)") }
            return entry[field] as? [String: Any] ?? [:]
        }
        guard let current = root["current-context"] as? String, !current.isEmpty else { throw bad("has no current-context") }
        let context = try named("contexts", current, "context")
        guard let clusterName = context["cluster"] as? String else { throw bad("context \"\(current)\" names no cluster") }
        let cluster = try named("clusters", clusterName, "cluster")
        guard let server = cluster["server"] as? String, !server.isEmpty else { throw bad("cluster \"\(clusterName)\" has no server") }
        if (cluster["insecure-skip-tls-verify"] as? Bool) == true {
            throw bad("cluster \"\(clusterName)\" sets insecure-skip-tls-verify; agon verifies the server, so give it certificate-authority(-data)")
        }
        // Relative paths in a kubeconfig are relative to the kubeconfig's directory.
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p) }

        var caFile: String?
        if let data = cluster["certificate-authority-data"] as? String {
            guard let pem = Data(base64Encoded: data.filter { !$0.isWhitespace }) else { throw bad("certificate-authority-data is not base64") }
            // An unpredictable name: no other user of a shared /tmp can plant a CA there first.
            let file = caDirectory.appendingPathComponent("agon-k8s-ca-\(UUID().uuidString).crt")
            do { try pem.write(to: file, options: .atomic) } catch { throw bad("cannot write its CA to \(file.path)") }
            caFile = file.path
        } else if let ca = cluster["certificate-authority"] as? String {
            caFile = resolve(ca)
        }

        var token: Token?
        if let userName = context["user"] as? String {
            let user = try named("users", userName, "user")
            if let inline = user["token"] as? String, !inline.isEmpty {
                token = .inline(inline)
            } else if let file = user["tokenFile"] as? String, !file.isEmpty {
                token = .file(resolve(file))
            } else if user["exec"] != nil {
                throw KubernetesError.unsupportedAuth(user: userName, method: "an exec credential plugin")
            } else if user["auth-provider"] != nil {
                throw KubernetesError.unsupportedAuth(user: userName, method: "an auth-provider")
            } else if user["client-certificate"] != nil || user["client-certificate-data"] != nil {
                throw KubernetesError.unsupportedAuth(user: userName, method: "a client certificate")
            } else if user["username"] != nil {
                throw KubernetesError.unsupportedAuth(user: userName, method: "basic auth")
            }
        }
        return KubernetesCredentials(server: server, caFile: caFile, token: token,
                                     namespace: (context["namespace"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                                     source: "kubeconfig \(path) (context \(current))")
    }
}
