import AgonCore
import AgonStore
import Foundation
@testable import AgonTournament

/// Lineups and helpers for the review-stage tests (on `TournamentFixture`'s demo repository).
enum ReviewLineup {
    /// Three passing candidates (neat < tidy < sprawl for a sound reviewer: sprawl breaks scope,
    /// tidy is neat plus one line) and, with `buggy`, one that fails acceptance (gated).
    static func agents(buggy: Bool = false, neatEdits: String? = nil) -> String {
        var text = """
        agents:
          neat:   { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                    env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_DELAY_MS: "1"\(neatEdits.map { ", DOUBLE_EDITS: '\($0)'" } ?? "") } }
          sprawl: { harness: codex, model: gpt-5-codex, binary: BIN/codex,
                    env: { DOUBLE_SOLUTIONS: SOL/sprawling, DOUBLE_DELAY_MS: "1" } }
          tidy:   { harness: gemini, model: gemini-2.5-flash, binary: BIN/gemini,
                    env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_EDITS: "lib/textkit.sh=# slug helpers end here", DOUBLE_DELAY_MS: "1" } }

        """
        if buggy {
            text += """
              buggy:  { harness: pi, model: mistral-large, binary: BIN/pi,
                        env: { DOUBLE_SOLUTIONS: SOL/wrong, DOUBLE_DELAY_MS: "1" } }

            """
        }
        return text
    }

    /// `verifiers:` with the given entries (id → flow mapping body).
    static func verifiers(_ entries: [(String, String)], defaults: String = "") -> String {
        "verifiers:\n" + entries.map { "  \($0.0): { \($0.1) }\n" }.joined() + (defaults.isEmpty ? "" : "defaults: { \(defaults) }\n")
    }

    static let sound = ("sound", "harness: claude, model: qwen3-coder, binary: BIN/claude, weight: 3, env: { DOUBLE_REVIEW: sound }")
    static let noisy = ("noisy", "harness: codex, model: deepseek-chat, binary: BIN/codex, env: { DOUBLE_REVIEW: noisy, DOUBLE_SEED: \"7\" }")
    static let first = ("first", "harness: gemini, model: llama-3.3-70b, binary: BIN/gemini, env: { DOUBLE_REVIEW: first }")
}

extension TournamentFixture {
    /// Runs the slugify spec through the whole pipeline (agents, checks, review, consensus).
    func runReviewed(_ config: String) throws -> (RunRecord, CommandResult<[RunRecord]>) {
        try writeConfig(config)
        let tournament = Tournament(workspace: try workspace(), options: TournamentOptions(progress: SilentProgress()))
        let outcome = try tournament.run(specPaths: [repo + "/specs/slugify.md"])
        let record = outcome.value[0]
        return (record, outcome)
    }

    func file(_ relative: String) -> String? {
        try? String(contentsOfFile: repo + "/" + relative, encoding: .utf8)
    }

    /// The text of an artifact a record points to; throws when the path or the file is missing.
    func artifact(_ relative: String?) throws -> String {
        guard let relative else { throw FixtureError("the record names no artifact") }
        guard let text = file(relative) else { throw FixtureError("no artifact at \(relative)") }
        return text
    }

    func reviewStage() throws -> ReviewStage {
        ReviewStage(workspace: try workspace(), stopSignal: StopSignal(), progress: SilentProgress())
    }
}

/// Whether `token` occurs in `text` as a whole word (case-insensitive; letters and digits bound words).
func containsWord(_ text: String, _ token: String) -> Bool {
    let escaped = NSRegularExpression.escapedPattern(for: token)
    let pattern = "(?<![A-Za-z0-9])" + escaped + "(?![A-Za-z0-9])"
    return text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
}

/// A tiny OpenAI-compatible chat server (python3 `http.server`) that ranks the packet's labels in
/// the order shown and reports usage; it logs each request's Authorization header.
final class ReviewChatServer {
    static var available: Bool {
        ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let port: Int
    let directory: String
    private let process: Process
    var authLog: String { directory + "/auth.log" }

    static let script = #"""
    import http.server, json, re, sys
    log = sys.argv[1]
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args): pass
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            with open(log, "a") as f: f.write((self.headers.get("Authorization") or "-") + "\n")
            text = "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")
            labels = []
            for label in re.findall(r"^## Candidate ([A-Z]+)$", text, re.M):
                if label not in labels: labels.append(label)
            verdict = {"ranking": labels, "candidates": {l: {"summary": "ok", "risks": "", "recommendation": "apply"} for l in labels}}
            reply = {"id": "chatcmpl-1", "object": "chat.completion", "model": body["model"],
                     "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": json.dumps(verdict)}}],
                     "usage": {"prompt_tokens": 1200, "completion_tokens": 80, "total_tokens": 1280}}
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

    init() throws {
        directory = NSTemporaryDirectory() + "agon-review-chat-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Self.script.write(toFile: directory + "/server.py", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", directory + "/server.py", directory + "/auth.log"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw TournamentFixture.FixtureError("the fake chat server did not report its port")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child spawned from a test thread may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
