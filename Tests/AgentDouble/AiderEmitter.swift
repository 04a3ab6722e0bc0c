import Foundation

/// aider `--no-pretty --no-stream --analytics-log FILE`: `Tokens:`/`Cost:` lines on stdout and
/// a `message_send` event per model call in the analytics log, written right after the stdout
/// line as aider 0.86.2 does (`show_usage_report`: `tool_output`, then `event("message_send")`),
/// with `message_send_starting` before each call.
struct AiderEmitter: HarnessEmitter {
    let inv: Invocation
    let config: DoubleConfig
    var sessionCost = 0.0
    var analytics: FileHandle?

    init(inv: Invocation, config: DoubleConfig) {
        self.inv = inv
        self.config = config
        if config.writeAnalytics, let path = inv.analyticsLog {
            FileManager.default.createFile(atPath: path, contents: nil)
            analytics = FileHandle(forWritingAtPath: path)
        }
    }

    var model: String { inv.model ?? "openai/gpt-4o" }

    func log(_ event: String, _ properties: [String: Any]) {
        let object: [String: Any] = ["event": event, "properties": properties, "user_id": "double", "time": Int(Date().timeIntervalSince1970)]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        analytics?.write(data + Data("\n".utf8))
    }

    /// aider prints counts under 1000 as-is, then `1.2k`, then `12k`.
    static func human(_ n: Int) -> String {
        if n < 1000 { return "\(n)" }
        if n < 10000 { return String(format: "%.1fk", Double(n) / 1000) }
        return "\(Int((Double(n) / 1000).rounded()))k"
    }

    mutating func start() {
        log("launched", [:])
        Out.line("Aider v0.86.2")
        Out.line("Model: \(model) with whole edit format")
        Out.line("Git repo: .git with 1 files")
        Out.line("Repo-map: disabled")
        Out.line("")
    }

    mutating func turn(index: Int, usage u: TurnUsage, edits: [Edit]) {
        let cost = config.cost(input: u.input, output: u.output)
        sessionCost += cost
        log("message_send_starting", [:])
        Out.line("Step \(index).")
        Out.line("")
        Out.line("Tokens: \(Self.human(u.input)) sent, \(Self.human(u.output)) received. Cost: $\(String(format: "%.4f", cost)) message, $\(String(format: "%.4f", sessionCost)) session.")
        log("message_send", ["main_model": model, "edit_format": "whole", "prompt_tokens": u.input,
                             "completion_tokens": u.output, "total_tokens": u.input + u.output,
                             "cost": cost, "total_cost": sessionCost])
        for edit in edits { Out.line("Applied edit to \(edit.path)") }
    }

    mutating func finish(total: TurnUsage, turns: Int) { log("exit", ["reason": "Completed --message"]) }

    mutating func apiError() {
        Out.line("litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for gpt-4o in organization org-double on tokens per min (TPM): Limit 30000, Used 30000, Requested 1200.")
        Out.line("The API provider has rate limited you. Try again later or check your quotas.")
    }

    mutating func fail() { Out.line("Error: unable to apply edits; giving up.") }
}
