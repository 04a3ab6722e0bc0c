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
    /// A client certificate and its key (PEM files), for users that authenticate with one.
    public var clientCertificate: ClientCertificate?
    /// Namespace the credentials default to (the service account's, or the kubeconfig context's).
    public var namespace: String?
    /// Where the credentials came from, for messages.
    public var source: String
    /// The private directory holding PEM files written from a kubeconfig's inline data, if any
    /// (the executor that discovered the credentials deletes it when it goes away).
    public var scratchDirectory: String?

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

    /// A client certificate and key as PEM files.
    public struct ClientCertificate: Equatable, Sendable {
        public var certificateFile: String
        public var keyFile: String

        public init(certificateFile: String, keyFile: String) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public init(server: String, caFile: String? = nil, token: Token? = nil, clientCertificate: ClientCertificate? = nil,
                namespace: String? = nil, source: String) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.caFile = caFile
        self.token = token
        self.clientCertificate = clientCertificate
        self.namespace = namespace
        self.source = source
    }

    /// The credentials for `settings`: in-cluster when `KUBERNETES_SERVICE_HOST` is set and the
    /// service account's token exists (unless a kubeconfig is named explicitly), otherwise the
    /// kubeconfig's current context. `api_server` and `ca_file` override what was discovered.
    /// A kubeconfig's inline `certificate-authority-data`, `client-certificate-data` and
    /// `client-key-data` are written to files in a new directory under `scratch` that only this
    /// user can read (curl reads PEM files only).
    public static func discover(_ settings: KubernetesSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                                scratch: URL = FileManager.default.temporaryDirectory) throws -> KubernetesCredentials {
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
            found = try fromKubeconfig(path: path, scratch: scratch)
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
    static func fromKubeconfig(path: String, scratch: URL) throws -> KubernetesCredentials {
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

        // Inline PEM data goes to files in one private directory (0700, files 0600) with an
        // unpredictable name: no other user of a shared /tmp can read a key or plant a CA there.
        var privateDirectory: URL?
        func file(_ field: String, _ base64: String, name: String) throws -> String {
            guard let pem = Data(base64Encoded: base64.filter { !$0.isWhitespace }) else { throw bad("\(field) is not base64") }
            do {
                if privateDirectory == nil {
                    let dir = scratch.appendingPathComponent("agon-k8s-\(UUID().uuidString)")
                    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
                    privateDirectory = dir
                }
                let url = privateDirectory!.appendingPathComponent(name)
                guard FileManager.default.createFile(atPath: url.path, contents: pem, attributes: [.posixPermissions: 0o600]) else {
                    throw CocoaError(.fileWriteUnknown)
                }
                return url.path
            } catch let error as KubernetesError {
                throw error
            } catch {
                throw bad("cannot write its \(field) under \(scratch.path)")
            }
        }

        var caFile: String?
        if let data = cluster["certificate-authority-data"] as? String {
            caFile = try file("certificate-authority-data", data, name: "ca.crt")
        } else if let ca = cluster["certificate-authority"] as? String {
            caFile = resolve(ca)
        }

        var token: Token?
        var clientCertificate: ClientCertificate?
        if let userName = context["user"] as? String {
            let user = try named("users", userName, "user")
            if let data = user["client-certificate-data"] as? String {
                let key = try (user["client-key-data"] as? String).map { try file("client-key-data", $0, name: "client.key") }
                    ?? (user["client-key"] as? String).map(resolve)
                guard let key else { throw bad("user \"\(userName)\" has a client certificate but no client key") }
                clientCertificate = ClientCertificate(certificateFile: try file("client-certificate-data", data, name: "client.crt"), keyFile: key)
            } else if let certificate = user["client-certificate"] as? String {
                let key = try (user["client-key-data"] as? String).map { try file("client-key-data", $0, name: "client.key") }
                    ?? (user["client-key"] as? String).map(resolve)
                guard let key else { throw bad("user \"\(userName)\" has a client certificate but no client key") }
                clientCertificate = ClientCertificate(certificateFile: resolve(certificate), keyFile: key)
            }
            if let inline = user["token"] as? String, !inline.isEmpty {
                token = .inline(inline)
            } else if let tokenFile = user["tokenFile"] as? String, !tokenFile.isEmpty {
                token = .file(resolve(tokenFile))
            } else if clientCertificate != nil {
                // Authenticated by the certificate alone.
            } else if user["exec"] != nil {
                throw KubernetesError.unsupportedAuth(user: userName, method: "an exec credential plugin")
            } else if user["auth-provider"] != nil {
                throw KubernetesError.unsupportedAuth(user: userName, method: "an auth-provider")
            } else if user["username"] != nil {
                throw KubernetesError.unsupportedAuth(user: userName, method: "basic auth")
            }
        }
        var credentials = KubernetesCredentials(server: server, caFile: caFile, token: token, clientCertificate: clientCertificate,
                                                namespace: (context["namespace"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                                                source: "kubeconfig \(path) (context \(current))")
        credentials.scratchDirectory = privateDirectory?.path
        return credentials
    }
}
