import AgonExecutors
import Foundation
import Testing
@testable import AgonTournament

/// The Kubernetes engine's errors as `agon` prints them: `headline; hint`, with the exit code of
/// a usage error (settings, credentials) or of failed work (what the cluster answered).
@Suite struct KubernetesFailureTests {
    @Test(arguments: [
        (KubernetesError.badSetting(key: "image", problem: "is missing"),
         "executor.kubernetes.image in agon.yml is missing; name the worker image, e.g. `executor: {kubernetes: {image: registry.example.com/agon:1.0}}`", Int32(2)),
        (.badSetting(key: "cpus", problem: "is not a setting"),
         "executor.kubernetes.cpus in agon.yml is not a setting; known keys: image, namespace, api_server, kubeconfig, service_account_dir, ca_file, ttl_seconds_after_finished, deadline_margin_seconds, service_account, cpu, memory, node_selector, env_secrets", 2),
        (.unsupportedAuth(user: "eks", method: "an exec credential plugin"),
         "kubeconfig user \"eks\" authenticates with an exec credential plugin, which agon does not support; give the user a `token:` or `tokenFile:` (e.g. `kubectl create token SERVICE_ACCOUNT`), or run agon in the cluster", 2),
        (.unreadableToken(path: "/var/run/secrets/kubernetes.io/serviceaccount/token"),
         "cannot read the Kubernetes token file /var/run/secrets/kubernetes.io/serviceaccount/token; check that it exists and that this user may read it", 2),
        (.api(status: 403, verb: "POST", path: "/apis/batch/v1/namespaces/agents/jobs", message: "jobs.batch is forbidden"),
         "Kubernetes API POST /apis/batch/v1/namespaces/agents/jobs answered HTTP 403: jobs.batch is forbidden; grant the account create, get and delete on jobs (batch) and list and watch on pods in the namespace (README, \"Candidates on Kubernetes\")", 1),
        (.unreachable(server: "https://10.0.0.1:6443", detail: "Failed to connect to 10.0.0.1 port 6443: Connection refused"),
         "cannot reach the Kubernetes API server https://10.0.0.1:6443: Failed to connect to 10.0.0.1 port 6443: Connection refused; check `api_server:` / the kubeconfig's server, and that the cluster is up", 1),
        (.badHandle("agon-x/../pods"),
         "\"agon-x/../pods\" is not the name of a Kubernetes Job agon submitted; the run's record of its Job is damaged; find the Job with `kubectl get jobs -l agon.run`", 1),
        (.api(status: 500, verb: "GET", path: "/api/v1/namespaces/agents/pods", message: "etcdserver: request timed out"),
         "Kubernetes API GET /api/v1/namespaces/agents/pods answered HTTP 500: etcdserver: request timed out", 1),
    ])
    func rendersOneLine(error: KubernetesError, message: String, exitCode: Int32) {
        #expect(error.message == message)
        #expect(error.exitCode == exitCode)
        #expect(!error.message.contains("\n"))
    }
}
