import Foundation

/// The one fake OpenAI-compatible server (Python `http.server`) for client and review tests. It
/// picks its behaviour from the request's `model` and appends every request (headers + body) to a
/// log the test reads. Model `in-order` ranks the packet's candidates in the order shown.
public final class FakeChatServer {
    public static var pythonAvailable: Bool { PythonServer.available }

    public let baseURL: URL
    private let server: PythonServer
    private let dir: URL

    public init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("agon-fake-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = dir.appendingPathComponent("server.py")
        try FakeChatServer.script.write(to: script, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("requests.jsonl")
        server = try PythonServer(script: script.path, arguments: [log.path], log: log)
        baseURL = URL(string: "http://127.0.0.1:\(server.port)/v1")!
    }

    /// Requests received so far, oldest first.
    public func requests() -> [[String: Any]] { server.requests() }

    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: dir)
    }

    deinit { if server.isRunning { stop() } }

    static let script = #"""
    import json, os, re, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    LOG = sys.argv[1]
    lock = threading.Lock()

    def verdict(body):
        rf = body.get("response_format") or {}
        schema = rf.get("json_schema", {}).get("schema", {})
        labels = schema.get("properties", {}).get("ranking", {}).get("items", {}).get("enum") or ["A", "B"]
        v = {"ranking": list(reversed(labels)),
             "candidates": {l: {"summary": "s" + l, "risks": "r" + l, "recommendation": "revise"} for l in labels}}
        text = json.dumps(v)
        return text if rf else "Here is my verdict:\n```json\n" + text + "\n```"

    def completion(content, usage, model="fake-model", finish="stop"):
        return {"id": "chatcmpl-fake", "object": "chat.completion", "model": model,
                "choices": [{"index": 0, "finish_reason": finish,
                             "message": {"role": "assistant", "content": content}}],
                "usage": usage}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, obj=None, raw=None):
            data = raw if raw is not None else json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            with lock:
                with open(LOG, "a") as f:
                    f.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                                        "body": body}) + "\n")
            if self.path != "/v1/chat/completions":
                return self.reply(404, {"error": {"message": "no route " + self.path}})
            model = body.get("model", "")
            plain = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
            if model.startswith("fixture:"):
                with open(model[len("fixture:"):], "rb") as f:
                    return self.reply(200, raw=f.read())
            if model == "in-order":
                text = "\n".join(m["content"] for m in body.get("messages", []) if m.get("role") == "user")
                labels = []
                for label in re.findall(r"^## Candidate ([A-Z]+)$", text, re.M):
                    if label not in labels: labels.append(label)
                v = {"ranking": labels, "candidates": {l: {"summary": "ok", "risks": "", "recommendation": "apply"} for l in labels}}
                reply = completion(json.dumps(v), {"prompt_tokens": 1200, "completion_tokens": 80, "total_tokens": 1280}, model=model)
                reply["id"] = "chatcmpl-1"
                return self.reply(200, reply)
            if model == "no-schema":
                if "response_format" in body:
                    return self.reply(400, {"error": {"message": "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
                                                       "type": "invalid_request_error", "param": "response_format"}})
                return self.reply(200, completion(verdict(body), plain))
            rf_type = (body.get("response_format") or {}).get("type")
            if model == "llama-cpp-python":
                # llama-cpp-python's pydantic validation of response_format, as it answers it.
                if rf_type == "json_schema":
                    return self.reply(500, {"error": {"message": "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}]",
                                                       "type": "internal_server_error", "param": None, "code": None}})
                return self.reply(200, completion(verdict(body), plain))
            if model == "schema-free-only":
                if rf_type is not None:
                    return self.reply(400, {"error": {"message": "response_format is not supported by this server"}})
                return self.reply(200, completion(verdict(body), plain))
            if model == "reasoning":
                if "max_tokens" in body:
                    return self.reply(400, {"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                                                       "type": "invalid_request_error", "param": "max_tokens", "code": "unsupported_parameter"}})
                return self.reply(200, completion(verdict(body), plain))
            if model == "cached":
                usage = {"prompt_tokens": 1000, "completion_tokens": 300, "total_tokens": 1300,
                         "prompt_tokens_details": {"cached_tokens": 600, "audio_tokens": 0},
                         "completion_tokens_details": {"reasoning_tokens": 120}}
                return self.reply(200, completion(verdict(body), usage, model="fake-model-2026"))
            if model == "deepseek":
                usage = {"prompt_tokens": 50, "completion_tokens": 10, "prompt_cache_hit_tokens": 32,
                         "prompt_cache_miss_tokens": 18, "total_tokens": 60}
                return self.reply(200, completion(verdict(body), usage))
            if model == "no-usage":
                c = completion(verdict(body), None)
                del c["usage"]
                return self.reply(200, c)
            if model == "bad-then-good":
                if len(body.get("messages", [])) <= 2:
                    return self.reply(200, completion('{"ranking": ["A"]}', plain))
                return self.reply(200, completion(verdict(body), plain))
            if model == "always-bad":
                return self.reply(200, completion("I liked the second one best.", plain))
            if model == "empty":
                return self.reply(200, completion(None, plain, finish="length"))
            if model == "bad-request":
                return self.reply(400, {"error": {"message": "model not found"}})
            if model == "server-error":
                return self.reply(500, raw=b"upstream exploded\n")
            if model == "hang":
                time.sleep(30)
                return self.reply(200, completion(verdict(body), plain))
            return self.reply(200, completion(verdict(body), plain))

    def watch_stdin():
        sys.stdin.read()   # the test closed our stdin: exit
        os._exit(0)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=watch_stdin, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#
}
