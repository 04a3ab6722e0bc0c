/// Recognises provider failures (rate limit, auth, quota, overload) in agent error text or stderr.
public enum APIErrorClassifier {
    // Checked in order: quota before rate limit ("RESOURCE_EXHAUSTED" / "insufficient_quota" often
    // arrive with a 429), auth before generic text.
    private static let rules: [(APIErrorKind, [String])] = [
        (.quota, ["insufficient_quota", "exceeded your current quota", "quota exceeded", "credit balance is too low",
                  "usage limit has been reached", "usage limit reached", "billing", "payment required",
                  "resource_exhausted", "out of credits", "insufficient credits", "spending limit"]),
        (.auth, ["invalid api key", "invalid_api_key", "invalid x-api-key", "incorrect api key", "authentication_error",
                 "authentication failed", "unauthorized", "not authenticated", "please run /login",
                 "api key not valid", "permission_denied", "403 forbidden", "oauth token has expired", "invalid bearer token"]),
        (.overloaded, ["overloaded", "503 service unavailable", "server is busy", "model is currently overloaded"]),
        (.rateLimit, ["rate limit", "rate_limit", "ratelimit", "rate-limit", "too many requests", "retry after"]),
    ]

    // HTTP status codes count only as whole words ("429", "status 401"), not inside "14290 tokens" or "401k".
    private static let statusCodes: [(APIErrorKind, String)] = [(.auth, "401"), (.overloaded, "529"), (.rateLimit, "429")]

    /// The kind of API failure `text` describes, or nil when it does not look like one.
    public static func classify(text: String) -> APIErrorKind? {
        let lower = text.lowercased()
        for (kind, needles) in rules where needles.contains(where: { lower.contains($0) }) {
            return kind
        }
        for (kind, code) in statusCodes where containsWholeNumber(code, in: lower) {
            return kind
        }
        return nil
    }

    private static func containsWholeNumber(_ number: String, in text: String) -> Bool {
        let bytes = Array(text.utf8), needle = Array(number.utf8)
        guard bytes.count >= needle.count else { return false }
        func isWordByte(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 || b >= 0x61 && b <= 0x7A }
        for start in 0...(bytes.count - needle.count) where bytes[start..<start + needle.count].elementsEqual(needle) {
            let before = start == 0 || !isWordByte(bytes[start - 1])
            let after = start + needle.count == bytes.count || !isWordByte(bytes[start + needle.count])
            if before && after { return true }
        }
        return false
    }

    /// An `.apiError` event for `text` when it is recognised.
    static func event(for text: String) -> AgentEvent? {
        guard let kind = classify(text: text) else { return nil }
        return .apiError(kind: kind, message: String(text.prefix(500)))
    }
}
