import Foundation
import Testing
@testable import AgonCore

/// `../shared/data/litellm-model-prices.json` next to the package root, when present.
let sharedLiteLLMFile: String? = {
    // Resolve symlinks so a dev package that links this directory still finds the real tree.
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    for _ in 0..<3 { url.deleteLastPathComponent() }  // …/Tests/AgonCoreTests/X.swift → package root
    let path = url.deletingLastPathComponent().appendingPathComponent("shared/data/litellm-model-prices.json").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}()

@Suite struct PriceLookupTests {
    let table = PriceTable(source: "test", date: "2026-07-24", prices: [
        "claude-sonnet-4-5": ModelPrice(inputPerToken: 3e-6, outputPerToken: 15e-6, source: "t"),
        "gpt-4.1-2025-04-14": ModelPrice(inputPerToken: 2e-6, outputPerToken: 8e-6, source: "t"),
        "deepseek/deepseek-chat": ModelPrice(inputPerToken: 2.8e-7, outputPerToken: 4.2e-7, source: "t"),
        "openrouter/qwen/qwen3-coder": ModelPrice(inputPerToken: 2.2e-7, outputPerToken: 9.5e-7, source: "t"),
        "wandb/Qwen/Qwen3-Coder-Big": ModelPrice(inputPerToken: 1e-7, outputPerToken: 1e-7, source: "t"),
    ])

    @Test(arguments: [
        ("claude-sonnet-4-5", 3e-6),
        ("Claude-Sonnet-4-5", 3e-6),                       // case
        ("anthropic/claude-sonnet-4-5", 3e-6),             // provider prefix
        ("openrouter/anthropic/claude-sonnet-4-5", 3e-6),  // router + provider prefix
        ("claude-sonnet-4-5-20250929", 3e-6),              // query has a date, table does not
        ("gpt-4.1", 2e-6),                                 // table has a date, query does not
        ("openai/gpt-4.1-2025-04-14", 2e-6),
        ("deepseek-chat", 2.8e-7),                         // table has a vendor prefix
        ("qwen3-coder", 2.2e-7),                           // router/vendor prefix in the table
    ])
    func normalisedLookup(model: String, input: Double) throws {
        #expect(try #require(table.lookup(model: model)).inputPerToken == input)
    }

    @Test func unknownModelsAreUnpriced() {
        #expect(table.lookup(model: "claude-sonnet-9") == nil)
        #expect(table.lookup(model: "") == nil)
        // Third-party hosts are not aliased to bare names: their prices are not the vendor's.
        #expect(table.lookup(model: "qwen3-coder-big") == nil)
        #expect(table.lookup(model: "wandb/qwen/qwen3-coder-big") != nil)
    }

    @Test func mergingReplacesAndExtends() throws {
        let file = PriceTable(source: "prices.json", date: "2026-08-01", prices: [
            "CLAUDE-SONNET-4-5": ModelPrice(inputPerToken: 1e-6, outputPerToken: 2e-6, source: "prices.json"),
            "my-model": ModelPrice(inputPerToken: 5e-7, outputPerToken: 5e-7, source: "prices.json"),
        ])
        let merged = table.merging(file)
        #expect(merged.lookup(model: "claude-sonnet-4-5")?.inputPerToken == 1e-6)
        #expect(merged.lookup(model: "my-model")?.source == "prices.json")
        #expect(merged.lookup(model: "gpt-4.1")?.inputPerToken == 2e-6)
        #expect(merged.count == table.count + 1)
        #expect(merged.source == "test + prices.json")
        #expect(merged.date == "2026-08-01")
    }

    @Test func agentOverridesApplyLast() throws {
        let sonnet = AgentEntry(id: "s", harness: .claude, model: "claude-sonnet-4-5",
                                pricing: PriceOverride(outputPerToken: 10e-6))
        let price = try #require(table.price(for: sonnet))
        #expect(price.inputPerToken == 3e-6)
        #expect(price.outputPerToken == 10e-6)
        #expect(price.source == "t + agon.yml override")

        // An unpriced model needs both input and output rates to become priced.
        let local = AgentEntry(id: "l", harness: .command, model: "my-local", pricing: PriceOverride(inputPerToken: 1e-6))
        #expect(table.price(for: local) == nil)
        let localFull = AgentEntry(id: "l", harness: .command, model: nil, pricing: PriceOverride(inputPerToken: 1e-6, outputPerToken: 2e-6))
        #expect(table.price(for: localFull) == ModelPrice(inputPerToken: 1e-6, outputPerToken: 2e-6, source: "agon.yml override"))
    }

