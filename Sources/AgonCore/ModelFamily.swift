import Foundation

/// Which vendor family a model belongs to, for self-preference rules and identity leak scans.
public enum ModelFamily {
    /// (substring of the bare model id, family), checked in order.
    static let markers: [(String, String)] = [
        ("claude", "anthropic"),
        ("gpt", "openai"), ("codex", "openai"), ("chatgpt", "openai"), ("davinci", "openai"),
        ("gemini", "google"), ("gemma", "google"),
        ("deepseek", "deepseek"),
        ("qwen", "qwen"), ("qwq", "qwen"),
        ("llama", "meta"),
        ("mistral", "mistral"), ("mixtral", "mistral"), ("codestral", "mistral"), ("devstral", "mistral"),
        ("magistral", "mistral"), ("ministral", "mistral"),
        ("grok", "xai"),
        ("kimi", "moonshot"), ("glm", "zhipu"),
    ]

    /// Vendor prefixes in model ids (`anthropic/…`, `openrouter/google/…`) that name a family outright.
    static let vendorPrefixes: [String: String] = [
        "anthropic": "anthropic", "openai": "openai", "gemini": "google", "google": "google",
        "deepseek": "deepseek", "dashscope": "qwen", "qwen": "qwen", "meta-llama": "meta",
        "mistral": "mistral", "mistralai": "mistral", "xai": "xai", "x-ai": "xai",
    ]

    /// The family of `model` run through `harness`: from the model id when given (known markers,
    /// then a vendor prefix, then the id's first word), else the vendor the harness implies
    /// (claude → anthropic, codex → openai, gemini → google); nil when nothing says.
    public static func infer(harness: Harness, model: String?) -> String? {
        if let model = model?.trimmingCharacters(in: .whitespaces).lowercased(), !model.isEmpty {
            let segments = model.split(separator: "/").map(String.init)
            let bare = segments.last ?? model
            if bare.range(of: #"^o[0-9]"#, options: .regularExpression) != nil { return "openai" }
            if let family = markers.first(where: { bare.contains($0.0) })?.1 { return family }
            if let family = segments.dropLast().compactMap({ vendorPrefixes[$0] }).last { return family }
            let word = bare.prefix { $0.isLetter }
            return word.isEmpty ? bare : String(word)
        }
        switch harness {
        case .claude: return "anthropic"
        case .codex: return "openai"
        case .gemini: return "google"
        default: return nil
        }
    }

    /// Names that would give away a family's vendor or products in a review packet.
    static let familyNames: [String: [String]] = [
        "anthropic": ["Anthropic", "Claude", "Sonnet", "Opus", "Haiku"],
        "openai": ["OpenAI", "GPT", "ChatGPT", "Codex"],
        "google": ["Google", "Gemini", "DeepMind", "Gemma"],
        "deepseek": ["DeepSeek"],
        "qwen": ["Qwen", "Alibaba", "Tongyi"],
        "meta": ["Llama"],
        "mistral": ["Mistral", "Codestral", "Devstral"],
        "xai": ["xAI", "Grok"],
        "moonshot": ["Moonshot", "Kimi"],
        "zhipu": ["Zhipu", "GLM"],
    ]

    /// Product names of the agent CLIs. `pi` and `command` are left out: they are ordinary words in
    /// code (`math.pi`, "command") and would flag nearly every diff.
    static let harnessNames: [Harness: [String]] = [
        .claude: ["Claude Code", "Claude"], .codex: ["Codex"], .gemini: ["Gemini CLI", "Gemini"],
        .opencode: ["OpenCode"], .aider: ["Aider"], .openai: ["OpenAI"],
    ]

    /// Strings that would identify `entry` to a verifier: its id, model id (with and without vendor
    /// prefix and date suffix), harness product names and its family's vendor/product names.
    /// Deduplicated case-insensitively, longest first (so scanners report the most specific match).
    public static func identityTokens(for entry: AgentEntry) -> [String] {
        var tokens: [String] = [entry.id]
        if let model = entry.model {
            tokens.append(model)
            let bare = model.split(separator: "/").last.map(String.init) ?? model
            tokens.append(bare)
            if let undated = PriceTable.removingDateSuffix(bare.lowercased()) { tokens.append(undated) }
        }
        if let binary = entry.binary, let name = binary.split(separator: "/").last {
            tokens.append(String(name))
        }
        tokens += harnessNames[entry.harness] ?? []
        if let family = entry.resolvedFamily {
            tokens += familyNames[family] ?? [family]
        }
        var seen: Set<String> = []
        let unique = tokens.filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
        return unique.sorted { ($0.count, $1) > ($1.count, $0) }
    }
}
