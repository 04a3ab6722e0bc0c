/// What to do with one verifier reply under the rule "one retry with the error, then exclude".
public enum VerdictStep: Equatable, Sendable {
    /// The reply was valid; here it is in candidate ids.
    case accepted(MappedVerdict)
    /// Send `prompt` (it quotes `error`) as the next user message and evaluate the answer as attempt 2.
    case retry(prompt: String, error: VerdictError)
    /// Give up on this verifier for this run; `reason` is one line for the run record.
    case excluded(reason: String)
}

/// The retry policy for verdicts, kept pure so every verifier harness (chat API or CLI) shares it.
public enum VerdictRound {
    /// Evaluates `reply` as attempt `attempt` (1-based) for the verifier of `key`.
    public static func evaluate(reply: String, key: BlindingKey, attempt: Int) -> VerdictStep {
        switch VerdictParser.parse(text: reply, labels: key.labels) {
        case .success(let verdict):
            do {
                return .accepted(try MappedVerdict(verdict: verdict, key: key))
            } catch {
                return .excluded(reason: "verdict of \(key.verifierID) could not be mapped: \(error)")
            }
        case .failure(let error):
            if attempt <= 1 {
                return .retry(prompt: VerdictParser.retryPrompt(error: error, labels: key.labels), error: error)
            }
            return .excluded(reason: "malformed verdict from \(key.verifierID) after one retry: \(error)")
        }
    }
}
