import Foundation

/// One competitor or verifier from `agon.yml` (`agents:` or `verifiers:`), keyed by its id.
public struct AgentEntry: Equatable, Sendable {
    /// Which section of `agon.yml` an entry came from.
    public enum Role: String, Codable, Sendable { case agent, verifier }

    public var id: String
    public var role: Role
    public var harness: Harness
    public var model: String?
    /// CLI path; nil means `harness.defaultBinary` on PATH.
    public var binary: String?
    public var args: [String]
    public var env: [EnvSetting]
    public var budget: BudgetSpec
    public var pricing: PriceOverride?
    /// Harness `command` only: argv with `{prompt_file}`, `{prompt}`, `{worktree}` placeholders.
    public var command: [String]?
    /// Harness `openai` only.
    public var baseURL: String?
    /// Harness `openai` only: the variable holding the API key.
    public var apiKeyEnv: String?
    /// Verifier vote weight (> 0, default 1).
    public var weight: Double
    /// Explicit model family; nil means inferred (`resolvedFamily`).
    public var family: String?
    /// `sandbox:` override; nil = `defaults.sandbox`.
    public var sandbox: SandboxMode?
    /// `network: none` turns the network off inside its sandbox (default on: agents call their APIs).
    public var network: Bool = true
    /// Line of the entry's id in agon.yml, for later errors that concern this entry.
    public var line: Int?
    /// Verifiers only: review a second time with the candidates in reversed order and record how
    /// consistently the two rankings agree (`ReviewRecord.swapConsistency`).
    public var swap = false
    /// `expected_ttft`: advisory; a longer time to first output flags the candidate `slow`.
    public var expectedTTFT: AgonDuration?
    /// `expected_time_to_solution`: advisory; a longer run flags the candidate `slow`.
    public var expectedTimeToSolution: AgonDuration?

    public init(id: String, role: Role = .agent, harness: Harness, model: String? = nil, binary: String? = nil,
                args: [String] = [], env: [EnvSetting] = [], budget: BudgetSpec = .empty, pricing: PriceOverride? = nil,
                command: [String]? = nil, baseURL: String? = nil, apiKeyEnv: String? = nil, weight: Double = 1,
                family: String? = nil, line: Int? = nil) {
        self.id = id
        self.role = role
        self.harness = harness
        self.model = model
        self.binary = binary
        self.args = args
        self.env = env
        self.budget = budget
        self.pricing = pricing
        self.command = command
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.weight = weight
        self.family = family
        self.line = line
    }

    /// The executable to run: `binary`, else the harness's usual CLI name, else the command's argv[0].
    public var executable: String? { binary ?? harness.defaultBinary ?? command?.first }

    /// The model family used for self-preference: the `family` override or the inferred one.
    public var resolvedFamily: String? { family ?? ModelFamily.infer(harness: harness, model: model) }

    /// The extra variables this entry adds to its process environment: explicit values as given,
    /// pass-through names copied from `parent` when set there (silently absent otherwise).
    public func extraEnvironment(parent: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        for setting in env {
            switch setting {
            case let .set(name, value): out[name] = value
            case let .passThrough(name): if let value = parent[name] { out[name] = value }
            }
        }
        return out
    }

    /// Placeholders a `command` may use.
    public static let commandPlaceholders = ["{prompt_file}", "{prompt}", "{worktree}"]

    /// `command` with placeholders replaced (each argument is substituted, never re-split).
    public func expandedCommand(promptFile: String, prompt: String, worktree: String) -> [String]? {
        command?.map {
            $0.replacingOccurrences(of: "{prompt_file}", with: promptFile)
                .replacingOccurrences(of: "{worktree}", with: worktree)
                .replacingOccurrences(of: "{prompt}", with: prompt)
        }
    }
}

/// One `env:` item: a fixed value, or a variable passed through from Agon's own environment.
public enum EnvSetting: Equatable, Hashable, Sendable {
    case set(name: String, value: String)
    case passThrough(name: String)

    public var name: String {
        switch self {
        case let .set(name, _), let .passThrough(name): return name
        }
    }

    /// Whether `name` is a usable environment variable name (`[A-Za-z_][A-Za-z0-9_]*`).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

/// Rules for agent and verifier ids, which become git branch components and directory names.
public enum AgentID {
    /// Why `id` is unusable, or nil when it is fine: `[A-Za-z0-9][A-Za-z0-9._-]*`, and nothing git
    /// refuses in a ref component (`..`, a trailing `.` or `.lock`).
    public static func problem(with id: String) -> String? {
        let allowed = id.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-")
        }
        guard let first = id.unicodeScalars.first, allowed,
              first.properties.isAlphabetic || ("0"..."9").contains(first) else {
            return "invalid id \"\(id)\" (use letters, digits, '.', '_' and '-', starting with a letter or digit)"
        }
        if id.contains("..") || id.hasSuffix(".") || id.hasSuffix(".lock") {
            return "invalid id \"\(id)\" (git refuses \"..\", a trailing \".\" and a \".lock\" suffix in branch names)"
        }
        if id.count > 64 { return "id \"\(id)\" is longer than 64 characters" }
        return nil
    }

    public static func isValid(_ id: String) -> Bool { problem(with: id) == nil }
}
