import Foundation
import Yams

/// Whether a verifier may rank a candidate from its own model family.
public enum SelfPreference: String, Codable, Sendable {
    /// The verifier's ranking leaves out candidates of its family (the default: models favour their own style).
    case exclude
    case allow
}

/// What a review does with a candidate whose diff carries reviewer-directed text (`on_injection`).
public enum InjectionPolicy: String, Codable, Sendable {
    /// Record the finding and show it to verifiers and users; the candidate is still reviewed.
    case flag
    /// Also gate the candidate: it ranks below every passing one and is not reviewed.
    case gate
}

/// `defaults:` in agon.yml.
public struct ConfigDefaults: Equatable, Sendable {
    /// How many agents run at once (≥ 1).
    public var parallel: Int = 4
    /// Verifiers used when a run names none; nil means every configured verifier.
    public var verifiers: [String]?
    /// Where worktrees go, relative to the repository root.
    public var worktreeRoot: String = "worktrees"
    /// The `defaults` budget layer (see `BudgetResolver`).
    public var budget: BudgetSpec = .empty
    public var selfPreference: SelfPreference = .exclude
    /// Whether review packets include acceptance/holdout/scope results.
    public var reviewChecks: Bool = true
    /// What to do with a candidate whose diff tries to instruct the verifiers.
    public var onInjection: InjectionPolicy = .flag
    /// Time limit for each acceptance or holdout command.
    public var checkTimeout: AgonDuration = .minutes(10)
    /// How many cleaned worktrees are kept for reuse; nil means `parallel`, 0 turns the pool off.
    public var poolSize: Int?
    /// Whether a reused worktree keeps the ignored files (build caches) its last user left.
    public var poolKeepIgnored: Bool = false
    /// Whether a finished run keeps its worktrees (false returns them to the pool at once).
    public var keepWorktrees: Bool = true

    /// The bound on pooled worktrees in effect.
    public var effectivePoolSize: Int { poolSize ?? parallel }
    /// How agents, checks and verifiers are contained (entries may override it).
    public var sandbox: SandboxMode = .bwrap
    /// Whether acceptance and holdout commands keep the network inside the sandbox.
    public var checkNetwork: Bool = false
    /// Largest patch (bytes of diff) a candidate may leave; a larger one is gated `oversize`.
    public var maxPatchBytes: Int = 5_000_000

    public init() {}
}

/// `pricing:` in agon.yml.
public struct PricingSettings: Equatable, Sendable {
    /// A LiteLLM-format price file, as written (the CLI resolves it against the repository root).
    public var file: String?

    public init(file: String? = nil) { self.file = file }
}

/// The lineup and defaults from `agon.yml`. Entries keep their file order.
public struct Config: Equatable, Sendable {
    public var agents: [AgentEntry] = []
    public var verifiers: [AgentEntry] = []
    public var defaults = ConfigDefaults()
    public var pricing = PricingSettings()
    /// `executor:`: which engine runs the candidates (local by default).
    public var executor = ExecutorSettings()
    /// The file this came from (as named in errors); nil for `Config.empty`.
    public var file: String?
    /// `strategy: { cascade: … }` for every spec that sets none; nil means every agent at once.
    public var strategy: CascadeStrategy?
    /// `store:`: a PostgreSQL URL for a store the team shares (nil: `.agon/agon.sqlite`).
    public var store: String?
    /// `artifact_root:`: where run artifacts go instead of `.agon/runs` (relative to the repository root).
    public var artifactRoot: String?

    public init(agents: [AgentEntry] = [], verifiers: [AgentEntry] = [], defaults: ConfigDefaults = ConfigDefaults(),
                pricing: PricingSettings = PricingSettings(), file: String? = nil) {
        self.agents = agents
        self.verifiers = verifiers
        self.defaults = defaults
        self.pricing = pricing
        self.file = file
    }

    /// No agon.yml: no lineup, default settings.
    public static let empty = Config()

    public func agent(_ id: String) -> AgentEntry? { agents.first { $0.id == id } }
    public func verifier(_ id: String) -> AgentEntry? { verifiers.first { $0.id == id } }

    /// The agents and verifiers a spec runs with: the spec's `agents`/`verifiers` lists when given
    /// (checked against this config, errors pointing at the spec's line), else every agent and the
    /// default verifiers. Order follows the spec's list, or agon.yml's.
    public func lineup(for spec: Spec) throws -> (agents: [AgentEntry], verifiers: [AgentEntry]) {
        func pick(_ ids: [String]?, field: String, from pool: [AgentEntry], kind: String) throws -> [AgentEntry]? {
            guard let ids else { return nil }
            return try ids.enumerated().map { index, id in
                guard let entry = pool.first(where: { $0.id == id }) else {
                    let configured = pool.isEmpty ? "none configured in \(file ?? "agon.yml")" : "configured: " + pool.map(\.id).joined(separator: ", ")
                    throw spec.error(field: "\(field)[\(index)]", "unknown \(kind) \"\(id)\" (\(configured))")
                }
                return entry
            }
        }
        let agents = try pick(spec.agents, field: "agents", from: self.agents, kind: "agent") ?? self.agents
        let verifiers = try pick(spec.verifiers, field: "verifiers", from: self.verifiers, kind: "verifier")
            ?? defaultVerifierIDs.compactMap(verifier)
        return (agents, verifiers)
    }

