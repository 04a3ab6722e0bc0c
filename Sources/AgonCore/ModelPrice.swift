import Foundation

/// USD prices per token for one model. Cache rates fall back to the input rate when unknown.
public struct ModelPrice: Codable, Equatable, Sendable {
    public var inputPerToken: Double
    public var outputPerToken: Double
    public var cacheReadPerToken: Double?
    public var cacheWritePerToken: Double?
    /// Where this price came from ("built-in 2026-11", a LiteLLM file path, "agon.yml override").
    public var source: String

    public init(inputPerToken: Double, outputPerToken: Double, cacheReadPerToken: Double? = nil,
                cacheWritePerToken: Double? = nil, source: String) {
        self.inputPerToken = inputPerToken
        self.outputPerToken = outputPerToken
        self.cacheReadPerToken = cacheReadPerToken
        self.cacheWritePerToken = cacheWritePerToken
        self.source = source
    }

    /// Cost in USD of normalised usage (`TokenUsage.input` is uncached input; reasoning bills as output).
    public func cost(of usage: TokenUsage) -> Double {
        Double(usage.input) * inputPerToken
            + Double(usage.cachedInput) * (cacheReadPerToken ?? inputPerToken)
            + Double(usage.cacheWrite) * (cacheWritePerToken ?? inputPerToken)
            + Double(usage.output + usage.reasoning) * outputPerToken
    }

    enum CodingKeys: String, CodingKey {
        case inputPerToken = "input_per_token", outputPerToken = "output_per_token"
        case cacheReadPerToken = "cache_read_per_token", cacheWritePerToken = "cache_write_per_token"
        case source
    }
}
