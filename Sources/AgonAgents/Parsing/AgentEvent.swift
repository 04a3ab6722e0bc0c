import AgonCore

/// A normalised event from an agent's output stream.
public enum AgentEvent: Equatable, Sendable {
    case session(id: String)
    /// The model id the CLI says it uses.
    case model(String)
    /// A usage DELTA, already normalised (`TokenUsage.input` is uncached input).
    case usage(TokenUsage, model: String?)
    /// CUMULATIVE totals so far for the process; a meter takes the component-wise max with what it has.
    case usageSnapshot(TokenUsage, model: String?)
    /// The CLI's own cost: a running total if `cumulative`, else a delta.
    case reportedCost(usd: Double, cumulative: Bool)
    /// A file-writing tool call (Edit/Write/MultiEdit/apply_patch/write_file/replace/edit/write…) started.
    case fileEdit(path: String?)
    /// One model call / turn finished.
    case turn
    /// The final result line.
    case result(isError: Bool, summary: String?)
    /// A recognised rate-limit / auth / quota / overloaded failure.
    case apiError(kind: APIErrorKind, message: String)
    /// A model call started (`true`) or ended (`false`), for CLIs silent while a call is in
    /// flight (aider without streaming): the silence timeout pauses meanwhile.
    case modelCall(inFlight: Bool)
}

/// The kinds of provider failure Agon tells apart (they map to the `api_error` outcome).
public enum APIErrorKind: String, Sendable {
    case rateLimit = "rate_limit", auth, quota, overloaded, other
}

/// The output formats Agon can meter, one per harness output mode.
public enum StreamFormat: String, Sendable, CaseIterable {
    case claudeStreamJSON, codexExecJSON, codexRollout, geminiStreamJSON, opencodeJSON, piJSON
    case aiderStdout, aiderAnalytics, commandUsage, openAIChat
}

/// A line-oriented, pure (no I/O) parser turning one agent output stream into `AgentEvent`s.
public protocol StreamParser {
    /// Consumes one line without its newline. Malformed lines are counted and skipped, never fatal.
    mutating func consume(line: Substring) -> [AgentEvent]
    /// Signals the end of the stream (e.g. to emit totals held back).
    mutating func finish() -> [AgentEvent]
    /// Lines that were not valid for the format (invalid JSON, wrong shape), counted and skipped.
    var malformedLines: Int { get }
}

/// A fresh parser for `format`.
public func makeStreamParser(_ format: StreamFormat) -> any StreamParser {
    switch format {
    case .claudeStreamJSON: return ClaudeStreamParser()
    case .codexExecJSON: return CodexExecParser()
    case .codexRollout: return CodexRolloutParser()
    case .geminiStreamJSON: return GeminiStreamParser()
    case .opencodeJSON: return OpenCodeParser()
    case .piJSON: return PiParser()
    case .aiderStdout: return AiderStdoutParser()
    case .aiderAnalytics: return AiderAnalyticsParser()
    case .commandUsage: return CommandUsageParser()
    case .openAIChat: return OpenAIChatParser()
    }
}

/// Parses a whole captured document: JSON Lines line by line, or — when the text is one
/// pretty-printed JSON object (`claude`/`gemini --output-format json`, a chat-completions body) —
/// as a single record.
public func parseStreamDocument(_ text: String, format: StreamFormat) -> (events: [AgentEvent], malformedLines: Int) {
    var parser = makeStreamParser(format)
    var events: [AgentEvent] = []
    let trimmed = text.trimmingASCIIWhitespace()
    if trimmed.first == "{", trimmed.contains("\n"), JSONValue.parse(trimmed)?.object != nil {
        events += parser.consume(line: trimmed)
    } else {
        // "\r\n" is one Character in Swift, so split on both forms.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            events += parser.consume(line: line)
        }
    }
    events += parser.finish()
    return (events, parser.malformedLines)
}

extension StringProtocol {
    /// The text without leading/trailing ASCII whitespace (spaces, tabs, CR, LF).
    func trimmingASCIIWhitespace() -> Substring {
        let s = Substring(self)
        guard let start = s.firstIndex(where: { !$0.isASCIIWhitespaceChar }) else { return s[s.endIndex...] }
        guard let last = s.lastIndex(where: { !$0.isASCIIWhitespaceChar }) else { return s[s.endIndex...] }
        return s[start...last]
    }
}

extension Character {
    var isASCIIWhitespaceChar: Bool { self == " " || self == "\t" || self == "\r" || self == "\n" || self == "\r\n" }
}