    /// Verifier ids used when a run names none: `defaults.verifiers`, else all verifiers in file order.
    public var defaultVerifierIDs: [String] { defaults.verifiers ?? verifiers.map(\.id) }

    /// Reads agon.yml from disk; `displayName` is how errors name it (default: the path).
    public static func load(path: String, displayName: String? = nil) throws -> Config {
        let name = displayName ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgonInputError(file: name, message: "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AgonInputError(file: name, message: "not UTF-8 text")
        }
        return try parse(yaml: text, file: name)
    }

    static let topLevelKeys = ["agents", "verifiers", "defaults", "pricing", "strategy", "store", "artifact_root", "executor"]
    static let entryKeys = ["harness", "model", "binary", "args", "env", "budget", "pricing", "command",
                            "base_url", "api_key_env", "weight", "family", "swap", "sandbox", "network",
                            "expected_ttft", "expected_time_to_solution"]
    static let defaultsKeys = ["parallel", "verifiers", "worktree_root", "budget", "self_preference",
                               "review_checks", "check_timeout", "pool_size", "pool_keep_ignored", "keep_worktrees", "on_injection",
                               "sandbox", "check_network", "max_patch_bytes"]

    /// Parses agon.yml text, validating everything that can be checked without I/O.
    public static func parse(yaml text: String, file: String = "agon.yml") throws -> Config {
        let source = YAMLSource(file: file)
        var config = Config(file: file)
        guard let root = try source.compose(text), !root.isNull else { return config }
        let top = try YAMLFields(root, path: "", source: source)
        try top.rejectUnknownKeys(topLevelKeys)

        if let section = try top.fields("agents") {
            config.agents = try section.entries.map { try readEntry($0.key, keyNode: $0.keyNode, value: $0.value, role: .agent, section: section) }
        }
        if let section = try top.fields("verifiers") {
            config.verifiers = try section.entries.map { try readEntry($0.key, keyNode: $0.keyNode, value: $0.value, role: .verifier, section: section) }
            for (verifier, keyNode) in zip(config.verifiers, section.entries.map(\.keyNode)) {
                if let agent = config.agent(verifier.id) {
                    let where_ = agent.line.map { " (line \($0))" } ?? ""
                    throw source.error(keyNode, section.fieldPath(verifier.id),
                                       "id \"\(verifier.id)\" is already an agent\(where_); ids must be unique across agents and verifiers")
                }
            }
        }
        if let fields = try top.fields("defaults") {
            config.defaults = try readDefaults(fields, verifierIDs: config.verifiers.map(\.id))
        }
        if let fields = try top.fields("pricing") {
            try fields.rejectUnknownKeys(["file"])
            config.pricing.file = try fields.string("file")
        }
        if let strategy = try top.fields("strategy") {
            config.strategy = try CascadeStrategy.read(strategy)
            // agon.yml's cascade may only name its own agents (a spec's is checked against its lineup).
            for (index, tier) in config.strategy!.tiers.enumerated() {
                for id in tier where config.agent(id) == nil {
                    throw strategy.error("cascade", "tier \(index + 1): unknown agent \"\(id)\" (configured: \(config.agents.map(\.id).joined(separator: ", ")))")
                }
            }
        }
        // Issue 15: a shared store and artifact root (the URL's form is checked where the store opens).
        config.store = try top.string("store")
        if let root = try top.string("artifact_root") {
            guard !root.isEmpty else { throw top.error("artifact_root", "must not be empty") }
            config.artifactRoot = root
        }
        if let fields = try top.fields("executor") { config.executor = try ExecutorSettings.read(fields) }
        return config
    }

