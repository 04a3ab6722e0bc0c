import Foundation
import Testing
@testable import AgonCore

@Suite struct ConfigTests {
    static let designExample = """
    agents:
      sonnet:   { harness: claude,   model: claude-sonnet-4-6 }
      gpt:      { harness: codex,    model: gpt-5.3-codex, budget: { max_cost_usd: 2.0 } }
      flash:    { harness: gemini,   model: gemini-3-flash-preview }
      local:    { harness: command,  command: ["./my-agent", "{prompt_file}"] }
    verifiers:
      judge-a:  { harness: claude,   model: claude-opus-4-8 }
      judge-b:  { harness: openai,   model: qwen3-coder, base_url: http://localhost:8080/v1 }
    defaults: { parallel: 4, verifiers: [judge-a, judge-b], worktree_root: worktrees }
    pricing:  { file: prices.json }   # optional; LiteLLM model_prices format
    """

    @Test func parsesTheDesignExample() throws {
        let config = try Config.parse(yaml: Self.designExample)
        #expect(config.agents.map(\.id) == ["sonnet", "gpt", "flash", "local"])
        #expect(config.agents.map(\.harness) == [.claude, .codex, .gemini, .command])
        #expect(config.agents.map(\.role) == [.agent, .agent, .agent, .agent])
        #expect(config.agents[0].model == "claude-sonnet-4-6")
        #expect(config.agents[0].line == 2)
        #expect(config.agents[1].budget == BudgetSpec(maxCostUSD: 2.0))
        #expect(config.agents[3].command == ["./my-agent", "{prompt_file}"])
        #expect(config.agents[3].executable == "./my-agent")
        #expect(config.verifiers.map(\.id) == ["judge-a", "judge-b"])
        #expect(config.verifiers.map(\.role) == [.verifier, .verifier])
        #expect(config.verifiers[1].baseURL == "http://localhost:8080/v1")
        #expect(config.verifiers[1].weight == 1)
        #expect(config.defaults.parallel == 4)
        #expect(config.defaults.verifiers == ["judge-a", "judge-b"])
        #expect(config.defaultVerifierIDs == ["judge-a", "judge-b"])
        #expect(config.defaults.worktreeRoot == "worktrees")
        #expect(config.defaults.selfPreference == .exclude)
        #expect(config.defaults.reviewChecks == true)
        #expect(config.defaults.checkTimeout == .minutes(10))
        #expect(config.defaults.poolSize == nil && config.defaults.effectivePoolSize == 4)
        #expect(config.defaults.poolKeepIgnored == false && config.defaults.keepWorktrees == true)
        #expect(config.pricing.file == "prices.json")
        #expect(config.file == "agon.yml")
    }

    @Test func orderIsFileOrderNotAlphabetical() throws {
        let config = try Config.parse(yaml: "agents:\n  zed: { harness: claude }\n  alpha: { harness: Codex }\n  mid: { harness: gemini }\n")
        #expect(config.agents.map(\.id) == ["zed", "alpha", "mid"])
        #expect(config.agents.map(\.harness) == [.claude, .codex, .gemini])
    }

