import Foundation

/// A price that was in a price file but was not loaded, and why.
public struct RejectedPrice: Equatable, Codable, Sendable {
    public var model: String
    public var reason: String
}

/// Model prices by model id, with forgiving lookup (provider prefixes, date suffixes, case).
public struct PriceTable: Sendable {
    /// Where the prices came from (a file path, "LiteLLM … mirrored 2026-07-24", or several joined by " + ").
    public var source: String
    /// When the prices were current (LiteLLM's `last_updated`, or the built-in table's date).
    public var date: String
    /// Prices keyed by lower-cased model id.
    public private(set) var prices: [String: ModelPrice]
    /// Extra lookup keys (vendor prefix or date suffix removed) → canonical key in `prices`.
    private var aliases: [String: String] = [:]

    public init(source: String, date: String, prices: [String: ModelPrice]) {
        self.source = source
        self.date = date
        var lowered: [String: ModelPrice] = [:]
        for (id, price) in prices { lowered[id.lowercased()] = price }
        self.prices = lowered
        self.aliases = Self.buildAliases(for: lowered.keys)
    }

    public static let empty = PriceTable(source: "none", date: "", prices: [:])

    public var count: Int { prices.count }

    /// Finds a price for `model`: exact id first, then with provider prefixes (`anthropic/`,
    /// `openrouter/qwen/`) removed, then without a trailing date (`-20250929`, `-2025-04-14`);
    /// table entries are reachable the same way (`deepseek-chat` finds `deepseek/deepseek-chat`).
    /// Case-insensitive.
    public func lookup(model: String) -> ModelPrice? {
        let query = model.trimmingCharacters(in: .whitespaces).lowercased()
        guard !query.isEmpty else { return nil }
        var candidates = [query]
        var rest = Substring(query)
        while let slash = rest.firstIndex(of: "/") {
            rest = rest[rest.index(after: slash)...]
            if !rest.isEmpty { candidates.append(String(rest)) }
        }
        candidates += candidates.compactMap(Self.removingDateSuffix)
        for key in candidates {
            if let price = prices[key] { return price }
        }
        for key in candidates {
            if let canonical = aliases[key], let price = prices[canonical] { return price }
        }
        return nil
    }

    /// This table with `other`'s entries added, replacing any with the same (case-insensitive) id.
    public func merging(_ other: PriceTable) -> PriceTable {
        var merged = prices
        for (id, price) in other.prices { merged[id] = price }
        let joinedSource = other.prices.isEmpty ? source : "\(source) + \(other.source)"
        return PriceTable(source: joinedSource, date: other.date.isEmpty ? date : other.date, prices: merged)
    }

    /// The price an agent entry runs at: the table's price for its model, then its `pricing:` override.
    public func price(for entry: AgentEntry) -> ModelPrice? {
        let base = entry.model.flatMap { lookup(model: $0) }
        guard let override = entry.pricing else { return base }
        return override.applied(to: base)
    }

    // MARK: - LiteLLM format

    /// Upper bound for a sane price: $1,000 per 1M tokens ($0.001 per token). It keeps the most
    /// expensive real models (o1-pro: $150/$600 per 1M) and rejects mis-scaled listings such as a
    /// Qwen3-Coder entry at $100,000 per 1M tokens.
    public static let maxSanePerToken = 0.001

    static let loadableModes: Set<String> = ["chat", "completion", "responses"]