    private static func readEntry(_ id: String, keyNode: Node, value: Node, role: AgentEntry.Role,
                                  section: YAMLFields) throws -> AgentEntry {
        let source = section.source
        let path = section.fieldPath(id)
        if let problem = AgentID.problem(with: id) { throw source.error(keyNode, path, problem) }
        guard !value.isNull else {
            throw source.error(keyNode, path, "needs at least a harness (e.g. { harness: claude, model: claude-sonnet-4-6 })")
        }
        let fields = try YAMLFields(value, path: path, source: source, keyNode: keyNode)
        try fields.rejectUnknownKeys(entryKeys)

        let known = Harness.allCases.map(\.rawValue).joined(separator: ", ")
        guard let harnessName = try fields.string("harness") else {
            throw source.error(keyNode, path, "missing required key \"harness\" (one of: \(known))")
        }
        // "Claude" and "claude" mean the same CLI; ids elsewhere stay case-sensitive.
        guard let harness = Harness(rawValue: harnessName.lowercased()) else {
            throw fields.error("harness", "unknown harness \"\(harnessName)\" (known: \(known))")
        }
        if harness == .openai && role == .agent {
            throw fields.error("harness", "harness \"openai\" can only be a verifier (it cannot edit files)")
        }

        var entry = AgentEntry(id: id, role: role, harness: harness, line: source.line(of: keyNode))
        entry.model = try fields.string("model")
        entry.binary = try fields.string("binary")
        entry.args = try fields.stringList("args") ?? []
        entry.env = try readEnv(fields)
        if let budget = try fields.fields("budget") { entry.budget = try BudgetSpec.read(budget) }
        if let pricing = try fields.fields("pricing") { entry.pricing = try PriceOverride.read(pricing) }
        entry.family = try fields.string("family")?.lowercased()
        entry.sandbox = try readSandbox(fields)
        if let network = try fields.string("network") {
            guard network == "none" || network == "host" else {
                throw fields.error("network", "expected \"none\" or \"host\", got \"\(network)\"")
            }
            entry.network = network == "host"
        }

        // Harness-specific keys: reject them elsewhere rather than silently ignore them.
        entry.command = try fields.stringList("command")
        if harness == .command {
            guard let command = entry.command else {
                throw source.error(keyNode, path, "harness \"command\" needs a command list, e.g. command: [\"./my-agent\", \"{prompt_file}\"]")
            }
            guard !command.isEmpty, !command[0].isEmpty else { throw fields.error("command", "must name a program to run") }
            for argument in command {
                for token in placeholders(in: argument) where !AgentEntry.commandPlaceholders.contains(token) {
                    throw fields.error("command", "unknown placeholder \(token) (known: \(AgentEntry.commandPlaceholders.joined(separator: ", ")))")
                }
            }
        } else if entry.command != nil {
            throw fields.error("command", "only used by harness \"command\"")
        }
        entry.baseURL = try fields.string("base_url")
        entry.apiKeyEnv = try fields.string("api_key_env")
        for key in ["base_url", "api_key_env"] where harness != .openai && fields.entry(key) != nil {
            throw fields.error(key, "only used by harness \"openai\"")
        }
        if let name = entry.apiKeyEnv, !EnvSetting.isValidName(name) {
            throw fields.error("api_key_env", "\"\(name)\" is not an environment variable name")
        }
        if harness == .openai && entry.model == nil {
            throw source.error(keyNode, path, "harness \"openai\" needs a model")
        }
        if let weight = try fields.number("weight") {
            guard role == .verifier else { throw fields.error("weight", "only verifiers have a weight") }
            guard weight > 0 else { throw fields.error("weight", "must be greater than 0, got \(weight)") }
            entry.weight = weight
        }
        for key in ["expected_ttft", "expected_time_to_solution"] {
            guard let expected = try fields.duration(key) else { continue }
            guard role == .agent else { throw fields.error(key, "only agents have expected times") }
            guard expected.seconds > 0 else { throw fields.error(key, "must be longer than zero") }
            if key == "expected_ttft" { entry.expectedTTFT = expected } else { entry.expectedTimeToSolution = expected }
        }
        if let swap = try fields.bool("swap") {
            guard role == .verifier else { throw fields.error("swap", "only verifiers review in swapped order") }
            entry.swap = swap
        }
        return entry
    }

    /// `sandbox: bwrap | none`.
    private static func readSandbox(_ fields: YAMLFields) throws -> SandboxMode? {
        guard let name = try fields.string("sandbox") else { return nil }
        guard let mode = SandboxMode(rawValue: name) else {
            throw fields.error("sandbox", "expected \"bwrap\" or \"none\", got \"\(name)\"")
        }
        return mode
    }

