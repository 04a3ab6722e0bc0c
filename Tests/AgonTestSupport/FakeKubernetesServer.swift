import Foundation

/// A fake Kubernetes API server (Python `http.server`, HTTP or HTTPS) for the Kubernetes engine's
/// tests. It keeps Jobs and pods like the real one does for the calls Agon makes: POST a Job
/// (201; 409 when the name exists; 401 on a wrong token; 403 in namespace `forbidden`), list pods
/// by label selector with a resourceVersion, watch them from a resourceVersion (newline-delimited
/// JSON events, with a BOOKMARK every second while idle), and DELETE a Job (its unfinished pods
/// are then deleted, as the garbage collector does with background propagation). Pods come from a
/// scenario the test writes: per Job name, timed steps putting one completion index into a phase.
/// Pods carry the labels of the posted Job's pod template, so a wrong selector finds nothing.
public final class FakeKubernetesServer {
    /// One step of a Job's pod: after `after` seconds, index `index` is in `phase` on `node`.
    public struct Step: Encodable {
        public var after: Double
        public var index: Int
        public var phase: String
        public var node: String?
        /// `containerStatuses[0].state.terminated.reason` / `exitCode` for a finished pod.
        public var reason: String?
        public var exitCode: Int?
        /// `DELETED` instead of `ADDED`/`MODIFIED` (an eviction or a lost node).
        public var deleted: Bool
        /// Instead of a pod step: the Job gets a `Failed` condition with this reason (and `phase` as its message).
        public var jobFailed: String?

        public init(after: Double, index: Int, phase: String, node: String? = nil, reason: String? = nil, exitCode: Int? = nil,
                    deleted: Bool = false, jobFailed: String? = nil) {
            self.jobFailed = jobFailed
            self.after = after
            self.index = index
            self.phase = phase
            self.node = node
            self.reason = reason
            self.exitCode = exitCode
            self.deleted = deleted
        }
    }

    /// The scheme, host and port, e.g. `https://127.0.0.1:41234`.
    public let server: String
    public let token: String
    private let process: PythonServer
    private let dir: URL

    /// Starts the server; `tls` = (certificate, key) PEM paths serves HTTPS, and `clientCA` then
    /// requires a client certificate signed by that CA (no token needed with one). `watchLifetime` > 0
    /// closes every watch stream after that many seconds (as API servers do after their timeout);
    /// `expireFirstWatch` answers the first watch with an `ERROR` event, 410 Gone.
    public init(scenario: [String: [Step]], token: String = "test-token", tls: (certificate: String, key: String)? = nil,
                clientCA: String? = nil, watchLifetime: Double = 0, expireFirstWatch: Bool = false) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("agon-fake-k8s-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = dir.appendingPathComponent("server.py")
        try FakeKubernetesServer.script.write(to: script, atomically: true, encoding: .utf8)
        let scenarioFile = dir.appendingPathComponent("scenario.json")
        try JSONEncoder().encode(scenario).write(to: scenarioFile)
        let log = dir.appendingPathComponent("requests.jsonl")
        var arguments = [log.path, scenarioFile.path, token, String(watchLifetime), expireFirstWatch ? "expire" : "keep"]
        if let tls { arguments += [tls.certificate, tls.key] + (clientCA.map { [$0] } ?? []) }
        process = try PythonServer(script: script.path, arguments: arguments, log: log)
        self.token = token
        server = "\(tls == nil ? "http" : "https")://127.0.0.1:\(process.port)"
    }

    /// Requests received so far (`method`, `path`, `authorization`, `body`), oldest first.
    public func requests() -> [[String: Any]] { process.requests() }

    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    deinit { if process.isRunning { stop() } }

