import Foundation

/// A verifier's advice on one candidate.
public enum Recommendation: String, Codable, CaseIterable, Sendable {
    case apply, revise, reject
}

/// A verifier's notes on one candidate (all advisory; the ranking is what is merged).
public struct CandidateNote: Codable, Equatable, Sendable {
    public var summary: String
    public var risks: String
    public var recommendation: Recommendation

    public init(summary: String, risks: String, recommendation: Recommendation) {
        self.summary = summary
        self.risks = risks
        self.recommendation = recommendation
    }
}

/// A validated verdict in blinded terms: bare labels ("A", "B", …), best first.
public struct Verdict: Equatable, Sendable {
    /// Every label of the packet exactly once, best first.
    public var ranking: [String]
    /// Notes by bare label; a label may lack notes.
    public var notes: [String: CandidateNote]

    public init(ranking: [String], notes: [String: CandidateNote]) {
        self.ranking = ranking
        self.notes = notes
    }
}

/// Why a verifier's reply could not be used; `description` is one line, quoted in the retry prompt.
public enum VerdictError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case noJSONObject
    case truncatedJSON
    case missingRanking
    case rankingNotAList
    case unknownLabel(String, field: String, expected: [String])
    case duplicateLabel(String, field: String)
    case missingLabels([String], expected: [String])
    case candidatesNotAnObject
    case badRecommendation(label: String, value: String)

    public var description: String {
        switch self {
        case .noJSONObject:
            return "the reply contains no JSON object"
        case .truncatedJSON:
            return "the reply's JSON object is not closed (it looks truncated)"
        case .missingRanking:
            return "the JSON object has no \"ranking\" field"
        case .rankingNotAList:
            return "\"ranking\" must be a list of candidate labels"
        case let .unknownLabel(label, field, expected):
            return "\(field) names unknown label \"\(label)\" (labels are \(expected.joined(separator: ", ")))"
        case let .duplicateLabel(label, field):
            return "\(field) lists \(label) more than once"
        case let .missingLabels(missing, expected):
            return "\"ranking\" is missing \(missing.joined(separator: ", ")) (rank all \(expected.count): \(expected.joined(separator: ", ")))"
        case .candidatesNotAnObject:
            return "\"candidates\" must be an object keyed by label"
        case let .badRecommendation(label, value):
            return "candidates.\(label).recommendation is \(value), expected \"apply\", \"revise\" or \"reject\""
        }
    }

    public var errorDescription: String? { description }
}

/// The verdict format, for prompts and for OpenAI `response_format: json_schema`.
///
/// ```json
/// {"ranking": ["B", "A", "C"],
///  "candidates": {"A": {"summary": "…", "risks": "…", "recommendation": "revise"}, …}}
/// ```
/// - `ranking`: every label exactly once, best first; "B" and "Candidate B" are both accepted.
/// - `candidates`: optional notes per label; a present note must carry `recommendation`
///   (`apply` | `revise` | `reject`); `summary` and `risks` are free text (default "").
public enum VerdictSchema {
    public static let name = "agon_verdict"

    /// JSON Schema for these labels. Strict-mode friendly: every property required,
    /// `additionalProperties: false`, labels listed explicitly (no min/maxItems, which some servers reject).
    public static func schema(labels: [String]) -> [String: Any] {
        let note: [String: Any] = [
            "type": "object",
            "properties": [
                "summary": ["type": "string"],
                "risks": ["type": "string"],
                "recommendation": ["type": "string", "enum": Recommendation.allCases.map(\.rawValue)],
            ],
            "required": ["summary", "risks", "recommendation"],
            "additionalProperties": false,
        ]
        var noteProps: [String: Any] = [:]
        for l in labels { noteProps[l] = note }
        return [
            "type": "object",
            "properties": [
                "ranking": ["type": "array", "items": ["type": "string", "enum": labels]],
                "candidates": [
                    "type": "object",
                    "properties": noteProps,
                    "required": labels,
                    "additionalProperties": false,
                ],
            ],
            "required": ["ranking", "candidates"],
            "additionalProperties": false,
        ]
    }