    /// `{name}` tokens in a command argument.
    private static func placeholders(in argument: String) -> [String] {
        var tokens: [String] = []
        var rest = Substring(argument)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            let inner = rest[rest.index(after: open)..<close]
            if !inner.isEmpty, inner.allSatisfy({ $0 == "_" || ($0.isASCII && $0.isLetter) }) {
                tokens.append("{\(inner)}")
            }
            rest = rest[rest.index(after: open)...]
        }
        return tokens
    }

    /// `env:` as a mapping (NAME: value) or a list of "NAME" (pass through) / "NAME=value" items.
    private static func readEnv(_ fields: YAMLFields) throws -> [EnvSetting] {
        guard let (keyNode, value) = fields.entry("env") else { return [] }
        let path = fields.fieldPath("env")
        let source = fields.source
        var settings: [EnvSetting] = []
        func checkName(_ name: String, _ node: Node, _ field: String) throws {
            guard EnvSetting.isValidName(name) else {
                throw source.error(node, field, "\"\(name)\" is not an environment variable name")
            }
            if settings.contains(where: { $0.name == name }) {
                throw source.error(node, field, "\(name) is set more than once")
            }
        }
        switch value {
        case .mapping:
            let map = try YAMLFields(value, path: path, source: source, keyNode: keyNode)
            for item in map.entries {
                let field = map.fieldPath(item.key)
                try checkName(item.key, item.keyNode, field)
                if item.value.isNull {
                    settings.append(.passThrough(name: item.key))
                } else {
                    let text = try YAMLFields.scalarString(item.value, keyNode: item.keyNode, field: field, source: source)
                    settings.append(.set(name: item.key, value: text))
                }
            }
        case let .sequence(items):
            for (index, item) in items.enumerated() {
                let field = "\(path)[\(index)]"
                guard case let .scalar(scalar) = item, !item.isNull else {
                    throw source.error(item, field, "expected \"NAME\" or \"NAME=value\", got \(item.userDescription)")
                }
                if let equals = scalar.string.firstIndex(of: "=") {
                    let name = String(scalar.string[..<equals])
                    try checkName(name, item, field)
                    settings.append(.set(name: name, value: String(scalar.string[scalar.string.index(after: equals)...])))
                } else {
                    try checkName(scalar.string, item, field)
                    settings.append(.passThrough(name: scalar.string))
                }
            }
        default:
            throw source.error(keyNode, path, "expected a mapping of NAME: value or a list of names, got \(value.userDescription)")
        }
        return settings
    }

    private static func readDefaults(_ fields: YAMLFields, verifierIDs: [String]) throws -> ConfigDefaults {
        try fields.rejectUnknownKeys(defaultsKeys)
        var defaults = ConfigDefaults()
        if let parallel = try fields.integer("parallel") {
            guard parallel >= 1 else { throw fields.error("parallel", "must be at least 1, got \(parallel)") }
            defaults.parallel = parallel
        }
        if let ids = try fields.stringList("verifiers") {
            let itemNodes = fields.entry("verifiers").flatMap { entry -> [Node]? in
                if case let .sequence(sequence) = entry.value { return Array(sequence) }
                return nil
            } ?? []
            for (index, id) in ids.enumerated() where !verifierIDs.contains(id) {
                let configured = verifierIDs.isEmpty ? "no verifiers are configured" : "configured: " + verifierIDs.joined(separator: ", ")
                throw fields.source.error(index < itemNodes.count ? itemNodes[index] : nil, "\(fields.fieldPath("verifiers"))[\(index)]",
                                          "unknown verifier \"\(id)\" (\(configured))")
            }
            defaults.verifiers = ids
        }
        if let root = try fields.string("worktree_root") {
            guard !root.isEmpty else { throw fields.error("worktree_root", "must not be empty") }
            defaults.worktreeRoot = root
        }
        if let budget = try fields.fields("budget") { defaults.budget = try BudgetSpec.read(budget) }
        if let preference = try fields.string("self_preference") {
            guard let value = SelfPreference(rawValue: preference) else {
                throw fields.error("self_preference", "expected \"exclude\" or \"allow\", got \"\(preference)\"")
            }
            defaults.selfPreference = value
        }
        if let flag = try fields.bool("review_checks") { defaults.reviewChecks = flag }
        if let policy = try fields.string("on_injection") {
            guard let value = InjectionPolicy(rawValue: policy) else {
                throw fields.error("on_injection", "expected \"flag\" or \"gate\", got \"\(policy)\"")
            }
            defaults.onInjection = value
        }
        if let timeout = try fields.duration("check_timeout") {
            guard timeout.seconds > 0 else { throw fields.error("check_timeout", "must be longer than zero") }
            defaults.checkTimeout = timeout
        }
        if let size = try fields.integer("pool_size") {
            guard size >= 0 else { throw fields.error("pool_size", "must be 0 (no pool) or more, got \(size)") }
            defaults.poolSize = size
        }
        if let flag = try fields.bool("pool_keep_ignored") { defaults.poolKeepIgnored = flag }
        if let flag = try fields.bool("keep_worktrees") { defaults.keepWorktrees = flag }
        if let mode = try readSandbox(fields) { defaults.sandbox = mode }
        if let flag = try fields.bool("check_network") { defaults.checkNetwork = flag }
        if let cap = try fields.integer("max_patch_bytes") {
            guard cap > 0 else { throw fields.error("max_patch_bytes", "must be greater than 0, got \(cap)") }
            defaults.maxPatchBytes = cap
        }
        return defaults
    }
}