    @Test func builtInTableCarriesLiteLLMPrices() throws {
        let builtIn = PriceTable.builtIn
        #expect(builtIn.source == "LiteLLM model_prices_and_context_window.json, mirrored 2026-07-24")
        let sonnet = try #require(builtIn.lookup(model: "claude-sonnet-4-6"))
        #expect(sonnet == ModelPrice(inputPerToken: 3e-6, outputPerToken: 1.5e-5, cacheReadPerToken: 3e-7, cacheWritePerToken: 3.75e-6,
                                     source: "built-in (LiteLLM model_prices_and_context_window.json, mirrored 2026-07-24)"))
        for model in ["claude-opus-4-8", "claude-haiku-4-5-20251001", "gpt-5.3-codex", "gpt-5.4-mini", "o3", "o1-pro", "gpt-4.1",
                      "gemini-3-flash-preview", "gemini-2.5-pro", "deepseek-chat", "deepseek-reasoner", "qwen3-coder", "claude-opus-4"] {
            #expect(builtIn.lookup(model: model) != nil, "\(model)")
        }
        #expect(builtIn.lookup(model: "gemini-3-flash-preview")?.outputPerToken == 3e-6)
    }
}

@Suite struct LiteLLMLoadTests {
    @Test func loadsSaneEntriesAndRejectsAbsurdOnes() throws {
        let json = """
        {
          "sample_spec": { "mode": "chat", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0 },
          "last_updated": "2026-07-24T18:23:43+00:00",
          "good": { "mode": "chat", "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6,
                    "cache_read_input_token_cost": 1e-7, "cache_creation_input_token_cost": 1.25e-6, "supports_vision": true },
          "resp": { "mode": "responses", "input_cost_per_token": 0.00015, "output_cost_per_token": 0.0006 },
          "free-local": { "mode": "completion", "input_cost_per_token": 0, "output_cost_per_token": 0 },
          "embed": { "mode": "embedding", "input_cost_per_token": 1e-7, "output_cost_per_token": 0 },
          "no-output": { "mode": "chat", "input_cost_per_token": 1e-6 },
          "no-mode": { "input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6 },
          "weird-types": { "mode": "chat", "input_cost_per_token": "cheap", "output_cost_per_token": true },
          "absurd": { "mode": "chat", "input_cost_per_token": 0.1, "output_cost_per_token": 0.15 },
          "negative": { "mode": "chat", "input_cost_per_token": -1e-6, "output_cost_per_token": 1e-6 }
        }
        """
        let (table, rejected) = try PriceTable.loadingLiteLLM(data: Data(json.utf8), source: "prices.json")
        #expect(Set(table.prices.keys) == ["good", "resp", "free-local"])
        #expect(table.date == "2026-07-24")
        #expect(table.source == "prices.json")
        #expect(table.lookup(model: "good") == ModelPrice(inputPerToken: 1e-6, outputPerToken: 2e-6, cacheReadPerToken: 1e-7,
                                                          cacheWritePerToken: 1.25e-6, source: "prices.json"))
        #expect(rejected == [
            RejectedPrice(model: "absurd", reason: "input price $100000 per 1M tokens is above the $1,000 sanity bound"),
            RejectedPrice(model: "negative", reason: "negative input price"),
        ])
    }

    @Test func rejectsMalformedFiles() {
        #expect(throws: AgonInputError.self) { try PriceTable.loadingLiteLLM(data: Data("[1,2]".utf8), source: "p.json") }
        #expect(throws: AgonInputError.self) { try PriceTable.loadingLiteLLM(data: Data("{oops".utf8), source: "p.json") }
        #expect(throws: AgonInputError(file: "/nonexistent/p.json", message: "cannot read price file")) {
            try PriceTable.loadLiteLLM(path: "/nonexistent/p.json")
        }
    }

    @Test(.enabled(if: sharedLiteLLMFile != nil, "needs ../shared/data/litellm-model-prices.json"))
    func loadsTheSharedLiteLLMFile() throws {
        let path = try #require(sharedLiteLLMFile)
        let (table, rejected) = try PriceTable.loadLiteLLM(path: path)
        // 2,245 chat/completion/responses entries with both prices in the 2026-07-24 mirror, 16 of them absurd.
        #expect(table.count == 2245)
        #expect(rejected.count == 16)
        #expect(table.date == "2026-07-24")
        #expect(rejected.contains { $0.model == "wandb/Qwen/Qwen3-Coder-480B-A35B-Instruct" && $0.reason.contains("$100000 per 1M") })
        // Expensive but real models stay.
        #expect(table.lookup(model: "o1-pro")?.outputPerToken == 0.0006)
        let sonnet = try #require(table.lookup(model: "claude-sonnet-4-5-20250929"))
        #expect(sonnet.inputPerToken == 3e-6 && sonnet.outputPerToken == 1.5e-5)
        #expect(sonnet.cacheReadPerToken == 3e-7 && sonnet.cacheWritePerToken == 3.75e-6)
        // Every built-in row matches the file it was copied from.
        for (id, input, output, cacheRead, cacheWrite) in PriceTable.builtInRows {
            let price = try #require(table.prices[id], "\(id)")
            #expect(price.inputPerToken == input && price.outputPerToken == output, "\(id)")
            #expect(price.cacheReadPerToken == cacheRead && price.cacheWritePerToken == cacheWrite, "\(id)")
        }
        // A file merged over the built-ins extends them.
        let merged = PriceTable.builtIn.merging(table)
        #expect(merged.count == table.count)  // every built-in id is in the file
        #expect(merged.lookup(model: "claude-sonnet-4-6")?.source == path)  // the file replaces the built-in
        #expect(merged.source == "\(PriceTable.builtInSource) + \(path)")
    }
}

