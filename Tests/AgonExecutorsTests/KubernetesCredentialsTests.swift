@testable import AgonExecutors
import Foundation
import Testing

/// Credential discovery from files in a temporary directory laid out like a pod's service
/// account mount or a kubeconfig.
@Suite("Kubernetes credentials")
final class KubernetesCredentialsTests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("agon-k8s-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func write(_ text: String, _ name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func serviceAccount() throws -> String {
        _ = try write("sa-token-1\n", "sa/token")
        _ = try write("-----BEGIN CERTIFICATE-----\n", "sa/ca.crt")
        _ = try write("agents\n", "sa/namespace")
        return dir.appendingPathComponent("sa").path
    }

    @Test func inClusterServiceAccount() throws {
        let sa = try serviceAccount()
        let settings = KubernetesSettings(image: "agon", serviceAccountDirectory: sa)
        let credentials = try KubernetesCredentials.discover(settings, environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        #expect(credentials.server == "https://10.96.0.1:443")
        #expect(credentials.caFile == "\(sa)/ca.crt")
        #expect(credentials.namespace == "agents")
        #expect(try credentials.token?.value() == "sa-token-1")
        // The kubelet rotates the token file; each request reads the current one.
        _ = try write("sa-token-2\n", "sa/token")
        #expect(try credentials.token?.value() == "sa-token-2")
    }

    @Test func unreadableTokenFile() throws {
        let sa = try serviceAccount()
        let credentials = try KubernetesCredentials.discover(KubernetesSettings(image: "agon", serviceAccountDirectory: sa),
                                                             environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"])
        #expect(credentials.server == "https://10.96.0.1:443")
        try FileManager.default.removeItem(atPath: "\(sa)/token")
        #expect(throws: KubernetesError.unreadableToken(path: "\(sa)/token")) { try credentials.token?.value() }
    }

    @Test func inClusterIPv6Host() throws {
        let settings = KubernetesSettings(image: "agon", serviceAccountDirectory: try serviceAccount())
        let credentials = try KubernetesCredentials.discover(settings, environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"])
        #expect(credentials.server == "https://[fd00::1]:6443")
    }

    static let kubeconfig = """
    apiVersion: v1
    kind: Config
    current-context: work
    contexts:
    - name: other
      context: {cluster: other, user: other}
    - name: work
      context: {cluster: prod, user: agon, namespace: tournaments}
    clusters:
    - name: other
      cluster: {server: "https://other.example:6443"}
    - name: prod
      cluster:
        server: https://k8s.example.com:6443/
        certificate-authority-data: \(Data("-----BEGIN CERTIFICATE-----\nfake\n".utf8).base64EncodedString())
    users:
    - name: other
      user: {token: other-token}
    - name: agon
      user: {token: agon-token}
    """

    @Test func kubeconfigCurrentContext() throws {
        let path = try write(Self.kubeconfig, "kube/config")
        let credentials = try KubernetesCredentials.discover(KubernetesSettings(image: "agon"),
                                                             environment: ["KUBECONFIG": "\(path):/nonexistent"], scratch: dir)
        #expect(credentials.server == "https://k8s.example.com:6443")
        #expect(credentials.namespace == "tournaments")
        #expect(try credentials.token?.value() == "agon-token")
        let ca = try #require(credentials.caFile)
        #expect(try String(contentsOfFile: ca, encoding: .utf8) == "-----BEGIN CERTIFICATE-----\nfake\n")
    }

    @Test func kubeconfigBeatsServiceAccountWhenNamed() throws {
        let sa = try serviceAccount()
        let path = try write(Self.kubeconfig, "named.yaml")
        let settings = KubernetesSettings(image: "agon", kubeconfigPath: path, serviceAccountDirectory: sa)
        let credentials = try KubernetesCredentials.discover(settings, environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], scratch: dir)
        #expect(credentials.server == "https://k8s.example.com:6443")
    }

    @Test func settingsOverrideServerAndCA() throws {
        let path = try write(Self.kubeconfig, "kube/config")
        let settings = KubernetesSettings(image: "agon", apiServer: "https://127.0.0.1:6443", kubeconfigPath: path, caFile: "/etc/agon/ca.pem")
        let credentials = try KubernetesCredentials.discover(settings, environment: [:], scratch: dir)
        #expect(credentials.server == "https://127.0.0.1:6443")
        #expect(credentials.caFile == "/etc/agon/ca.pem")
    }

    @Test func relativeTokenFileAndCAPath() throws {
        _ = try write("file-token\n", "kube/token")
        let path = try write("""
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "https://k:6443", certificate-authority: ca.crt}}]
        users: [{name: u, user: {tokenFile: token}}]
        """, "kube/config")
        let credentials = try KubernetesCredentials.discover(KubernetesSettings(image: "agon", kubeconfigPath: path), environment: [:], scratch: dir)
        #expect(credentials.caFile == dir.appendingPathComponent("kube/ca.crt").path)
        #expect(try credentials.token?.value() == "file-token")
        #expect(credentials.namespace == nil)
    }

    @Test(arguments: [
        ("exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}", "an exec credential plugin"),
        ("{username: admin, password: secret}", "basic auth"),
    ])
    func unsupportedUserAuthentication(user: String, method: String) throws {
        let path = try write("""
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "https://k:6443"}}]
        users: [{name: u, user: \(user.hasPrefix("{") ? user : "{\(user)}")}]
        """, "kube/config")
        #expect(throws: KubernetesError.unsupportedAuth(user: "u", method: method)) {
            try KubernetesCredentials.discover(KubernetesSettings(image: "agon", kubeconfigPath: path), environment: [:], scratch: dir)
        }
    }

    @Test func clientCertificateDataGoesToPrivateFiles() throws {
        let path = try write("""
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "https://k:6443", certificate-authority-data: \(Data("CA".utf8).base64EncodedString())}}]
        users: [{name: u, user: {client-certificate-data: \(Data("CERT".utf8).base64EncodedString()), client-key-data: \(Data("KEY".utf8).base64EncodedString())}}]
        """, "kube/config")
        let credentials = try KubernetesCredentials.discover(KubernetesSettings(image: "agon", kubeconfigPath: path), environment: [:], scratch: dir)
        #expect(credentials.token == nil)
        let client = try #require(credentials.clientCertificate)
        #expect(try String(contentsOfFile: client.certificateFile, encoding: .utf8) == "CERT")
        #expect(try String(contentsOfFile: client.keyFile, encoding: .utf8) == "KEY")
        let scratch = try #require(credentials.scratchDirectory)
        #expect(client.keyFile.hasPrefix(scratch + "/") && credentials.caFile?.hasPrefix(scratch + "/") == true)
        // Only this user can read the key: the directory is 0700 and the files 0600.
        #expect(try FileManager.default.attributesOfItem(atPath: scratch)[.posixPermissions] as? Int == 0o700)
        #expect(try FileManager.default.attributesOfItem(atPath: client.keyFile)[.posixPermissions] as? Int == 0o600)
    }

    @Test func clientCertificateFiles() throws {
        let path = try write("""
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "https://k:6443"}}]
        users: [{name: u, user: {client-certificate: certs/me.crt, client-key: /etc/keys/me.key}}]
        """, "kube/config")
        let credentials = try KubernetesCredentials.discover(KubernetesSettings(image: "agon", kubeconfigPath: path), environment: [:], scratch: dir)
        #expect(credentials.clientCertificate == .init(certificateFile: dir.appendingPathComponent("kube/certs/me.crt").path, keyFile: "/etc/keys/me.key"))
        #expect(credentials.scratchDirectory == nil)
        let keyless = try write("""
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "https://k:6443"}}]
        users: [{name: u, user: {client-certificate: me.crt}}]
        """, "kube/keyless")
        #expect(throws: KubernetesError.badKubeconfig(path: keyless, problem: "user \"u\" has a client certificate but no client key")) {
            try KubernetesCredentials.discover(KubernetesSettings(image: "agon", kubeconfigPath: keyless), environment: [:], scratch: dir)
        }
    }

    @Test func brokenKubeconfigs() throws {
        let noContext = try write("clusters: []\n", "a.yaml")
        let insecure = try write("""
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "https://k:6443", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: t}}]
        """, "b.yaml")
        let dangling = try write("current-context: c\ncontexts: [{name: c, context: {cluster: gone, user: u}}]\n", "c.yaml")
        for (path, problem) in [(noContext, "has no current-context"), (insecure, "insecure-skip-tls-verify"), (dangling, "no cluster named \"gone\"")] {
            do {
                _ = try KubernetesCredentials.discover(KubernetesSettings(image: "agon", kubeconfigPath: path), environment: [:], scratch: dir)
                Issue.record("accepted \(path)")
            } catch let KubernetesError.badKubeconfig(badPath, text) {
                #expect(badPath == path)
                #expect(text.contains(problem), "\(text)")
            }
        }
        #expect(throws: KubernetesError.badKubeconfig(path: "/nonexistent/config", problem: "no such file")) {
            try KubernetesCredentials.discover(KubernetesSettings(image: "agon", kubeconfigPath: "/nonexistent/config"), environment: [:])
        }
    }

    @Test func nothingFound() throws {
        let home = dir.appendingPathComponent("home").path
        let settings = KubernetesSettings(image: "agon", serviceAccountDirectory: dir.appendingPathComponent("no-sa").path)
        #expect(throws: KubernetesError.noCredentials(searched: ["\(settings.serviceAccountDirectory)/token with $KUBERNETES_SERVICE_HOST", "\(home)/.kube/config"])) {
            try KubernetesCredentials.discover(settings, environment: ["HOME": home])
        }
    }
}
