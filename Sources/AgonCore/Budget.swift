import Foundation

/// Budget fields as written in one layer (spec front matter, an agent entry, or `defaults.budget`);
/// nil means "this layer does not say".
public struct BudgetSpec: Equatable, Codable, Sendable {
    /// USD cap; `0` means tally only (measure, never kill).
    public var maxCostUSD: Double?
    public var hardTimeout: AgonDuration?
    public var silenceTimeout: AgonDuration?

    public init(maxCostUSD: Double? = nil, hardTimeout: AgonDuration? = nil, silenceTimeout: AgonDuration? = nil) {
        self.maxCostUSD = maxCostUSD
        self.hardTimeout = hardTimeout
        self.silenceTimeout = silenceTimeout
    }

    public static let empty = BudgetSpec()
    public var isEmpty: Bool { self == .empty }

    enum CodingKeys: String, CodingKey {
        case maxCostUSD = "max_cost_usd", hardTimeout = "hard_timeout", silenceTimeout = "silence_timeout"
    }

    static let keys = ["max_cost_usd", "hard_timeout", "silence_timeout"]

    /// Reads a `budget:` mapping; negative caps and zero/negative timeouts are errors.
    static func read(_ fields: YAMLFields) throws -> BudgetSpec {
        try fields.rejectUnknownKeys(keys)
        var budget = BudgetSpec()
        if let cap = try fields.number("max_cost_usd") {
            guard cap >= 0 else { throw fields.error("max_cost_usd", "must be 0 (tally only) or more, got \(cap)") }
            budget.maxCostUSD = cap
        }
        for key in ["hard_timeout", "silence_timeout"] {
            if let duration = try fields.duration(key) {
                guard duration.seconds > 0 else { throw fields.error(key, "must be longer than zero") }
                if key == "hard_timeout" { budget.hardTimeout = duration } else { budget.silenceTimeout = duration }
            }
        }
        return budget
    }
}

/// Which layer decided a budget field.
public enum BudgetOrigin: String, Codable, Sendable {
    case spec
    case agent
    case defaults
    /// `min(0.50, input_per_1k × 64 + output_per_1k × 32)` for the cap; the built-in constants for timeouts.
    case defaultFormula = "default formula"
}

/// The budget one candidate actually runs under.
public struct ResolvedBudget: Equatable, Codable, Sendable {
    /// The cap in USD; nil when there is none (tally only, or unpriced with no explicit cap).
    public var maxCostUSD: Double?
    public var hardTimeout: TimeInterval
    public var silenceTimeout: TimeInterval
    /// `max_cost_usd: 0` (or a free model under the default formula): cost is measured, never enforced.
    public var isTallyOnly: Bool
    /// Whether the cost meter can kill on the cap: needs a cap > 0 and a price for the model, because
    /// an unpriced model's running cost is unknown (a harness that reports its own cost may still
    /// be capped by the agent runner; that is its decision, not this flag's).
    public var enforceable: Bool
    /// The layer that set the cap.
    public var origin: BudgetOrigin
    public var hardTimeoutOrigin: BudgetOrigin
    public var silenceTimeoutOrigin: BudgetOrigin

    enum CodingKeys: String, CodingKey {
        case maxCostUSD = "max_cost_usd", hardTimeout = "hard_timeout", silenceTimeout = "silence_timeout"
        case isTallyOnly = "tally_only", enforceable, origin
        case hardTimeoutOrigin = "hard_timeout_origin", silenceTimeoutOrigin = "silence_timeout_origin"
    }
}

/// Resolves a candidate's budget from its layers.
///
/// Precedence, field by field: **spec > agent entry > `defaults.budget` > default formula**. The spec
/// wins because its author sets one price gate for every competitor, which keeps the comparison
/// fair; an agent entry's budget applies to specs that set none.
///
/// Defaults when no layer sets a field: `max_cost_usd = min(0.50, input_per_1k × 64 + output_per_1k × 32)`
/// (about 64k input and 32k output tokens, capped at 50 cents), `hard_timeout` 600 s, and
/// `silence_timeout` 180 s (three minutes without output: long enough for a slow tool call or a
/// long reasoning step, short enough to catch a hung CLI well before the hard timeout).
public enum BudgetResolver {
    public static let defaultHardTimeout: TimeInterval = 600
    public static let defaultSilenceTimeout: TimeInterval = 180
    public static let formulaCeilingUSD = 0.50

    /// The default formula's cap for a price: `min(0.50, input_per_1k × 64 + output_per_1k × 32)`.
    public static func formulaCap(for price: ModelPrice) -> Double {
        min(formulaCeilingUSD, price.inputPerToken * 1000 * 64 + price.outputPerToken * 1000 * 32)
    }

    public static func resolve(spec: BudgetSpec? = nil, agent: BudgetSpec? = nil, defaults: BudgetSpec? = nil,
                               price: ModelPrice?) -> ResolvedBudget {
        let layers: [(BudgetOrigin, BudgetSpec)] = [
            (.spec, spec ?? .empty), (.agent, agent ?? .empty), (.defaults, defaults ?? .empty),
        ]
        func pick<T>(_ field: (BudgetSpec) -> T?) -> (T, BudgetOrigin)? {
            for (origin, layer) in layers { if let value = field(layer) { return (value, origin) } }
            return nil
        }
        let hard = pick { $0.hardTimeout }
        let silence = pick { $0.silenceTimeout }

        let cap: Double?
        let origin: BudgetOrigin
        if let (explicit, layer) = pick({ $0.maxCostUSD }) {
            (cap, origin) = (explicit, layer)
        } else {
            (cap, origin) = (price.map(formulaCap(for:)), .defaultFormula)
        }
        let isTallyOnly = cap == 0
        return ResolvedBudget(
            maxCostUSD: isTallyOnly ? nil : cap,
            hardTimeout: hard?.0.seconds ?? defaultHardTimeout,
            silenceTimeout: silence?.0.seconds ?? defaultSilenceTimeout,
            isTallyOnly: isTallyOnly,
            enforceable: !isTallyOnly && cap != nil && price != nil,
            origin: origin,
            hardTimeoutOrigin: hard?.1 ?? .defaultFormula,
            silenceTimeoutOrigin: silence?.1 ?? .defaultFormula)
    }
}
