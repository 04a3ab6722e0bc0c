import AgonCore
import Foundation

/// The outcome of one verifier's review through a chat-completions endpoint.
public struct VerifierReview: Equatable, Sendable {
    public var verifierID: String
    /// The mapped verdict, or why the verifier was excluded (malformed twice).
    public var verdict: MappedVerdict?
    public var exclusionReason: String?
    /// Usage summed over the attempts (normalised; see `ChatCompletion.usage`).
    public var usage: TokenUsage
    /// False if any attempt's response lacked usage (then `usage` is a lower bound).
    public var usageComplete: Bool
    /// Each raw reply text, in order (one or two).
    public var replies: [String]
    /// The model the server reported for the last reply.
    public var model: String
    public var responseFormat: ChatCompletion.ResponseFormat
}

extension OpenAIChatClient {
    /// Runs a whole review: sends the packet (with its verdict schema), applies `VerdictRound`
    /// (one retry quoting the error, then exclusion). Throws `OpenAIChatError` only for transport or
    /// HTTP failures; a malformed verdict is an exclusion, not an error.
    public func review(_ packet: ReviewPacket, model: String, maxTokens: Int? = nil) throws -> VerifierReview {
        let maxTokens = maxTokens ?? VerdictSchema.maxTokens(labelCount: packet.labels.count)
        var messages = packet.messages
        var usage = TokenUsage.zero
        var usageComplete = true
        var replies: [String] = []
        for attempt in 1...2 {
            let reply = try complete(ChatRequest(model: model, messages: messages, schema: packet.responseSchema, maxTokens: maxTokens))
            usage += reply.usage
            usageComplete = usageComplete && reply.usageReported
            replies.append(reply.content)
            func result(_ verdict: MappedVerdict?, _ reason: String?) -> VerifierReview {
                VerifierReview(verifierID: packet.verifierID, verdict: verdict, exclusionReason: reason, usage: usage,
                               usageComplete: usageComplete, replies: replies, model: reply.model, responseFormat: reply.responseFormat)
            }
            switch VerdictRound.evaluate(reply: reply.content, key: packet.key, attempt: attempt) {
            case .accepted(let verdict):
                return result(verdict, nil)
            case .excluded(let reason):
                return result(nil, reason)
            case .retry(let prompt, _):
                messages += [.assistant(reply.content), .user(prompt)]
            }
        }
        // evaluate() never asks for a retry on attempt 2, so the loop always returns.
        preconditionFailure("VerdictRound asked for a third attempt")
    }
}