    /// The schema as compact JSON with sorted keys (stable bytes for packets and tests).
    public static func schemaJSON(labels: [String]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: schema(labels: labels), options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// `max_tokens` for a verdict on `labelCount` candidates: room for a few sentences of notes per
    /// candidate and the ranking, so a small local model cannot ramble on to its context limit.
    public static func maxTokens(labelCount: Int) -> Int {
        min(16_384, 1_024 + 512 * max(1, labelCount))
    }

    /// A filled-in example for the prompt.
    public static func example(labels: [String]) -> String {
        let ranked = labels.map { "\"\($0)\"" }.joined(separator: ", ")
        let notes = labels.map {
            "    \"\($0)\": {\"summary\": \"what it does\", \"risks\": \"what could go wrong\", \"recommendation\": \"apply|revise|reject\"}"
        }.joined(separator: ",\n")
        return "{\n  \"ranking\": [\(ranked)],\n  \"candidates\": {\n\(notes)\n  }\n}"
    }
}

/// Turns a verifier's raw reply into a validated `Verdict`.
public enum VerdictParser {
    /// Parses `text` for the packet's `labels` (bare or "Candidate X" form).
    /// Tolerates prose around the JSON and ```json fences: the first balanced `{…}` that parses as a
    /// JSON object with a "ranking" field (directly or one level down) is used, else the first
    /// that parses at all.
    public static func parse(text: String, labels: [String]) -> Result<Verdict, VerdictError> {
        let expected = labels.compactMap(CandidateLabel.normalize)
        let root: [String: Any]
        switch extractObject(from: text) {
        case .success(let object): root = object
        case .failure(let error): return .failure(error)
        }
        guard let rankingValue = root["ranking"] else { return .failure(.missingRanking) }
        guard let rawRanking = rankingValue as? [Any] else { return .failure(.rankingNotAList) }

        let known = Set(expected)
        var ranking: [String] = []
        for item in rawRanking {
            guard let s = item as? String else { return .failure(.unknownLabel("\(item)", field: "\"ranking\"", expected: expected)) }
            guard let label = CandidateLabel.normalize(s), known.contains(label) else {
                return .failure(.unknownLabel(s, field: "\"ranking\"", expected: expected))
            }
            if ranking.contains(label) { return .failure(.duplicateLabel(label, field: "\"ranking\"")) }
            ranking.append(label)
        }
        let missing = expected.filter { !ranking.contains($0) }
        if !missing.isEmpty { return .failure(.missingLabels(missing, expected: expected)) }

        var notes: [String: CandidateNote] = [:]
        if let candidatesValue = root["candidates"], !(candidatesValue is NSNull) {
            guard let candidates = candidatesValue as? [String: Any] else { return .failure(.candidatesNotAnObject) }
            for key in candidates.keys.sorted() {
                guard let label = CandidateLabel.normalize(key), known.contains(label) else {
                    return .failure(.unknownLabel(key, field: "\"candidates\"", expected: expected))
                }
                if notes[label] != nil { return .failure(.duplicateLabel(label, field: "\"candidates\"")) }
                guard let body = candidates[key] as? [String: Any] else {
                    return .failure(.badRecommendation(label: label, value: "missing (the note is not an object)"))
                }
                guard let rawRec = body["recommendation"] as? String else {
                    return .failure(.badRecommendation(label: label, value: "missing"))
                }
                guard let rec = Recommendation(rawValue: rawRec.trimmingCharacters(in: .whitespaces).lowercased()) else {
                    return .failure(.badRecommendation(label: label, value: "\"\(rawRec)\""))
                }
                notes[label] = CandidateNote(summary: noteText(body["summary"]), risks: noteText(body["risks"]), recommendation: rec)
            }
        }
        return .success(Verdict(ranking: ranking, notes: notes))
    }

    /// The follow-up message for the single retry: quotes the error and restates the format.
    public static func retryPrompt(error: VerdictError, labels: [String]) -> String {
        let bare = labels.compactMap(CandidateLabel.normalize)
        return """
        Your previous reply could not be used: \(error.description).
        Reply again with ONLY a JSON object, no prose and no code fences. "ranking" must list every label \
        exactly once, best first: \(bare.joined(separator: ", ")). Each entry of "candidates" needs \
        "summary", "risks" and "recommendation" ("apply", "revise" or "reject"). Format:
        \(VerdictSchema.example(labels: bare))
        """
    }

    private static func noteText(_ value: Any?) -> String {
        switch value {
        case let s as String: return s
        case let list as [Any]: return list.map { "\($0)" }.joined(separator: "; ")
        case nil, is NSNull: return ""
        default: return "\(value!)"
        }
    }

    /// Upper bounds that keep extraction linear-ish on hostile replies.
    static let maxAttempts = 256
    static let maxBytes = 2_000_000

    /// The first balanced JSON object in `text` that parses, preferring one with a "ranking" field.
    static func extractObject(from text: String) -> Result<[String: Any], VerdictError> {
        let bytes = Array(text.utf8.prefix(maxBytes))
        var firstParsed: [String: Any]?
        var sawUnclosed = false
        var attempts = 0
        var start = 0
        while start < bytes.count, attempts < maxAttempts {
            guard let open = bytes[start...].firstIndex(of: UInt8(ascii: "{")) else { break }
            attempts += 1
            if let close = balancedEnd(bytes, from: open) {
                let slice = Data(bytes[open...close])
                if let object = (try? JSONSerialization.jsonObject(with: slice)) as? [String: Any] {
                    if object["ranking"] != nil { return .success(object) }
                    // A wrapped verdict ({"verdict": {"ranking": …}}) is unwrapped one level.
                    if let inner = object.values.compactMap({ $0 as? [String: Any] }).first(where: { $0["ranking"] != nil }) {
                        return .success(inner)
                    }
                    if firstParsed == nil { firstParsed = object }
                    start = close + 1   // skip past a parsed object rather than into it
                    continue
                }
            } else {
                sawUnclosed = true
            }
            start = open + 1
        }
        // An unclosed brace means the real answer was cut off; inner objects that did parse are its debris.
        if sawUnclosed { return .failure(.truncatedJSON) }
        if let object = firstParsed { return .success(object) }
        return .failure(.noJSONObject)
    }

    /// Index of the `}` closing the `{` at `open`, skipping braces inside JSON strings.
    private static func balancedEnd(_ b: [UInt8], from open: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var i = open
        while i < b.count {
            let c = b[i]
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") {
                depth += 1
            } else if c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }
}
