import Foundation

/// The scripted model server (`Tests/ScriptedModelServer/scripted_model_server.py`) run for one
/// test: Anthropic Messages, OpenAI Responses and OpenAI chat, each turn's reply and exact usage
/// set by a script. Each script is served under its own URL prefix (`baseURL(script:)`).
final class ScriptedModelServer {
    /// One scripted model call.
    struct Turn: Encodable {
        struct Usage: Encodable {
            var input: Int
            var output: Int
            var cached_input = 0
            var cache_write = 0
        }
        struct Tool: Encodable {
            var name: String
            var arguments: [String: String]
        }
        var text: String?
        var tool: Tool?
        var usage: Usage
        var delay_ms: Int?
        var stall: Bool?
        /// Anthropic only: send the content, then hold the stream open with pings (no message_delta).
        var hold_open: Bool?

        static func tool(_ name: String, _ arguments: [String: String], input: Int, output: Int) -> Turn {
            Turn(text: nil, tool: Tool(name: name, arguments: arguments), usage: Usage(input: input, output: output))
        }
        static func text(_ text: String, input: Int, output: Int, delayMs: Int? = nil) -> Turn {
            Turn(text: text, tool: nil, usage: Usage(input: input, output: output), delay_ms: delayMs)
        }
    }

    /// What the server sends once the script's turns are used up.
    enum AfterLast: String, Encodable {
        case error
        case repeatLast = "repeat_last"
        /// Open a stream and send only keep-alives: the client waits mid-stream until it is killed.
        case stall
    }

    private struct Script: Encodable {
        var turns: [Turn]
        var after_last: AfterLast
    }

    static let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ScriptedModelServer/scripted_model_server.py").path

    let port: Int
    let directory: URL
    private let process: Process
    private let stdin: Pipe
    private var logURL: URL { directory.appendingPathComponent("requests.jsonl") }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("agon-scripted-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath, directory.path, directory.appendingPathComponent("requests.jsonl").path]
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // The server prints its port once it is listening.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "scripted server did not report a port"])
        }
        self.port = port
    }

    /// Installs (or replaces) the script served under `/s/<name>`.
    func script(_ name: String, _ turns: [Turn], afterLast: AfterLast = .error) throws {
        let data = try JSONEncoder().encode(Script(turns: turns, after_last: afterLast))
        try data.write(to: directory.appendingPathComponent(name + ".json"), options: .atomic)
    }

    /// The root a CLI is pointed at for `script` (append `/v1` for OpenAI-style base URLs).
    func baseURL(script: String) -> String { "http://127.0.0.1:\(port)/s/\(script)" }

    /// Requests received so far, oldest first.
    func requests(script: String? = nil) -> [[String: Any]] {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.filter { script == nil || ($0["script"] as? String) == script }
    }

    /// Generation requests (the ones that consumed a turn) for `script`.
    func turnsServed(script: String) -> Int {
        requests(script: script).filter { $0["turn"] != nil }.count
    }

    func stop() {
        // Closing stdin makes the server exit on its own; terminate is the backstop.
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { if process.isRunning { stop() } }
}
