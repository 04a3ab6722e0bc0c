import Foundation

/// A fake Kubernetes API server (Python `http.server`, HTTP or HTTPS) for the Kubernetes engine's
/// tests. It keeps Jobs and pods like the real one does for the calls Agon makes: POST a Job
/// (201; 409 when the name exists; 401 on a wrong token; 403 in namespace `forbidden`), list pods
/// by label selector with a resourceVersion, watch them from a resourceVersion (newline-delimited
/// JSON events, with a BOOKMARK every second while idle), and DELETE a Job (its unfinished pods
/// are then deleted, as the garbage collector does with background propagation). Pods come from a
/// scenario the test writes: per Job name, timed steps putting one completion index into a phase.
/// Pods carry the labels of the posted Job's pod template, so a wrong selector finds nothing.
///
/// With a `Kubelet`, a posted Job's pods are not scripted but run: see `Kubelet`.
public final class FakeKubernetesServer {
    /// The optional mini-kubelet: for each completion index of a posted Job it creates a pod,
    /// schedules it on one of `nodes` that the pod's required node affinity (`matchFields` on
    /// `metadata.name`) allows, and starts the container's `command` as a local process (the image
    /// is ignored): `$(VAR)` in the command and in env values is expanded as Kubernetes documents
    /// (`$$` escapes, an undefined variable stays as written), the process gets `imageEnvironment`
    /// (standing in for the image's `ENV`), `HOSTNAME` = the pod's name, the `KUBERNETES_SERVICE_*`
    /// variables every pod gets, the container's `env` (values or `fieldRef`s of the downward API)
    /// and `JOB_COMPLETION_INDEX`, in `workingDir`. The pod goes Pending → (scheduled) → Running →
    /// Succeeded/Failed by the exit status (a signal is exit 128+n). When the container's process
    /// ends, every process it started is killed (as its PID namespace would be; descendants are
    /// found from /proc every 0.1 s). DELETE of the Job sends its processes' groups SIGTERM, then
    /// SIGKILL after `gracePeriod`. A pod no node allows stays Pending.
    public struct Kubelet: Encodable {
        public var nodes: [String]
        public var imageEnvironment: [String: String]
        public var gracePeriod: Double

        public init(nodes: [String] = ["node-a", "node-b"], imageEnvironment: [String: String], gracePeriod: Double = 2) {
            self.nodes = nodes
            self.imageEnvironment = imageEnvironment
            self.gracePeriod = gracePeriod
        }
    }

