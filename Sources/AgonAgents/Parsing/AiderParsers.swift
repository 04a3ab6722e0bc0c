import AgonCore
import Foundation

/// Parses aider's terminal output (`--no-pretty`), which is prose with usage report lines:
///
/// - `Tokens: 12k sent, 1.2k cache write, 3.4k cache hit, 523 received. Cost: $0.01 message, $0.05 session.`
///   (counts with `k`/`M` suffixes or thousands commas; `cache …` parts and `Cost:` optional; older
///   versions say `request` instead of `message`; a terminal may wrap `session.` onto the next line);
/// - the mid-2024 form `11,491 prompt tokens, 360 completion tokens, $0.039873 cost, session cost: $0.078021`;
/// - chat-history Markdown prefixes lines with `> `.
///
/// `sent` is the provider's prompt count: it includes cache hits for OpenAI-style providers
/// (DeepSeek: `21,523 sent, 13,952 cache hit`) but not for Anthropic (`194 sent, 9,474 cache hit`),
/// and the line does not say which. So input = sent and cache hits/writes are added separately:
/// at worst cached tokens of OpenAI-style providers are priced twice (never under-charged); aider's
/// own `Cost:` is preferred anyway. The session cost is the running total → `.reportedCost(cumulative: true)`.
/// `Applied edit to X` → `.fileEdit`. Other lines are ordinary output, not malformed.
public struct AiderStdoutParser: StreamParser {
    public private(set) var malformedLines = 0
    private var model: String?

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        var text = line.trimmingASCIIWhitespace()
        if text.hasPrefix("> ") { text = text.dropFirst(2) }
        if text.hasPrefix("Tokens:") { return tokensLine(text) }
        if text.hasPrefix("Applied edit to ") {
            return [.fileEdit(path: String(text.dropFirst("Applied edit to ".count)))]
        }
        if text.hasPrefix("Model: "), model == nil {
            let name = text.dropFirst("Model: ".count).split(separator: " ").first.map(String.init)
            if let name { model = name; return [.model(name)] }
        }
        if text.contains("prompt tokens,"), text.contains("completion tokens") { return legacyLine(text) }
        if text.hasPrefix("litellm.") || text.hasPrefix("The API provider") {
            return APIErrorClassifier.event(for: String(text)).map { [$0] } ?? []
        }
        return []
    }

    public mutating func finish() -> [AgentEvent] { [] }

    private mutating func tokensLine(_ text: Substring) -> [AgentEvent] {
        let parts = text.split(separator: "Cost:", maxSplits: 1, omittingEmptySubsequences: false)
        var sent = 0, cacheHit = 0, cacheWrite = 0, received = 0
        var understood = false
        for clause in parts[0].dropFirst("Tokens:".count).components(separatedBy: ", ") {
            let words = clause.trimmingCharacters(in: CharacterSet(charactersIn: ". ")).split(separator: " ")
            guard words.count >= 2, let n = Self.count(words[0]) else { continue }
            let label = words.dropFirst().joined(separator: " ")
            switch label {
            case "sent": sent = n; understood = true
            case "received": received = n; understood = true
            case "cache hit": cacheHit = n
            case "cache write": cacheWrite = n
            default: continue
            }
        }
        guard understood else {
            malformedLines += 1
            return []
        }
        var events: [AgentEvent] = [
            .usage(TokenUsage(input: sent, cachedInput: cacheHit, cacheWrite: cacheWrite, output: received),
                   model: model),
            .turn,
        ]
        if parts.count == 2 {
            // "$0.34 message, $0.67 session." — the last dollar amount is the session total even
            // when the terminal wrapped "session." onto the next line.
            let amounts = Self.dollarAmounts(parts[1])
            if let session = amounts.last, amounts.count >= 2 {
                events.append(.reportedCost(usd: session, cumulative: true))
            } else if let only = amounts.first {
                events.append(.reportedCost(usd: only, cumulative: false))
            }
        }
        return events
    }

    private mutating func legacyLine(_ text: Substring) -> [AgentEvent] {
        var prompt = 0, completion = 0
        for clause in text.components(separatedBy: ", ") where clause.contains("tokens") {
            let words = clause.split(separator: " ")
            guard words.count >= 2, let n = Self.count(words[0]) else { continue }
            if words[1] == "prompt" { prompt = n } else if words[1] == "completion" { completion = n }
        }
        var events: [AgentEvent] = [.usage(TokenUsage(input: prompt, output: completion), model: model), .turn]
        if let sessionPart = text.range(of: "session cost:") {
            if let total = Self.dollarAmounts(text[sessionPart.upperBound...]).first {
                events.append(.reportedCost(usd: total, cumulative: true))
            }
        } else if let cost = Self.dollarAmounts(text).first {
            events.append(.reportedCost(usd: cost, cumulative: false))
        }
        return events
    }

    /// `732`, `12,566`, `1.6k`, `2.1M` → token count.
    static func count(_ word: Substring) -> Int? {
        var digits = word.replacingOccurrences(of: ",", with: "")
        var scale = 1.0
        if digits.hasSuffix("k") || digits.hasSuffix("K") { scale = 1_000; digits.removeLast() }
        else if digits.hasSuffix("M") || digits.hasSuffix("m") { scale = 1_000_000; digits.removeLast() }
        guard let v = Double(digits), v.isFinite, v >= 0, v < 1e15 else { return nil }
        return Int((v * scale).rounded())
    }

    /// Every `$N.NN` amount in `text`, in order.
    static func dollarAmounts(_ text: Substring) -> [Double] {
        var result: [Double] = []
        var rest = text[...]
        while let dollar = rest.firstIndex(of: "$") {
            let after = rest[rest.index(after: dollar)...]
            let number = after.prefix(while: { $0.isNumber || $0 == "." || $0 == "," })
            if let v = Double(number.replacingOccurrences(of: ",", with: "")), v.isFinite, v >= 0 { result.append(v) }
            rest = after.dropFirst(number.count)
        }
        return result
    }
}

/// Parses aider's `--analytics-log` JSONL: `message_send` events carry `prompt_tokens`,
/// `completion_tokens`, `cost` (this message) and `total_cost` (the session so far).
///
/// One log can hold several aider sessions (totals restart at each `launched`), so the per-message
/// `cost` is used as a delta; `total_cost` only when `cost` is missing. `prompt_tokens` is
/// litellm's count and is taken as uncached input (the log has no cache split).
public struct AiderAnalyticsParser: StreamParser {
    public private(set) var malformedLines = 0

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        if line.trimmingASCIIWhitespace().isEmpty { return [] }
        guard let o = parseJSONObjectLine(line), let event = o["event"]?.string else {
            malformedLines += 1
            return []
        }
        if event == "message_send_starting" { return [.modelCall(inFlight: true)] }
        if event == "exit" { return [.modelCall(inFlight: false)] }
        guard event == "message_send", let p = o["properties"], p.object != nil else { return [] }
        let model = p["main_model"]?.string
        var events: [AgentEvent] = [
            .usage(TokenUsage(input: p["prompt_tokens"].tokens, output: p["completion_tokens"].tokens), model: model),
            .turn, .modelCall(inFlight: false),
        ]
        if let cost = p["cost"]?.double {
            if cost > 0 { events.append(.reportedCost(usd: cost, cumulative: false)) }
        } else if let total = p["total_cost"]?.double, total > 0 {
            events.append(.reportedCost(usd: total, cumulative: true))
        }
        return events
    }

    public mutating func finish() -> [AgentEvent] { [] }
}
