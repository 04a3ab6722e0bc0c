import Foundation

/// The agent CLIs (and one HTTP protocol) Agon knows how to drive and meter.
public enum Harness: String, CaseIterable, Codable, Sendable {
    case claude, codex, gemini, opencode, pi, aider, openai, command

    /// The executable looked up on PATH when an entry names no `binary`.
    public var defaultBinary: String? {
        switch self {
        case .openai, .command: return nil
        default: return rawValue
        }
    }

    /// Whether the vendor's input-token count already includes cached tokens
    /// (OpenAI, Gemini, …) or excludes them (Anthropic).
    public var inputIncludesCached: Bool {
        switch self {
        case .claude: return false
        default: return true
        }
    }
}

/// Token counts by billing kind, normalised across vendors.
///
/// `input` is *uncached* input only (vendors that fold cached tokens into their input count are
/// normalised by subtracting). `output` excludes `reasoning`; both are billed at the output rate.
public struct TokenUsage: Codable, Equatable, Hashable, Sendable {
    public var input: Int
    public var cachedInput: Int
    public var cacheWrite: Int
    public var output: Int
    public var reasoning: Int

    public init(input: Int = 0, cachedInput: Int = 0, cacheWrite: Int = 0, output: Int = 0, reasoning: Int = 0) {
        self.input = input
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.output = output
        self.reasoning = reasoning
    }

    public static let zero = TokenUsage()

    public var total: Int { input + cachedInput + cacheWrite + output + reasoning }
    public var isZero: Bool { total == 0 }

    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(input: a.input + b.input, cachedInput: a.cachedInput + b.cachedInput,
                   cacheWrite: a.cacheWrite + b.cacheWrite, output: a.output + b.output,
                   reasoning: a.reasoning + b.reasoning)
    }

    public static func += (a: inout TokenUsage, b: TokenUsage) { a = a + b }

    /// Component-wise `a - b`, floored at zero (for turning cumulative snapshots into deltas).
    public static func - (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(input: max(0, a.input - b.input), cachedInput: max(0, a.cachedInput - b.cachedInput),
                   cacheWrite: max(0, a.cacheWrite - b.cacheWrite), output: max(0, a.output - b.output),
                   reasoning: max(0, a.reasoning - b.reasoning))
    }

    enum CodingKeys: String, CodingKey {
        case input, cachedInput = "cached_input", cacheWrite = "cache_write", output, reasoning
    }
}

/// How a candidate's agent run ended.
public enum Outcome: String, CaseIterable, Codable, Sendable {
    case ok
    case costKilled = "cost_killed"
    case timeout
    case silenceTimeout = "silence_timeout"
    case agentError = "agent_error"
    case apiError = "api_error"
    case crashed
    case noChanges = "no_changes"
    case interrupted
    /// The diff is larger than `defaults.max_patch_bytes`: not stored whole, not reviewed.
    case oversize
    /// Without a sandbox: the shared git dir's hooks, config, `info/` or refs changed while it ran.
    case tampered

    /// Outcomes that stop a candidate from competing in review regardless of its diff.
    public var isGated: Bool { self != .ok }
}

/// Where a candidate's `cost_usd` came from.
public enum CostSource: String, Codable, Sendable {
    /// The CLI reported its own cost and Agon used it.
    case reported
    /// Agon priced the token counts with its price table.
    case computed
    /// The model has no price: the cost is unknown (never $0) and the budget cannot be enforced.
    case unpriced
}

/// Result of one check (acceptance, holdout, scope).
public enum CheckStatus: String, Codable, Sendable {
    case passed, failed, skipped
}

/// How Agon contains agents, checks and verifiers (`sandbox:` in agon.yml).
public enum SandboxMode: String, Codable, Sendable, CaseIterable {
    /// bubblewrap namespaces: the default, where bwrap is installed and works.
    case bwrap
    /// No sandbox: process groups, a child subreaper and tamper detection only.
    case none
}