    private struct Setup: Encodable {
        var jobs: [String: [Step]]
        var kubelet: Kubelet?
    }

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
                clientCA: String? = nil, watchLifetime: Double = 0, expireFirstWatch: Bool = false, kubelet: Kubelet? = nil) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("agon-fake-k8s-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = dir.appendingPathComponent("server.py")
        try FakeKubernetesServer.script.write(to: script, atomically: true, encoding: .utf8)
        let scenarioFile = dir.appendingPathComponent("scenario.json")
        try JSONEncoder().encode(Setup(jobs: scenario, kubelet: kubelet)).write(to: scenarioFile)
        let log = dir.appendingPathComponent("requests.jsonl")
        var arguments = [log.path, scenarioFile.path, token, String(watchLifetime), expireFirstWatch ? "expire" : "keep"]
        if let tls { arguments += [tls.certificate, tls.key] + (clientCA.map { [$0] } ?? []) }
        process = try PythonServer(script: script.path, arguments: arguments, log: log)
        self.token = token
        server = "\(tls == nil ? "http" : "https")://127.0.0.1:\(process.port)"
    }

    /// Requests received so far (`method`, `path`, `authorization`, `body`), oldest first.
    public func requests() -> [[String: Any]] { process.requests() }

    /// What the mini-kubelet's process for pod `pod` wrote (stdout and stderr), for failure messages.
    public func podLog(_ pod: String) -> String {
        (try? String(contentsOf: dir.appendingPathComponent("logs/\(pod).log"), encoding: .utf8)) ?? ""
    }

    /// Every pod log the mini-kubelet wrote, by pod name.
    public func podLogs() -> [String: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("logs").path)) ?? []
        return Dictionary(uniqueKeysWithValues: names.filter { $0.hasSuffix(".log") }.map { (String($0.dropLast(4)), podLog(String($0.dropLast(4)))) })
    }

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
    import json, os, signal, ssl, subprocess, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlparse, parse_qs

    LOG, SCENARIO, TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]
    WATCH_LIFETIME, EXPIRE_FIRST = float(sys.argv[4]), sys.argv[5] == "expire"
    TLS = sys.argv[6:8]
    CLIENT_CA = sys.argv[8] if len(sys.argv) > 8 else None
    with open(SCENARIO) as f:
        setup = json.load(f)
    scenario = setup["jobs"]
    KUBELET = setup.get("kubelet")
    LOGS = os.path.join(os.path.dirname(LOG), "logs")
    os.makedirs(LOGS, exist_ok=True)

    cond = threading.Condition()
    state = {"rv": 100, "watches": 0}
    jobs = {}      # name -> manifest
    pods = {}      # pod name -> pod
    events = []    # (rv, type, pod)
    deleted_jobs = set()
    processes = {}  # pod name -> Popen (mini-kubelet)
    trees = {}      # pod name -> {pid: starttime} of the pod's process and its descendants
    PORT = [0]

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

    # --- The mini-kubelet -------------------------------------------------------------------

    def expand(text, env):
        """Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): `$$` is `$`,
        `$(NAME)` is NAME's value when defined and stays as written otherwise."""
        out, i = [], 0
        while i < len(text):
            if text[i] == "$" and i + 1 < len(text):
                nxt = text[i + 1]
                if nxt == "$":
                    out.append("$"); i += 2; continue
                if nxt == "(":
                    close = text.find(")", i + 2)
                    if close == -1:
                        out.append("$("); i += 2; continue
                    name = text[i + 2:close]
                    out.append(env[name] if name in env else "$(" + name + ")")
                    i = close + 1
                    continue
                out.append("$" + nxt); i += 2; continue
            out.append(text[i]); i += 1
        return "".join(out)

    def field(pod, path):
        meta = pod["metadata"]
        if path == "metadata.name": return meta["name"]
        if path == "metadata.namespace": return meta["namespace"]
        if path == "spec.nodeName": return pod["spec"].get("nodeName", "")
        for key in ("labels", "annotations"):
            prefix = "metadata.%s['" % key
            if path.startswith(prefix) and path.endswith("']"):
                return meta.get(key, {}).get(path[len(prefix):-2], "")
        raise ValueError("unsupported fieldRef " + path)

    def allowed_nodes(pod_spec):
        terms = (pod_spec.get("affinity", {}).get("nodeAffinity", {})
                 .get("requiredDuringSchedulingIgnoredDuringExecution", {}).get("nodeSelectorTerms", []))
        def fits(node, term):
            if term.get("matchExpressions"):
                return False   # node labels are not modelled
            for f in term.get("matchFields", []):
                if f["key"] != "metadata.name":
                    return False
                if f["operator"] == "In" and node not in f["values"]: return False
                if f["operator"] == "NotIn" and node in f["values"]: return False
            return True
        # nodeSelectorTerms are ORed; the requirements inside one term are ANDed.
        return [n for n in KUBELET["nodes"] if not terms or any(fits(n, t) for t in terms)]

    def set_phase(name, phase, terminated=None):
        with cond:
            pod = pods.get(name)
            if pod is None:
                return None
            pod["status"]["phase"] = phase
            if terminated is not None:
                pod["status"]["containerStatuses"] = [{"name": "worker", "state": {"terminated": terminated}}]
            elif phase == "Running":
                pod["status"]["containerStatuses"] = [{"name": "worker", "state": {"running": {}}}]
            record("MODIFIED", pod)
            return pod

    def run_pod(job_name, manifest, index, results):
        template = manifest["spec"]["template"]
        container = template["spec"]["containers"][0]
        name = "%s-%d" % (job_name, index)
        with cond:
            if job_name in deleted_jobs:
                return
            pod = {"metadata": {"name": name, "namespace": manifest["metadata"]["namespace"],
                                "creationTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                "labels": dict(template["metadata"]["labels"], **{"batch.kubernetes.io/job-completion-index": str(index)}),
                                "annotations": {"batch.kubernetes.io/job-completion-index": str(index)}},
                   "spec": json.loads(json.dumps(template["spec"])), "status": {"phase": "Pending"}}
            pods[name] = pod
            record("ADDED", pod)
        nodes = allowed_nodes(template["spec"])
        if not nodes:
            with cond:
                pod["status"]["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]
                record("MODIFIED", pod)
            return
        time.sleep(0.1)
        with cond:
            if name not in pods:
                return
            pod["spec"]["nodeName"] = nodes[index % len(nodes)]
            record("MODIFIED", pod)
        # The container's environment, as the kubelet builds it: the image's, the service
        # variables, then the container's env in order (each value expanded against the ones
        # before it), then the completion index the Job controller adds.
        container_env = {}
        try:
            for var in container.get("env", []) + [{"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
                    "fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}]:
                if "valueFrom" in var:
                    container_env[var["name"]] = field(pod, var["valueFrom"]["fieldRef"]["fieldPath"])
                else:
                    container_env[var["name"]] = expand(var.get("value", ""), container_env)
        except ValueError as error:
            set_phase(name, "Failed", {"reason": "CreateContainerConfigError", "exitCode": 1, "message": str(error)})
            results[index] = False
            return
        env = dict(KUBELET["imageEnvironment"])
        env.update({"HOSTNAME": name, "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(PORT[0])})
        env.update(container_env)
        argv = [expand(a, container_env) for a in container["command"] + container.get("args", [])]
        log = open(os.path.join(LOGS, name + ".log"), "ab")
        with cond:
            if name not in pods:
                return
            try:
                process = subprocess.Popen(argv, env=env, cwd=container.get("workingDir", "/"), stdin=subprocess.DEVNULL,
                                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            except OSError as error:
                log.write(("start failed: %s\n" % error).encode())
                log.close()
                pod["status"]["phase"] = "Failed"
                pod["status"]["containerStatuses"] = [{"name": "worker", "state": {"terminated": {"reason": "StartError", "exitCode": 128}}}]
                record("MODIFIED", pod)
                results[index] = False
                return
            processes[name] = process
            trees[name] = {}
        tracker = threading.Thread(target=track, args=(name, process, trees[name]), daemon=True)
        tracker.start()
        set_phase(name, "Running")
        code = process.wait()
        tracker.join()
        # The container is gone: nothing it started outlives it (an agent left by a SIGKILLed worker).
        kill_tree(trees.pop(name, {}))
        log.close()
        with cond:
            processes.pop(name, None)
        exit_code = code if code >= 0 else 128 - code
        results[index] = exit_code == 0
        set_phase(name, "Succeeded" if exit_code == 0 else "Failed",
                  {"reason": "Completed" if exit_code == 0 else "Error", "exitCode": exit_code})

    def run_job(job_name, manifest):
        count = manifest["spec"].get("completions", 1)
        results = {}
        threads = [threading.Thread(target=run_pod, args=(job_name, manifest, i, results), daemon=True) for i in range(count)]
        for t in threads: t.start()
        for t in threads: t.join()
        with cond:
            if job_name not in jobs or len(results) < count:
                return
            if all(results.values()):
                condition = {"type": "Complete", "status": "True"}
            else:
                condition = {"type": "Failed", "status": "True",
                             "reason": "FailedIndexes" if "backoffLimitPerIndex" in manifest["spec"] else "BackoffLimitExceeded"}
            jobs[job_name]["status"] = {"conditions": [condition]}

    def stat(pid):
        """(ppid, starttime) of a live process, or None."""
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[1]), fields[19]
        except (OSError, IndexError, ValueError):
            return None

    def track(name, process, tree):
        """Keeps `tree` (pid -> starttime) holding every descendant of the pod's process, so that
        they can all be killed when the container ends, as its PID namespace would be."""
        tree[process.pid] = (stat(process.pid) or (0, ""))[1]
        while process.poll() is None:
            table = {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    info = stat(int(entry))
                    if info:
                        table[int(entry)] = info
            grew = True
            while grew:
                grew = False
                for pid, (ppid, start) in table.items():
                    if ppid in tree and pid not in tree:
                        tree[pid] = start
                        grew = True
            time.sleep(0.1)

    def kill_tree(tree):
        for pid, start in list(tree.items()):
            info = stat(pid)
            if info and info[1] == start:   # the same process, not a reused pid
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def stop_processes(names, grace):
        """SIGTERM to each pod's process group, SIGKILL after the grace period (as the kubelet)."""
        groups = []
        for name in names:
            process = processes.get(name)
            if process is not None:
                try:
                    groups.append(os.getpgid(process.pid))
                    os.killpg(groups[-1], signal.SIGTERM)
                except OSError:
                    pass
        def kill_later():
            time.sleep(grace)
            for name in names:
                kill_tree(trees.get(name, {}))
            for group in groups:
                try:
                    os.killpg(group, signal.SIGKILL)
                except OSError:
                    pass
        if groups:
            threading.Thread(target=kill_later, daemon=True).start()

    def shutdown(*_):
        for tree in list(trees.values()):
            kill_tree(tree)
        for process in list(processes.values()):
            try:
                os.killpg(os.getpgid(process.pid), signal.SIGKILL)
            except OSError:
                pass
        os._exit(0)

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
            threading.Thread(target=run_job if KUBELET else play, args=(name, body), daemon=True).start()
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
                doomed = []
                for pod_name, pod in list(pods.items()):
                    if pod["metadata"]["labels"].get("agon.job") == name and pod["status"].get("phase") not in ("Succeeded", "Failed"):
                        del pods[pod_name]
                        record("DELETED", pod)
                        doomed.append(pod_name)
                if KUBELET:
                    stop_processes(doomed, KUBELET["gracePeriod"])
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
        sys.stdin.read()   # the test closed our stdin: exit, and no pod's process outlives us
        shutdown()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if TLS:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS[0], TLS[1])
        if CLIENT_CA:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(CLIENT_CA)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    PORT[0] = server.server_address[1]
    signal.signal(signal.SIGTERM, shutdown)
    threading.Thread(target=watch_stdin, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#
}