@Suite struct BudgetTests {
    let sonnet = ModelPrice(inputPerToken: 3e-6, outputPerToken: 15e-6, source: "t")
    let flash = ModelPrice(inputPerToken: 5e-7, outputPerToken: 3e-6, source: "t")

    @Test func defaultFormulaIsCappedAtFiftyCents() {
        // 0.003 × 64 + 0.015 × 32 = 0.672 → 0.50
        #expect(abs(BudgetResolver.formulaCap(for: sonnet) - 0.50) < 1e-12)
        let budget = BudgetResolver.resolve(price: sonnet)
        #expect(budget.maxCostUSD == 0.50)
        #expect(budget.origin == .defaultFormula)
        #expect(budget.enforceable && !budget.isTallyOnly)
        #expect(budget.hardTimeout == 600 && budget.silenceTimeout == 180)
    }

    @Test func cheapModelGetsTheFormulaValue() throws {
        // 0.0005 × 64 + 0.003 × 32 = 0.032 + 0.096 = 0.128
        let cap = try #require(BudgetResolver.resolve(price: flash).maxCostUSD)
        #expect(abs(cap - 0.128) < 1e-12)
    }

    @Test func precedenceIsSpecThenAgentThenDefaults() {
        let spec = BudgetSpec(maxCostUSD: 1.5)
        let agent = BudgetSpec(maxCostUSD: 2.0, hardTimeout: .minutes(30))
        let defaults = BudgetSpec(maxCostUSD: 3.0, hardTimeout: .minutes(40), silenceTimeout: .minutes(5))
        let all = BudgetResolver.resolve(spec: spec, agent: agent, defaults: defaults, price: sonnet)
        #expect(all.maxCostUSD == 1.5 && all.origin == .spec)
        #expect(all.hardTimeout == 1800 && all.hardTimeoutOrigin == .agent)
        #expect(all.silenceTimeout == 300 && all.silenceTimeoutOrigin == .defaults)

        let noSpec = BudgetResolver.resolve(spec: .empty, agent: agent, defaults: defaults, price: sonnet)
        #expect(noSpec.maxCostUSD == 2.0 && noSpec.origin == .agent)
        let onlyDefaults = BudgetResolver.resolve(defaults: defaults, price: sonnet)
        #expect(onlyDefaults.maxCostUSD == 3.0 && onlyDefaults.origin == .defaults)
        #expect(onlyDefaults.hardTimeout == 2400)
        let none = BudgetResolver.resolve(price: sonnet)
        #expect(none.hardTimeoutOrigin == .defaultFormula && none.silenceTimeoutOrigin == .defaultFormula)
    }

    @Test func zeroMeansTallyOnly() {
        let budget = BudgetResolver.resolve(spec: BudgetSpec(maxCostUSD: 0), agent: BudgetSpec(maxCostUSD: 2), price: sonnet)
        #expect(budget.isTallyOnly)
        #expect(budget.maxCostUSD == nil)
        #expect(!budget.enforceable)
        #expect(budget.origin == .spec)
    }

    @Test func unpricedModelsCannotBeEnforced() {
        let noCap = BudgetResolver.resolve(price: nil)
        #expect(noCap.maxCostUSD == nil && !noCap.enforceable && !noCap.isTallyOnly)
        let explicitCap = BudgetResolver.resolve(agent: BudgetSpec(maxCostUSD: 1), price: nil)
        #expect(explicitCap.maxCostUSD == 1)
        #expect(!explicitCap.enforceable)
        #expect(explicitCap.origin == .agent)
    }

    @Test func resolvesFromParsedSpecAndConfig() throws {
        let config = try Config.parse(yaml: """
        agents:
          sonnet: { harness: claude, model: claude-sonnet-4-6 }
          gpt: { harness: codex, model: gpt-5.3-codex, budget: { max_cost_usd: 2.0 } }
        defaults: { budget: { hard_timeout: 15m } }
        """)
        let spec = try Spec.parse(text: "---\nbudget: { hard_timeout: 20m }\n---\nDo it.", file: "s.md")
        let table = PriceTable.builtIn
        let gpt = try #require(config.agent("gpt"))
        let gptBudget = BudgetResolver.resolve(spec: spec.budget, agent: gpt.budget, defaults: config.defaults.budget,
                                               price: table.price(for: gpt))
        #expect(gptBudget.maxCostUSD == 2.0 && gptBudget.origin == .agent && gptBudget.hardTimeout == 1200)
        let sonnet = try #require(config.agent("sonnet"))
        let sonnetBudget = BudgetResolver.resolve(spec: spec.budget, agent: sonnet.budget, defaults: config.defaults.budget,
                                                  price: table.price(for: sonnet))
        #expect(sonnetBudget.maxCostUSD == 0.5 && sonnetBudget.origin == .defaultFormula)
    }
}