    /// Reads LiteLLM's `model_prices_and_context_window.json`. Loads text-generation entries
    /// (`mode` chat, completion or responses) that have both `input_cost_per_token` and
    /// `output_cost_per_token`; entries with a negative or absurd (> `maxSanePerToken`) rate are
    /// returned in `rejected`. Tiered (`*_above_200k_tokens`) and per-request prices are ignored.
    public static func loadingLiteLLM(data: Data, source: String) throws -> (table: PriceTable, rejected: [RejectedPrice]) {
        let root: [String: LiteLLMEntry]
        do {
            root = try JSONDecoder().decode([String: LiteLLMEntry].self, from: data)
        } catch {
            throw AgonInputError(file: source, message: "expected LiteLLM's JSON object mapping model ids to prices (\(error.localizedDescription))")
        }
        var prices: [String: ModelPrice] = [:]
        var rejected: [RejectedPrice] = []
        for (id, value) in root where id != "sample_spec" {
            guard let mode = value.mode, loadableModes.contains(mode),
                  let input = value.input, let output = value.output else { continue }
            let cacheRead = value.cacheRead
            let cacheWrite = value.cacheWrite
            let rates = [("input", input), ("output", output), ("cache read", cacheRead), ("cache write", cacheWrite)]
            if let (name, rate) = rates.compactMap({ name, rate in rate.map { (name, $0) } })
                .first(where: { $0.1 < 0 || $0.1 > maxSanePerToken || !$0.1.isFinite }) {
                let perMillion = rate * 1_000_000
                let reason = rate < 0
                    ? "negative \(name) price"
                    : "\(name) price $\(formatUSD(perMillion)) per 1M tokens is above the $1,000 sanity bound"
                rejected.append(RejectedPrice(model: id, reason: reason))
                continue
            }
            prices[id] = ModelPrice(inputPerToken: input, outputPerToken: output, cacheReadPerToken: cacheRead,
                                    cacheWritePerToken: cacheWrite, source: source)
        }
        let date = root["last_updated"]?.text.map { String($0.prefix(10)) } ?? ""
        rejected.sort { $0.model < $1.model }
        return (PriceTable(source: source, date: date, prices: prices), rejected)
    }

    /// Reads a LiteLLM price file from disk (`pricing: { file: … }` in agon.yml).
    public static func loadLiteLLM(path: String) throws -> (table: PriceTable, rejected: [RejectedPrice]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgonInputError(file: path, message: "cannot read price file")
        }
        return try loadingLiteLLM(data: data, source: path)
    }

    private static func formatUSD(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    // MARK: - Normalisation

    /// Prefixes that name a vendor or a pass-through router, not a different model.
    static let vendorPrefixes: Set<String> = [
        "anthropic", "openai", "gemini", "google", "vertex_ai", "deepseek", "dashscope", "qwen", "xai",
        "mistral", "openrouter", "meta-llama", "moonshotai", "z-ai",
    ]

    static func removingDateSuffix(_ id: String) -> String? {
        // -YYYYMMDD (Anthropic) or -YYYY-MM-DD (OpenAI)
        let chars = Array(id)
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { chars[$0].isASCII && chars[$0].isNumber } }
        let n = chars.count
        if n > 9, chars[n - 9] == "-", digits(n - 8..<n), chars[n - 8] == "2" { return String(chars[0..<n - 9]) }
        if n > 11, chars[n - 11] == "-", chars[n - 6] == "-", chars[n - 3] == "-",
           digits(n - 10..<n - 6), digits(n - 5..<n - 3), digits(n - 2..<n) {
            return String(chars[0..<n - 11])
        }
        return nil
    }

    private static func buildAliases<Keys: Collection>(for keys: Keys) -> [String: String] where Keys.Element == String {
        var aliases: [String: String] = [:]
        // Shorter, then alphabetically first, canonical ids win an alias: deterministic and first-party-ish.
        let ordered = keys.sorted { ($0.count, $0) < ($1.count, $1) }
        for key in ordered {
            var names: [String] = []
            let segments = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if segments.count > 1, segments.dropLast().allSatisfy(vendorPrefixes.contains) {
                names.append(segments.last!)
            }
            names += ([key] + names).compactMap(removingDateSuffix)
            for name in names where aliases[name] == nil && name != key {
                aliases[name] = key
            }
        }
        return aliases
    }
}

/// One value of LiteLLM's top-level object, read leniently: fields of the wrong type (a boolean,
/// a note in a string) count as absent rather than failing the whole file.
private struct LiteLLMEntry: Decodable {
    var mode: String?
    var input: Double?
    var output: Double?
    var cacheRead: Double?
    var cacheWrite: Double?
    /// Set for non-object values such as `"last_updated": "2026-07-24T…"`.
    var text: String?

    enum CodingKeys: String, CodingKey {
        case mode, input = "input_cost_per_token", output = "output_cost_per_token"
        case cacheRead = "cache_read_input_token_cost", cacheWrite = "cache_creation_input_token_cost"
    }

