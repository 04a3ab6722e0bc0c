import Foundation

/// A generic `command` agent: prints plain text and, when Agon provides `AGON_USAGE_FILE`,
/// appends Agon's usage contract to it: one `{"input","output","cost_usd","model"}` object per
/// model call and `{"event":"file_edit","path":…}` per edit.
struct CommandEmitter: HarnessEmitter {
    let inv: Invocation
    let config: DoubleConfig
    var usageFile: FileHandle?

    init(inv: Invocation, config: DoubleConfig, env: [String: String]) {
        self.inv = inv
        self.config = config
        if let path = env["AGON_USAGE_FILE"] {
            if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
            usageFile = FileHandle(forWritingAtPath: path)
            usageFile?.seekToEndOfFile()
        }
    }

    mutating func start() { Out.line("command agent starting: \(inv.prompt.prefix(60))") }

    mutating func turn(index: Int, usage u: TurnUsage, edits: [Edit]) {
        for edit in edits {
            record(["event": "file_edit", "path": edit.path])
            Out.line("edited \(edit.path)")
        }
        record(["input": u.input, "output": u.output, "cost_usd": config.cost(input: u.input, output: u.output),
                "model": inv.model ?? "local-model"])
    }

    func record(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        usageFile?.write(data + Data("\n".utf8))
    }

    mutating func finish(total: TurnUsage, turns: Int) { Out.line("done") }
    mutating func apiError() { Out.err("Error: 429 Too Many Requests: rate limit exceeded") }
    mutating func fail() { Out.err("error: the agent failed") }
}
