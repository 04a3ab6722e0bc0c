import AgonCore

/// Vendor token conventions folded into `TokenUsage` (input = uncached, output excludes reasoning).
enum UsageNormalisation {
    /// OpenAI/Gemini style: `prompt` includes `cached` (and any cache writes); `completion` includes `reasoning`.
    static func inclusive(prompt: Int, cached: Int, cacheWrite: Int = 0, completion: Int, reasoning: Int) -> TokenUsage {
        TokenUsage(input: Swift.max(0, prompt - cached - cacheWrite), cachedInput: cached, cacheWrite: cacheWrite,
                   output: Swift.max(0, completion - reasoning), reasoning: reasoning)
    }

    /// Component-wise maximum.
    static func max(_ a: TokenUsage, _ b: TokenUsage) -> TokenUsage {
        TokenUsage(input: Swift.max(a.input, b.input), cachedInput: Swift.max(a.cachedInput, b.cachedInput),
                   cacheWrite: Swift.max(a.cacheWrite, b.cacheWrite), output: Swift.max(a.output, b.output),
                   reasoning: Swift.max(a.reasoning, b.reasoning))
    }
}

extension Optional where Wrapped == JSONValue {
    /// A token count, 0 when absent/null/not a count.
    var tokens: Int { self?.count ?? 0 }
}

/// Mirrors what a `CostMeter` holds for one stream, so a parser can make its snapshots dominate
/// the deltas it already emitted (see `ClaudeStreamParser`).
struct MeterMirror {
    private(set) var total = TokenUsage.zero

    mutating func add(_ delta: TokenUsage) { total += delta }

    /// Returns a snapshot that is ≥ everything emitted so far in every component while keeping
    /// the authoritative output+reasoning sum (both bill at the output rate), then records it.
    mutating func reconcile(_ authoritative: TokenUsage) -> TokenUsage {
        var s = UsageNormalisation.max(authoritative, total)
        s.output = Swift.max(authoritative.output, total.output)
        s.reasoning = Swift.max(total.reasoning, authoritative.output + authoritative.reasoning - s.output)
        total = s
        return s
    }
}