    init(from decoder: Decoder) throws {
        guard let container = try? decoder.container(keyedBy: CodingKeys.self) else {
            text = try? decoder.singleValueContainer().decode(String.self)
            return
        }
        mode = try? container.decode(String.self, forKey: .mode)
        input = try? container.decode(Double.self, forKey: .input)
        output = try? container.decode(Double.self, forKey: .output)
        cacheRead = try? container.decode(Double.self, forKey: .cacheRead)
        cacheWrite = try? container.decode(Double.self, forKey: .cacheWrite)
    }
}

/// Per-entry price overrides from `agon.yml` (`pricing:` under an agent or verifier).
///
/// Each rate may be written per token (`input_per_token: 0.000003`) or per million tokens
/// (`input_per_mtok: 3`), the form vendors publish; giving both for the same rate is an error.
/// Keys: `input`, `output`, `cache_read`, `cache_write`, each with `_per_token` or `_per_mtok`.
public struct PriceOverride: Equatable, Codable, Sendable {
    public var inputPerToken: Double?
    public var outputPerToken: Double?
    public var cacheReadPerToken: Double?
    public var cacheWritePerToken: Double?

    public init(inputPerToken: Double? = nil, outputPerToken: Double? = nil, cacheReadPerToken: Double? = nil,
                cacheWritePerToken: Double? = nil) {
        self.inputPerToken = inputPerToken
        self.outputPerToken = outputPerToken
        self.cacheReadPerToken = cacheReadPerToken
        self.cacheWritePerToken = cacheWritePerToken
    }

    /// `base` with the overridden rates replaced. Without a base price the override needs both
    /// input and output rates to make a price; otherwise the model stays unpriced.
    public func applied(to base: ModelPrice?) -> ModelPrice? {
        let source = "agon.yml override"
        if var price = base {
            if let inputPerToken { price.inputPerToken = inputPerToken }
            if let outputPerToken { price.outputPerToken = outputPerToken }
            if let cacheReadPerToken { price.cacheReadPerToken = cacheReadPerToken }
            if let cacheWritePerToken { price.cacheWritePerToken = cacheWritePerToken }
            price.source = "\(price.source) + \(source)"
            return price
        }
        guard let inputPerToken, let outputPerToken else { return nil }
        return ModelPrice(inputPerToken: inputPerToken, outputPerToken: outputPerToken,
                          cacheReadPerToken: cacheReadPerToken, cacheWritePerToken: cacheWritePerToken, source: source)
    }

    enum CodingKeys: String, CodingKey {
        case inputPerToken = "input_per_token", outputPerToken = "output_per_token"
        case cacheReadPerToken = "cache_read_per_token", cacheWritePerToken = "cache_write_per_token"
    }

    static let rates = ["input", "output", "cache_read", "cache_write"]
    static var keys: [String] { rates.flatMap { ["\($0)_per_token", "\($0)_per_mtok"] } }

    static func read(_ fields: YAMLFields) throws -> PriceOverride {
        try fields.rejectUnknownKeys(keys)
        var values: [String: Double] = [:]
        for rate in rates {
            let perToken = try fields.number("\(rate)_per_token")
            let perMillion = try fields.number("\(rate)_per_mtok")
            if perToken != nil && perMillion != nil {
                throw fields.error("\(rate)_per_mtok", "set either \(rate)_per_token or \(rate)_per_mtok, not both")
            }
            guard let value = perToken ?? perMillion.map({ $0 / 1_000_000 }) else { continue }
            guard value >= 0 else {
                throw fields.error(perToken != nil ? "\(rate)_per_token" : "\(rate)_per_mtok", "must not be negative")
            }
            values[rate] = value
        }
        if values.isEmpty {
            throw AgonInputError(file: fields.source.file, line: fields.source.line(of: fields.node),
                                 field: fields.path, message: "sets no price (use e.g. input_per_mtok and output_per_mtok)")
        }
        return PriceOverride(inputPerToken: values["input"], outputPerToken: values["output"],
                             cacheReadPerToken: values["cache_read"], cacheWritePerToken: values["cache_write"])
    }
}