    @Test func everyEntryField() throws {
        let yaml = """
        agents:
          full:
            harness: opencode
            model: anthropic/claude-sonnet-4-5
            binary: /opt/bin/opencode
            args: ["--verbose", 3]
            env: { ANTHROPIC_API_KEY: , MODE: fast }
            budget: { max_cost_usd: 0, hard_timeout: 1h30m, silence_timeout: 5m }
            pricing: { input_per_mtok: 3, output_per_token: 0.000015, cache_read_per_mtok: 0.3 }
            family: Anthropic
        verifiers:
          judge:
            harness: openai
            model: gpt-5.4-mini
            base_url: https://api.openai.com/v1
            api_key_env: OPENAI_API_KEY
            weight: 2.5
        defaults:
          parallel: 2
          worktree_root: .agon/wt
          budget: { max_cost_usd: 1, hard_timeout: 900 }
          self_preference: allow
          review_checks: false
          check_timeout: 2m
          pool_size: 0
          pool_keep_ignored: true
          keep_worktrees: false
        """
        let config = try Config.parse(yaml: yaml)
        let full = try #require(config.agent("full"))
        #expect(full.harness == .opencode)
        #expect(full.model == "anthropic/claude-sonnet-4-5")
        #expect(full.binary == "/opt/bin/opencode")
        #expect(full.executable == "/opt/bin/opencode")
        #expect(full.args == ["--verbose", "3"])
        #expect(full.env == [.passThrough(name: "ANTHROPIC_API_KEY"), .set(name: "MODE", value: "fast")])
        #expect(full.budget == BudgetSpec(maxCostUSD: 0, hardTimeout: .hours(1.5), silenceTimeout: .minutes(5)))
        #expect(full.pricing == PriceOverride(inputPerToken: 3 / 1_000_000.0, outputPerToken: 0.000015, cacheReadPerToken: 0.3 / 1_000_000.0))
        #expect(full.family == "anthropic")
        let judge = try #require(config.verifier("judge"))
        #expect(judge.apiKeyEnv == "OPENAI_API_KEY")
        #expect(judge.weight == 2.5)
        #expect(config.defaults.parallel == 2)
        #expect(config.defaults.verifiers == nil)
        #expect(config.defaultVerifierIDs == ["judge"])
        #expect(config.defaults.worktreeRoot == ".agon/wt")
        #expect(config.defaults.budget == BudgetSpec(maxCostUSD: 1, hardTimeout: AgonDuration(seconds: 900)))
        #expect(config.defaults.selfPreference == .allow)
        #expect(config.defaults.reviewChecks == false)
        #expect(config.defaults.checkTimeout == .minutes(2))
        #expect(config.defaults.poolSize == 0 && config.defaults.effectivePoolSize == 0)
        #expect(config.defaults.poolKeepIgnored && !config.defaults.keepWorktrees)
    }

