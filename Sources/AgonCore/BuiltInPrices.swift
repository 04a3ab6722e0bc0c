import Foundation

/// Agon's built-in prices, copied from LiteLLM's price file for the well-known current models, so a
/// fresh install can price and cap the usual agents without any configuration.
extension PriceTable {
    public static let builtInSource = "LiteLLM model_prices_and_context_window.json, mirrored 2026-07-24"

    /// (model id, input, output, cache read, cache write), USD per token, exactly as LiteLLM lists them.
    static let builtInRows: [(String, Double, Double, Double?, Double?)] = [
        ("claude-opus-4-8", 5e-06, 2.5e-05, 5e-07, 6.25e-06),
        ("claude-opus-4-7", 5e-06, 2.5e-05, 5e-07, 6.25e-06),
        ("claude-opus-4-6", 5e-06, 2.5e-05, 5e-07, 6.25e-06),
        ("claude-opus-4-5", 5e-06, 2.5e-05, 5e-07, 6.25e-06),
        ("claude-opus-4-1", 1.5e-05, 7.5e-05, 1.5e-06, 1.875e-05),
        ("claude-opus-4-20250514", 1.5e-05, 7.5e-05, 1.5e-06, 1.875e-05),
        ("claude-sonnet-4-6", 3e-06, 1.5e-05, 3e-07, 3.75e-06),
        ("claude-sonnet-4-5", 3e-06, 1.5e-05, 3e-07, 3.75e-06),
        ("claude-sonnet-4-20250514", 3e-06, 1.5e-05, 3e-07, 3.75e-06),
        ("claude-haiku-4-5", 1e-06, 5e-06, 1e-07, 1.25e-06),
        ("gpt-5.6", 5e-06, 3e-05, 5e-07, 6.25e-06),
        ("gpt-5.6-terra", 2.5e-06, 1.5e-05, 2.5e-07, 3.125e-06),
        ("gpt-5.6-luna", 1e-06, 6e-06, 1e-07, 1.25e-06),
        ("gpt-5.5", 5e-06, 3e-05, 5e-07, nil),
        ("gpt-5.4", 2.5e-06, 1.5e-05, 2.5e-07, nil),
        ("gpt-5.4-mini", 7.5e-07, 4.5e-06, 7.5e-08, nil),
        ("gpt-5.4-nano", 2e-07, 1.25e-06, 2e-08, nil),
        ("gpt-5.3-codex", 1.75e-06, 1.4e-05, 1.75e-07, nil),
        ("gpt-5.2", 1.75e-06, 1.4e-05, 1.75e-07, nil),
        ("gpt-5.2-codex", 1.75e-06, 1.4e-05, 1.75e-07, nil),
        ("gpt-5.1", 1.25e-06, 1e-05, 1.25e-07, nil),
        ("gpt-5.1-codex", 1.25e-06, 1e-05, 1.25e-07, nil),
        ("gpt-5.1-codex-max", 1.25e-06, 1e-05, 1.25e-07, nil),
        ("gpt-5.1-codex-mini", 2.5e-07, 2e-06, 2.5e-08, nil),
        ("gpt-5", 1.25e-06, 1e-05, 1.25e-07, nil),
        ("gpt-5-codex", 1.25e-06, 1e-05, 1.25e-07, nil),
        ("gpt-5-mini", 2.5e-07, 2e-06, 2.5e-08, nil),
        ("gpt-5-nano", 5e-08, 4e-07, 5e-09, nil),
        ("gpt-4.1", 2e-06, 8e-06, 5e-07, nil),
        ("gpt-4.1-mini", 4e-07, 1.6e-06, 1e-07, nil),
        ("gpt-4.1-nano", 1e-07, 4e-07, 2.5e-08, nil),
        ("o3", 2e-06, 8e-06, 5e-07, nil),
        ("o3-pro", 2e-05, 8e-05, nil, nil),
        ("o4-mini", 1.1e-06, 4.4e-06, 2.75e-07, nil),
        ("o3-mini", 1.1e-06, 4.4e-06, 5.5e-07, nil),
        ("o1", 1.5e-05, 6e-05, 7.5e-06, nil),
        ("o1-pro", 0.00015, 0.0006, nil, nil),
        ("gemini/gemini-3.6-flash", 1.5e-06, 7.5e-06, 1.5e-07, nil),
        ("gemini/gemini-3.5-flash", 1.5e-06, 9e-06, 1.5e-07, nil),
        ("gemini/gemini-3.1-pro-preview", 2e-06, 1.2e-05, 2e-07, nil),
        ("gemini/gemini-3-pro-preview", 2e-06, 1.2e-05, 2e-07, nil),
        ("gemini/gemini-3-flash-preview", 5e-07, 3e-06, 5e-08, nil),
        ("gemini/gemini-3.1-flash-lite", 2.5e-07, 1.5e-06, 2.5e-08, nil),
        ("gemini/gemini-2.5-pro", 1.25e-06, 1e-05, 1.25e-07, nil),
        ("gemini/gemini-2.5-flash", 3e-07, 2.5e-06, 3e-08, nil),
        ("gemini/gemini-2.5-flash-lite", 1e-07, 4e-07, 1e-08, nil),
        ("deepseek/deepseek-chat", 2.8e-07, 4.2e-07, 2.8e-08, 0.0),
        ("deepseek/deepseek-reasoner", 2.8e-07, 4.2e-07, 2.8e-08, nil),
        ("deepseek/deepseek-v3.2", 2.8e-07, 4e-07, nil, nil),
        ("deepseek/deepseek-v4-pro", 4.35e-07, 8.7e-07, 3.625e-09, 0.0),
        ("deepseek/deepseek-v4-flash", 1.4e-07, 2.8e-07, 2.8e-09, 0.0),
        ("dashscope/qwen-max", 1.6e-06, 6.4e-06, nil, nil),
        ("dashscope/qwen-plus", 4e-07, 1.2e-06, nil, nil),
        ("dashscope/qwen-turbo", 5e-08, 2e-07, nil, nil),
        ("dashscope/qwen-coder", 3e-07, 1.5e-06, nil, nil),
        ("openrouter/qwen/qwen3-coder", 2.2e-07, 9.5e-07, nil, nil),
        ("openrouter/qwen/qwen3-coder-plus", 1e-06, 5e-06, nil, nil),
    ]

    /// The built-in table (Anthropic, OpenAI, Google, DeepSeek and Qwen models current in mid-2026).
    public static let builtIn: PriceTable = {
        let source = "built-in (\(builtInSource))"
        var prices: [String: ModelPrice] = [:]
        for (id, input, output, cacheRead, cacheWrite) in builtInRows {
            prices[id] = ModelPrice(inputPerToken: input, outputPerToken: output, cacheReadPerToken: cacheRead,
                                    cacheWritePerToken: cacheWrite, source: source)
        }
        return PriceTable(source: builtInSource, date: "2026-07-24", prices: prices)
    }()
}
