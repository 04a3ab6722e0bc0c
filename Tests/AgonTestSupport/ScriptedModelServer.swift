import Foundation

/// The scripted model server (`Tests/ScriptedModelServer/scripted_model_server.py`) run for one
/// test: Anthropic Messages, OpenAI Responses and OpenAI chat, each turn's reply and exact usage
/// set by a script. Each script is served under its own URL prefix (`baseURL(script:)`).
public final class ScriptedModelServer {
    /// One scripted model call.
    public struct Turn: Encodable {
        public struct Usage: Encodable {
            public var input: Int
            public var output: Int
            public var cached_input = 0
            public var cache_write = 0
            public init(input: Int, output: Int, cached_input: Int = 0, cache_write: Int = 0) {
                self.input = input
                self.output = output
                self.cached_input = cached_input
                self.cache_write = cache_write
            }
        }
        public struct Tool: Encodable {
            public var name: String
            public var arguments: [String: String]
            public init(name: String, arguments: [String: String]) {
                self.name = name
                self.arguments = arguments
            }
        }
        public var text: String?
        public var tool: Tool?
        public var usage: Usage
        public var delay_ms: Int?
        public var stall: Bool?
        /// Anthropic only: send the content, then hold the stream open with pings (no message_delta).
        public var hold_open: Bool?

        public init(text: String?, tool: Tool?, usage: Usage, delay_ms: Int? = nil, stall: Bool? = nil, hold_open: Bool? = nil) {
            self.text = text
            self.tool = tool
            self.usage = usage
            self.delay_ms = delay_ms
            self.stall = stall
            self.hold_open = hold_open
        }

        public static func tool(_ name: String, _ arguments: [String: String], input: Int, output: Int) -> Turn {
            Turn(text: nil, tool: Tool(name: name, arguments: arguments), usage: Usage(input: input, output: output))
        }
        public static func text(_ text: String, input: Int, output: Int, delayMs: Int? = nil) -> Turn {
            Turn(text: text, tool: nil, usage: Usage(input: input, output: output), delay_ms: delayMs)
        }
    }

    /// What the server sends once the script's turns are used up.
    public enum AfterLast: String, Encodable {
        case error
        case repeatLast = "repeat_last"
        /// Open a stream and send only keep-alives: the client waits mid-stream until it is killed.
        case stall
    }

    private struct Script: Encodable {
        var turns: [Turn]
        var after_last: AfterLast
    }

    public static let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ScriptedModelServer/scripted_model_server.py").path

    public var port: Int { server.port }
    public let directory: URL
    private let server: PythonServer

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("agon-scripted-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("requests.jsonl")
        server = try PythonServer(script: Self.scriptPath, arguments: [directory.path, log.path], log: log)
    }

    /// Installs (or replaces) the script served under `/s/<name>`.
    public func script(_ name: String, _ turns: [Turn], afterLast: AfterLast = .error) throws {
        let data = try JSONEncoder().encode(Script(turns: turns, after_last: afterLast))
        try data.write(to: directory.appendingPathComponent(name + ".json"), options: .atomic)
    }

    /// The root a CLI is pointed at for `script` (append `/v1` for OpenAI-style base URLs).
    public func baseURL(script: String) -> String { "http://127.0.0.1:\(port)/s/\(script)" }

    /// Requests received so far, oldest first (only `script`'s when given).
    public func requests(script: String? = nil) -> [[String: Any]] {
        server.requests().filter { script == nil || ($0["script"] as? String) == script }
    }

    /// Generation requests (the ones that consumed a turn) for `script`.
    public func turnsServed(script: String) -> Int {
        requests(script: script).filter { $0["turn"] != nil }.count
    }

    public func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { if server.isRunning { stop() } }
}