    @Test func envListFormMixesPassThroughAndValues() throws {
        let config = try Config.parse(yaml: "agents:\n  a:\n    harness: claude\n    env: [ANTHROPIC_API_KEY, \"DEBUG=1\", \"EMPTY=\", \"URL=http://x/?a=b\"]\n")
        let entry = try #require(config.agent("a"))
        #expect(entry.env == [.passThrough(name: "ANTHROPIC_API_KEY"), .set(name: "DEBUG", value: "1"),
                              .set(name: "EMPTY", value: ""), .set(name: "URL", value: "http://x/?a=b")])
        let env = entry.extraEnvironment(parent: ["ANTHROPIC_API_KEY": "sk-1", "OPENAI_API_KEY": "sk-2"])
        #expect(env == ["ANTHROPIC_API_KEY": "sk-1", "DEBUG": "1", "EMPTY": "", "URL": "http://x/?a=b"])
        // A pass-through variable missing from the parent is simply absent.
        #expect(entry.extraEnvironment(parent: [:]) == ["DEBUG": "1", "EMPTY": "", "URL": "http://x/?a=b"])
    }

    @Test func missingOrEmptyFileIsEmptyConfig() throws {
        #expect(try Config.parse(yaml: "") == Config(file: "agon.yml"))
        #expect(try Config.parse(yaml: "# only a comment\n") == Config(file: "agon.yml"))
        #expect(Config.empty.agents.isEmpty && Config.empty.file == nil)
        #expect(Config.empty.defaults.parallel == 4)
    }

    @Test func commandExpansionSubstitutesEachArgument() throws {
        let config = try Config.parse(yaml: "agents:\n  me: { harness: command, command: [\"./run\", \"--in={prompt_file}\", \"{prompt}\", \"-C\", \"{worktree}\"] }\n")
        let entry = try #require(config.agent("me"))
        #expect(entry.expandedCommand(promptFile: "/tmp/p.md", prompt: "fix {worktree} bug", worktree: "/w/a")
            == ["./run", "--in=/tmp/p.md", "fix {worktree} bug", "-C", "/w/a"])
    }

    @Test(arguments: [
        ("agents:\n  gpt: { harness: foo }\n",
         "agon.yml:2: agents.gpt.harness: unknown harness \"foo\" (known: claude, codex, gemini, opencode, pi, aider, openai, command)"),
        ("agents:\n  gpt: { model: x }\n",
         "agon.yml:2: agents.gpt: missing required key \"harness\" (one of: claude, codex, gemini, opencode, pi, aider, openai, command)"),
        ("agents:\n  gpt:\n",
         "agon.yml:2: agents.gpt: needs at least a harness (e.g. { harness: claude, model: claude-sonnet-4-6 })"),
        ("agents:\n  a: { harness: claude }\n  a: { harness: codex }\n",
         "agon.yml:2: duplicate key \"a\" (each key may appear only once in a mapping)"),
        ("agents:\n  a: { harness: claude }\nverifiers:\n  a: { harness: codex }\n",
         "agon.yml:4: verifiers.a: id \"a\" is already an agent (line 2); ids must be unique across agents and verifiers"),
        ("agents:\n  \"bad id\": { harness: claude }\n",
         "agon.yml:2: agents.bad id: invalid id \"bad id\" (use letters, digits, '.', '_' and '-', starting with a letter or digit)"),
        ("agents:\n  a..b: { harness: claude }\n",
         "agon.yml:2: agents.a..b: invalid id \"a..b\" (git refuses \"..\", a trailing \".\" and a \".lock\" suffix in branch names)"),
        ("agents:\n  a: { harness: claude, budget: { max_cost_usd: -1 } }\n",
         "agon.yml:2: agents.a.budget.max_cost_usd: must be 0 (tally only) or more, got -1.0"),
        ("agents:\n  a:\n    harness: claude\n    budget:\n      hard_timeout: 10x\n",
         "agon.yml:5: agents.a.budget.hard_timeout: invalid duration \"10x\": unknown unit \"x\" (use h, m or s)"),
        ("agents:\n  a:\n    harness: claude\n    modle: x\n",
         "agon.yml:4: agents.a.modle: unknown key (did you mean \"model\"?); known keys: harness, model, binary, args, env, budget, pricing, command, base_url, api_key_env, weight, family, swap, sandbox, network, expected_ttft, expected_time_to_solution"),
        ("agents:\n  j: { harness: openai, model: gpt-5 }\n",
         "agon.yml:2: agents.j.harness: harness \"openai\" can only be a verifier (it cannot edit files)"),
        ("agents:\n  c: { harness: command }\n",
         "agon.yml:2: agents.c: harness \"command\" needs a command list, e.g. command: [\"./my-agent\", \"{prompt_file}\"]"),
        ("agents:\n  c: { harness: command, command: [\"./x\", \"{promptfile}\"] }\n",
         "agon.yml:2: agents.c.command: unknown placeholder {promptfile} (known: {prompt_file}, {prompt}, {worktree})"),
        ("agents:\n  c: { harness: claude, command: [x] }\n",
         "agon.yml:2: agents.c.command: only used by harness \"command\""),
        ("agents:\n  c: { harness: claude, base_url: http://x }\n",
         "agon.yml:2: agents.c.base_url: only used by harness \"openai\""),
        ("verifiers:\n  v: { harness: openai }\n",
         "agon.yml:2: verifiers.v: harness \"openai\" needs a model"),
        ("agents:\n  a: { harness: claude, weight: 2 }\n",
         "agon.yml:2: agents.a.weight: only verifiers have a weight"),
        ("verifiers:\n  v: { harness: claude, weight: 0 }\n",
         "agon.yml:2: verifiers.v.weight: must be greater than 0, got 0.0"),
        ("agents:\n  a: { harness: claude, args: --fast }\n",
         "agon.yml:2: agents.a.args: expected a list of strings, got \"--fast\""),
        ("agents:\n  a: { harness: claude, env: [\"1BAD=x\"] }\n",
         "agon.yml:2: agents.a.env[0]: \"1BAD\" is not an environment variable name"),
        ("agents:\n  a: { harness: claude, env: [X, \"X=1\"] }\n",
         "agon.yml:2: agents.a.env[1]: X is set more than once"),
        ("agents:\n  a: { harness: claude, env: X }\n",
         "agon.yml:2: agents.a.env: expected a mapping of NAME: value or a list of names, got \"X\""),
        ("agents:\n  a: { harness: claude, pricing: { input_per_mtok: 3, input_per_token: 0.000003 } }\n",
         "agon.yml:2: agents.a.pricing.input_per_mtok: set either input_per_token or input_per_mtok, not both"),
        ("agents:\n  a: { harness: claude, pricing: { input_per_mtok: -3 } }\n",
         "agon.yml:2: agents.a.pricing.input_per_mtok: must not be negative"),
        ("agents:\n  a: { harness: claude, pricing: { input: 3 } }\n",
         "agon.yml:2: agents.a.pricing.input: unknown key; known keys: input_per_token, input_per_mtok, output_per_token, output_per_mtok, cache_read_per_token, cache_read_per_mtok, cache_write_per_token, cache_write_per_mtok"),
        ("verifiers:\n  v: { harness: claude }\ndefaults:\n  verifiers:\n    - v\n    - w\n",
         "agon.yml:6: defaults.verifiers[1]: unknown verifier \"w\" (configured: v)"),
        ("defaults: { verifiers: [w] }\n",
         "agon.yml:1: defaults.verifiers[0]: unknown verifier \"w\" (no verifiers are configured)"),
        ("defaults: { parallel: 0 }\n", "agon.yml:1: defaults.parallel: must be at least 1, got 0"),
        ("defaults: { parallel: 2.5 }\n", "agon.yml:1: defaults.parallel: expected a whole number, got \"2.5\""),
        ("defaults: { self_preference: maybe }\n", "agon.yml:1: defaults.self_preference: expected \"exclude\" or \"allow\", got \"maybe\""),
        ("defaults: { on_injection: block }\n", "agon.yml:1: defaults.on_injection: expected \"flag\" or \"gate\", got \"block\""),
        ("agents:\n  a: { harness: claude, swap: true }\n", "agon.yml:2: agents.a.swap: only verifiers review in swapped order"),
        ("defaults: { review_checks: perhaps }\n", "agon.yml:1: defaults.review_checks: expected true or false, got \"perhaps\""),
        ("defaults: { pool_size: -1 }\n", "agon.yml:1: defaults.pool_size: must be 0 (no pool) or more, got -1"),
        ("defaults: { keep_worktrees: sometimes }\n", "agon.yml:1: defaults.keep_worktrees: expected true or false, got \"sometimes\""),
        ("defaults: { check_timeout: soon }\n", "agon.yml:1: defaults.check_timeout: invalid duration \"soon\": unit \"s\" has no number before it"),
        ("pricing: { path: x.json }\n", "agon.yml:1: pricing.path: unknown key; known keys: file"),
        ("agent:\n  a: { harness: claude }\n", "agon.yml:1: agent: unknown key (did you mean \"agents\"?); known keys: agents, verifiers, defaults, pricing, strategy, store, artifact_root, executor"),
        ("agents: [a, b]\n", "agon.yml:1: agents: expected a mapping, got a list"),
        ("agents:\n  a: { harness: claude\n", "agon.yml:3: invalid YAML: while parsing a flow mapping did not find expected ',' or '}'"),
    ])
    func validationErrorsAreOneLiners(yaml: String, message: String) {
        let error = #expect(throws: AgonInputError.self) { try Config.parse(yaml: yaml) }
        #expect(error?.description == message)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func loadsFromDiskAndNamesTheFile() throws {
        let path = NSTemporaryDirectory() + "agon-\(UUID().uuidString).yml"
        try Data("agents:\n  a: { harness: nope }\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: AgonInputError.self) { try Config.load(path: path, displayName: "agon.yml") }
        #expect(error?.file == "agon.yml")
        #expect(error?.line == 2)
        #expect(error?.field == "agents.a.harness")
    }
}
