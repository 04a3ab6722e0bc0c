import Foundation

/// What a redaction replaced, by 1-based line of the text it was applied to (never the replaced words).
public struct RedactionNote: Equatable, Sendable {
    /// Why a line was changed.
    public enum Kind: String, Sendable {
        /// A `Co-Authored-By:` / `Signed-off-by:` trailer line.
        case trailer
        /// A tool signature line ("🤖 Generated with [Claude Code](…)").
        case generatorSignature = "generator_signature"
        /// An identity token (agent, model, harness, vendor) inside the line.
        case identityToken = "identity_token"
        /// A run id, branch name, worktree path or timestamp inside the line.
        case runDetail = "run_detail"
    }

    public var line: Int
    public var kind: Kind
    /// True when the line is a diff header naming a file path: the review copy then shows a
    /// renamed path, which a verifier should not read as a rename in the real patch.
    public var inPathHeader: Bool
}

/// A redacted review copy of some text plus what was changed.
public struct RedactedText: Equatable, Sendable {
    public var text: String
    public var notes: [RedactionNote]
    public var pathsChanged: Bool { notes.contains { $0.inPathHeader } }
}

/// Removes authorship marks from the *review copy* of a patch (the applied patch is never touched).
///
/// Line rules (keep the diff's +/-/space prefix and any comment leader, replace the rest by
/// `[redacted]`): `Co-Authored-By:` and `Signed-off-by:` trailers (whoever they name: in a blinded
/// review no one should be named), lines starting with 🤖, and "Generated with/by …" signatures that
/// are Markdown links or name a known coding agent or vendor.
/// Token rules: run details (literal substrings) and identity tokens (boundary-aware, see
/// `TermMatcher`) become `[redacted]` anywhere, including diff header paths — so `claude_notes.md`
/// reads `[redacted]_notes.md` in the review copy; such lines are noted (`inPathHeader`) and the
/// packet tells the verifier that paths may have been renamed there.
public struct Redactor: Sendable {
    public static let replacement = "[redacted]"

    private let identityTerms: [String]
    private let literalTerms: [String]

    /// - Parameters:
    ///   - identityTokens: every candidate's tokens (a diff may name another agent too).
    ///   - runDetails: run id, branch names, worktree paths, timestamps.
    public init(identityTokens: [String], runDetails: [String]) {
        identityTerms = IdentityTokens.normalized(identityTokens)
        literalTerms = runDetails
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
            .sorted { $0.count > $1.count }
    }

    private static let leader = #"^([+\- ]?)([ \t#/*>;%!-]*)"#
    private static let knownAgents =
        "claude|anthropic|codex|openai|chatgpt|gpt|gemini|google|aider|opencode|copilot|qwen|llama|deepseek|mistral|grok"
    private static let lineRules: [(NSRegularExpression, RedactionNote.Kind)] = {
        func rx(_ p: String) -> NSRegularExpression {
            // Patterns are constants; a failure here is a programming error caught by the tests.
            try! NSRegularExpression(pattern: p, options: [.caseInsensitive])
        }
        return [
            (rx(leader + #"(co-authored-by|signed-off-by)\s*:.*$"#), .trailer),
            (rx(leader + #"\x{1F916}.*$"#), .generatorSignature),
            (rx(leader + #"(generated|written|created|authored)\s+(with|by|using)\s+\[[^\]]*\]\([^)]*\).*$"#), .generatorSignature),
            (rx(leader + #"(generated|written|created|authored)\s+(with|by|using)\s+\[?(\#(knownAgents))\b.*$"#), .generatorSignature),
        ]
    }()

    /// Redacts `text` line by line; `text` itself (a value) is untouched.
    public func redact(_ text: String) -> RedactedText {
        var notes: [RedactionNote] = []
        // Leftmost match wins; at one position run details (which contain agent ids) beat identity
        // tokens, and longer tokens beat their prefixes.
        let kinds = literalTerms.map { _ in RedactionNote.Kind.runDetail } + identityTerms.map { _ in RedactionNote.Kind.identityToken }
        let terms = TermSet(literalTerms.map { TermMatcher(term: $0, mode: .literal) }
                            + identityTerms.map { TermMatcher(term: $0, mode: .identity) })
        // Split on the "\n" scalar: "\r\n" is a single Character, which Character-based splitting would not break.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        for (index, original) in lines.enumerated() {
            // Work without a CRLF's "\r" so line rules that rewrite the whole line keep the ending.
            let crlf = original.hasSuffix("\r")
            var line = crlf ? String(original.dropLast()) : original
            let isHeader = Redactor.isPathHeader(line)
            var lineKinds: [RedactionNote.Kind] = []
            let rules = Redactor.mayMatchLineRule(line) ? Redactor.lineRules : []
            for (rule, kind) in rules {
                let ns = line as NSString
                let range = NSRange(location: 0, length: ns.length)
                if let m = rule.firstMatch(in: line, range: range) {
                    let prefix = ns.substring(with: m.range(at: 1)) + ns.substring(with: m.range(at: 2))
                    line = prefix + Redactor.replacement
                    lineKinds.append(kind)
                    break
                }
            }
            let scalars = Array(line.unicodeScalars)
            let hits = terms.matches(in: scalars, folded: scalars.map(TermMatcher.fold))
            if !hits.isEmpty {
                line = Redactor.replacing(hits.map(\.range), in: scalars)
                lineKinds += hits.map { kinds[$0.matcher] }
            }
            var seen = Set<RedactionNote.Kind>()
            for kind in lineKinds where seen.insert(kind).inserted {
                notes.append(RedactionNote(line: index + 1, kind: kind, inPathHeader: isHeader))
            }
            lines[index] = crlf ? line + "\r" : line
        }
        return RedactedText(text: lines.joined(separator: "\n"), notes: notes)
    }

    /// Cheap byte-level pre-check so the regular expressions only run on lines that could match.
    static func mayMatchLineRule(_ line: String) -> Bool {
        let bytes = Array(line.utf8)
        if bytes.count >= 4 {
            for i in 0...(bytes.count - 4) where bytes[i] == 0xF0 && bytes[i + 1] == 0x9F && bytes[i + 2] == 0xA4 && bytes[i + 3] == 0x96 {
                return true   // 🤖
            }
        }
        return lineRuleKeywords.contains { containsASCIICaseInsensitive(bytes, $0) }
    }

    private static let lineRuleKeywords: [[UInt8]] = ["-by", "generated", "written", "created", "authored"].map { Array($0.utf8) }

    private static func containsASCIICaseInsensitive(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard hay.count >= needle.count else { return false }
        outer: for i in 0...(hay.count - needle.count) {
            for k in 0..<needle.count {
                var c = hay[i + k]
                if c >= 65 && c <= 90 { c += 32 }
                if c != needle[k] { continue outer }
            }
            return true
        }
        return false
    }

    /// `scalars` with each range replaced by `replacement`.
    private static func replacing(_ ranges: [Range<Int>], in scalars: [Unicode.Scalar]) -> String {
        var out = String.UnicodeScalarView()
        var cursor = 0
        for r in ranges {
            out.append(contentsOf: scalars[cursor..<r.lowerBound])
            out.append(contentsOf: replacement.unicodeScalars)
            cursor = r.upperBound
        }
        out.append(contentsOf: scalars[cursor...])
        return String(out)
    }

    /// Diff lines that carry file paths.
    static func isPathHeader(_ line: String) -> Bool {
        ["diff --git ", "--- ", "+++ ", "rename from ", "rename to ", "copy from ", "copy to ", "Binary files "]
            .contains { line.hasPrefix($0) }
    }
}