    /// Writes a throw-away CA (`ca.crt`), a server certificate for 127.0.0.1 signed by it
    /// (`server.crt`, `server.key`) and a client certificate signed by it (`client.crt`,
    /// `client.key`) into `directory`, with the openssl CLI.
    public static func makeCertificates(in directory: URL, caName: String = "ca") throws -> (ca: String, certificate: String, key: String) {
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: path("san.cnf"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: path("client.cnf"), atomically: true, encoding: .utf8)
        for arguments in [
            ["req", "-x509"] + ec + ["-keyout", path("\(caName).key"), "-out", path("\(caName).crt"), "-days", "1", "-subj", "/CN=agon-test-\(caName)"],
            ["req"] + ec + ["-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("\(caName).crt"), "-CAkey", path("\(caName).key"), "-CAcreateserial",
             "-out", path("server.crt"), "-days", "1", "-extfile", path("san.cnf")],
            ["req"] + ec + ["-keyout", path("client.key"), "-out", path("client.csr"), "-subj", "/CN=agon-test-user"],
            ["x509", "-req", "-in", path("client.csr"), "-CA", path("\(caName).crt"), "-CAkey", path("\(caName).key"), "-CAcreateserial",
             "-out", path("client.crt"), "-days", "1", "-extfile", path("client.cnf")],
        ] {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            openssl.arguments = ["openssl"] + arguments
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            guard openssl.terminationStatus == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments[0]) failed"])
            }
        }
        return (path("\(caName).crt"), path("server.crt"), path("server.key"))
    }

    static let script = #"""
    import json, os, ssl, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlparse, parse_qs

    LOG, SCENARIO, TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]
    WATCH_LIFETIME, EXPIRE_FIRST = float(sys.argv[4]), sys.argv[5] == "expire"
    TLS = sys.argv[6:8]
    CLIENT_CA = sys.argv[8] if len(sys.argv) > 8 else None
    with open(SCENARIO) as f:
        scenario = json.load(f)

    cond = threading.Condition()
    state = {"rv": 100, "watches": 0}
    jobs = {}      # name -> manifest
    pods = {}      # pod name -> pod
    events = []    # (rv, type, pod)
    deleted_jobs = set()

    def next_rv():
        state["rv"] += 1
        return str(state["rv"])

    def record(kind, pod):
        pod["metadata"]["resourceVersion"] = next_rv()
        events.append((int(pod["metadata"]["resourceVersion"]), kind, json.loads(json.dumps(pod))))
        cond.notify_all()

    def play(job_name, manifest):
        labels = manifest["spec"]["template"]["metadata"]["labels"]
        start = time.time()
        for step in scenario.get(job_name, []):
            delay = start + step["after"] - time.time()
            if delay > 0:
                time.sleep(delay)
            with cond:
                if job_name in deleted_jobs:
                    return
                if step.get("jobFailed"):
                    jobs[job_name]["status"] = {"conditions": [{"type": "Failed", "status": "True",
                                                                "reason": step["jobFailed"], "message": step["phase"]}]}
                    continue
                name = "%s-%d" % (job_name, step["index"])
                pod = pods.get(name)
                kind = "MODIFIED"
                if pod is None:
                    kind = "ADDED"
                    pod = {"metadata": {"name": name, "namespace": manifest["metadata"]["namespace"],
                                        "creationTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                        "labels": dict(labels, **{"batch.kubernetes.io/job-completion-index": str(step["index"])})},
                           "spec": {}, "status": {}}
                    pods[name] = pod
                if step.get("node"):
                    pod["spec"]["nodeName"] = step["node"]
                pod["status"]["phase"] = step["phase"]
                if step.get("reason") is not None:
                    pod["status"]["containerStatuses"] = [{"name": "worker", "state": {"terminated": {
                        "reason": step["reason"], "exitCode": step.get("exitCode", 0)}}}]
                if step.get("deleted"):
                    del pods[name]
                    kind = "DELETED"
                record(kind, pod)

    def matches(pod, selector):
        key, _, value = selector.partition("=")
        return pod["metadata"]["labels"].get(key) == value

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def log_request_line(self, body=None):
            with cond:
                with open(LOG, "a") as f:
                    f.write(json.dumps({"method": self.command, "path": self.path,
                                        "authorization": self.headers.get("Authorization"), "body": body}) + "\n")

        def reply(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def status(self, code, reason, message):
            self.reply(code, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                              "reason": reason, "message": message, "code": code})

        def authorized(self):
            if CLIENT_CA and self.connection.getpeercert():
                return True   # the TLS layer verified the client certificate
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                self.status(401, "Unauthorized", "Unauthorized")
                return False
            return True

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            self.log_request_line(body)
            if not self.authorized():
                return
            parts = urlparse(self.path).path.strip("/").split("/")
            if parts[:4] != ["apis", "batch", "v1", "namespaces"] or len(parts) != 6 or parts[5] != "jobs":
                return self.status(404, "NotFound", "the server could not find the requested resource")
            namespace = parts[4]
            if namespace == "forbidden":
                return self.status(403, "Forbidden", 'jobs.batch is forbidden: User "system:serviceaccount:forbidden:agon" cannot create resource "jobs" in API group "batch" in the namespace "forbidden"')
            name = body.get("metadata", {}).get("name", "")
            with cond:
                if name in jobs:
                    return self.status(409, "AlreadyExists", 'jobs.batch "%s" already exists' % name)
                jobs[name] = body
            threading.Thread(target=play, args=(name, body), daemon=True).start()
            created = json.loads(json.dumps(body))
            created["metadata"]["uid"] = "uid-" + name
            self.reply(201, created)

        def do_DELETE(self):
            self.log_request_line()
            if not self.authorized():
                return
            name = urlparse(self.path).path.rstrip("/").split("/")[-1]
            with cond:
                if name not in jobs:
                    return self.status(404, "NotFound", 'jobs.batch "%s" not found' % name)
                del jobs[name]
                deleted_jobs.add(name)
                for pod_name, pod in list(pods.items()):
                    if pod["metadata"]["labels"].get("agon.job") == name and pod["status"].get("phase") not in ("Succeeded", "Failed"):
                        del pods[pod_name]
                        record("DELETED", pod)
            self.reply(200, {"kind": "Status", "apiVersion": "v1", "status": "Success", "details": {"name": name, "kind": "jobs"}})

        def do_GET(self):
            self.log_request_line()
            if not self.authorized():
                return
            url = urlparse(self.path)
            query = parse_qs(url.query)
            selector = query.get("labelSelector", [""])[0]
            parts = url.path.strip("/").split("/")
            if parts[:4] == ["apis", "batch", "v1", "namespaces"] and len(parts) == 7 and parts[5] == "jobs":
                with cond:
                    job = jobs.get(parts[6])
                    if job is None:
                        return self.status(404, "NotFound", 'jobs.batch "%s" not found' % parts[6])
                    return self.reply(200, job)
            if not url.path.endswith("/pods"):
                return self.status(404, "NotFound", "the server could not find the requested resource")
            if query.get("watch", ["false"])[0] != "true":
                with cond:
                    items = [p for p in pods.values() if matches(p, selector)]
                    return self.reply(200, {"kind": "PodList", "apiVersion": "v1",
                                            "metadata": {"resourceVersion": str(state["rv"])}, "items": items})
            since = int(query.get("resourceVersion", ["0"])[0] or 0)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            with cond:
                state["watches"] += 1
                expire = EXPIRE_FIRST and state["watches"] == 1
            if expire:
                self.wfile.write((json.dumps({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "message": "too old resource version", "reason": "Expired", "code": 410}}) + "\n").encode())
                self.wfile.flush()
                # A real server ends the stream after the ERROR; hold it open (longer than a test
                # waits) so that only a client that acts on the ERROR gets further.
                time.sleep(30)
                return
            opened = time.time()
            try:
                while not (WATCH_LIFETIME > 0 and time.time() - opened > WATCH_LIFETIME):
                    with cond:
                        fresh = [(rv, kind, pod) for (rv, kind, pod) in events if rv > since and matches(pod, selector)]
                        if not fresh:
                            cond.wait(min(1.0, WATCH_LIFETIME) if WATCH_LIFETIME > 0 else 1.0)
                            fresh = [(rv, kind, pod) for (rv, kind, pod) in events if rv > since and matches(pod, selector)]
                        current = state["rv"]
                    for rv, kind, pod in fresh:
                        self.wfile.write((json.dumps({"type": kind, "object": pod}) + "\n").encode())
                        since = max(since, rv)
                    if not fresh:
                        # A bookmark keeps the stream alive and tells a vanished client from a slow one.
                        self.wfile.write((json.dumps({"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1",
                                         "metadata": {"resourceVersion": str(current)}}}) + "\n").encode())
                        since = max(since, current)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                return

    def watch_stdin():
        sys.stdin.read()   # the test closed our stdin: exit
        os._exit(0)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if TLS:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS[0], TLS[1])
        if CLIENT_CA:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(CLIENT_CA)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=watch_stdin, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#
}
