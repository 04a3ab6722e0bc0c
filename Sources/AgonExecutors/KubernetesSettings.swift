import Foundation

/// The `executor.kubernetes` block of agon.yml: where and how candidate Jobs run.
public struct KubernetesSettings: Equatable, Sendable {
    /// The worker image; it must contain `agon` and the agents' CLIs.
    public var image: String
    /// Namespace of the Jobs; nil = the service account's namespace, the kubeconfig context's, or `default`.
    public var namespace: String?
    /// API server URL overriding the discovered one (e.g. `https://10.0.0.1:6443`).
    public var apiServer: String?
    /// Kubeconfig path; nil = `$KUBECONFIG`, then `~/.kube/config`.
    public var kubeconfigPath: String?
    /// The in-cluster service account directory (token, ca.crt, namespace).
    public var serviceAccountDirectory: String
    /// CA bundle overriding the discovered one.
    public var caFile: String?
    /// How long finished Jobs stay for inspection before Kubernetes deletes them.
    public var ttlSecondsAfterFinished: Int
    /// Added to the hard timeout for `activeDeadlineSeconds` (image pull, checkout, record writing).
    public var deadlineMarginSeconds: Int
    /// The pods' service account (the worker's own credentials in the cluster), if not the namespace default.
    public var serviceAccountName: String?
    /// Requests = limits for each worker container (`cpu: "2"`, `memory: 4Gi`), when set.
    public var cpu: String?
    public var memory: String?
    /// Node labels every worker pod must match.
    public var nodeSelector: [String: String]
    /// Secrets whose keys become the worker's environment (`envFrom`): the agents' API keys
    /// (`ANTHROPIC_API_KEY`, …) without baking them into the image or writing them into the Job.
    public var envSecrets: [String] = []

    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The keys the block accepts; any other is a typo and refused.
    public static let knownKeys = ["image", "namespace", "api_server", "kubeconfig", "service_account_dir", "ca_file",
                                   "ttl_seconds_after_finished", "deadline_margin_seconds", "service_account",
                                   "cpu", "memory", "node_selector", "env_secrets"]

    public init(image: String, namespace: String? = nil, apiServer: String? = nil, kubeconfigPath: String? = nil,
                serviceAccountDirectory: String = KubernetesSettings.defaultServiceAccountDirectory, caFile: String? = nil,
                ttlSecondsAfterFinished: Int = 3600, deadlineMarginSeconds: Int = 600, serviceAccountName: String? = nil,
                cpu: String? = nil, memory: String? = nil, nodeSelector: [String: String] = [:]) {
        self.image = image
        self.namespace = namespace
        self.apiServer = apiServer
        self.kubeconfigPath = kubeconfigPath
        self.serviceAccountDirectory = serviceAccountDirectory
        self.caFile = caFile
        self.ttlSecondsAfterFinished = ttlSecondsAfterFinished
        self.deadlineMarginSeconds = deadlineMarginSeconds
        self.serviceAccountName = serviceAccountName
        self.cpu = cpu
        self.memory = memory
        self.nodeSelector = nodeSelector
    }

    /// Reads the block as agon.yml gives it (every value a string; `node_selector` as `k=v,k2=v2`).
    public init(_ map: [String: String]) throws {
        if let unknown = map.keys.sorted().first(where: { !KubernetesSettings.knownKeys.contains($0) }) {
            throw KubernetesError.badSetting(key: unknown, problem: "is not a setting")
        }
        func text(_ key: String) throws -> String? {
            guard let value = map[key] else { return nil }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { throw KubernetesError.badSetting(key: key, problem: "is empty") }
            return trimmed
        }
        func seconds(_ key: String, default value: Int) throws -> Int {
            guard let raw = try text(key) else { return value }
            guard let n = Int(raw), n >= 0 else { throw KubernetesError.badSetting(key: key, problem: "must be a whole number of seconds ≥ 0, not \"\(raw)\"") }
            return n
        }
        guard let image = try text("image") else { throw KubernetesError.badSetting(key: "image", problem: "is missing") }
        if image.contains(where: { $0.isWhitespace }) { throw KubernetesError.badSetting(key: "image", problem: "contains whitespace: \"\(image)\"") }
        let namespace = try text("namespace")
        if let namespace, !KubernetesNames.isDNSLabel(namespace) {
            throw KubernetesError.badSetting(key: "namespace", problem: "must be a DNS label (lowercase letters, digits, '-'; at most 63), not \"\(namespace)\"")
        }
        let apiServer = try text("api_server")
        if let apiServer {
            guard let url = URL(string: apiServer), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                throw KubernetesError.badSetting(key: "api_server", problem: "must be an http(s) URL, not \"\(apiServer)\"")
            }
        }
        var selector: [String: String] = [:]
        if let raw = try text("node_selector") {
            for pair in raw.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw KubernetesError.badSetting(key: "node_selector", problem: "must be `label=value,label=value`, not \"\(raw)\"")
                }
                selector[parts[0]] = parts[1]
            }
        }
        var secrets: [String] = []
        if let raw = try text("env_secrets") {
            secrets = raw.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if let bad = secrets.first(where: { !KubernetesNames.isDNSSubdomain($0) }) {
                throw KubernetesError.badSetting(key: "env_secrets", problem: "must be Secret names separated by commas (lowercase letters, digits, '-', '.'), not \"\(bad)\"")
            }
        }
        self.init(image: image, namespace: namespace, apiServer: apiServer, kubeconfigPath: try text("kubeconfig"),
                  serviceAccountDirectory: try text("service_account_dir") ?? KubernetesSettings.defaultServiceAccountDirectory,
                  caFile: try text("ca_file"),
                  ttlSecondsAfterFinished: try seconds("ttl_seconds_after_finished", default: 3600),
                  deadlineMarginSeconds: try seconds("deadline_margin_seconds", default: 600),
                  serviceAccountName: try text("service_account"), cpu: try text("cpu"), memory: try text("memory"),
                  nodeSelector: selector)
        envSecrets = secrets
    }
}

/// Kubernetes' naming rules, as far as Agon's Job names and label values need them.
enum KubernetesNames {
    /// RFC 1123 subdomain: what Secret names must be (dot-separated labels, at most 253 characters).
    static func isDNSSubdomain(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 253 && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// RFC 1123 label: what namespaces and (within 63 characters) Job names must be.
    static func isDNSLabel(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63, let first = s.first, let last = s.last else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
            && first != "-" && last != "-"
    }

    /// `s` lowercased with anything else than letters and digits turned into '-', trimmed to
    /// `limit` characters and of leading/trailing '-', so it is a DNS label and a label value.
    static func label(_ s: String, limit: Int) -> String {
        let mapped = String(s.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" })
        var out = String(mapped.prefix(limit))
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "run" : out
    }

    /// The Job running a batch (`agon-<runID>`); Job names become pod label values, so ≤ 63 with the pod suffix room.
    static func jobName(runID: String) -> String { "agon-" + label(runID, limit: 47) }

    /// The Job retrying candidate `index` (`agon-<runID>-retry-<index>`).
    static func retryJobName(runID: String, index: Int) -> String { "agon-" + label(runID, limit: 36) + "-retry-\(index)" }
}
