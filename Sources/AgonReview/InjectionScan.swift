import Foundation

/// A place in a candidate's patch that addresses the reviewers rather than the code.
public struct InjectionFlag: Equatable, Sendable {
    /// The kind of reviewer-directed text, by the rule that fired.
    public enum Rule: String, CaseIterable, Sendable {
        case instructions = "instructions to reviewers"
        case rankingDemand = "a demand about the ranking"
        case otherCandidates = "a claim about other candidates"
        case hiddenTests = "a claim about hidden tests"
        case fakeHeading = "a fake packet heading"
        case verdict = "an attempt to emit a verdict"
    }

    public var rule: Rule
    /// The file (new path) the line belongs to; nil before the first file header.
    public var file: String?
    /// 1-based line in the new version of `file`; nil when the flagged text is the file's name.
    public var line: Int?
    /// 1-based line in the patch text (for locating it in the review copy).
    public var patchLine: Int

    /// `src/a.swift:12: instructions to reviewers`.
    public var description: String {
        let place = [file ?? "(patch)", line.map(String.init)].compactMap { $0 }.joined(separator: ":")
        return "\(place): \(rule.rawValue)" + (line == nil && file != nil ? " (in the file name)" : "")
    }
}

/// Flags reviewer-directed text in a patch: in added lines and in the names of the files it
/// touches (removed and context lines are the base's text, not the candidate's).
///
/// Text is normalised first (NFKC, format characters removed, look-alike letters folded, case
/// folded, whitespace collapsed; file names also get `_ - . /` read as spaces), so the rules
/// cannot be dodged with the disguises `TextSkeleton` undoes. The rules are phrase patterns:
/// deliberately broad, since a flag only tells the verifiers (and the user) to look, unless
/// `on_injection: gate` is set.
public enum InjectionScanner {
    /// One phrase pattern: the rule it belongs to, the expression, and the literal words it needs
    /// (one of each group) — checked first on the line's bytes, because running every expression
    /// on every added line is what made the scan slow (NSRegularExpression, ~80 µs a call).
    private struct Pattern {
        var rule: InjectionFlag.Rule
        var regex: NSRegularExpression
        var needs: [[[UInt8]]]
    }

    private static let patterns: [Pattern] = {
        let reviewerWords = ["ai", "llm", "model", "assistant", "review", "verif", "judge", "evaluat", "grader", "panel"]
        let reviewer = #"(?:ai|llm|language model|model|assistant|reviewers?|verifiers?|judges?|evaluators?|graders?|panel)"#
        let patch = #"(?:candidate|patch|submission|solution|change|diff|implementation|pr|pull request)"#
        let table: [(InjectionFlag.Rule, String, [[String]])] = [
            (.instructions, #"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instructions?|prompts?|guidelines|directions)\b"#,
             [["ignore", "disregard", "forget", "override", "bypass"], ["instruction", "prompt", "guideline", "direction"]]),
            (.instructions, #"\b(?:system|important|urgent|admin|developer|security|priority)\s+(?:notice|message|instructions?|override|prompt|directive)\b"#,
             [["notice", "message", "instruction", "override", "prompt", "directive"]]),
            (.instructions, #"\b(?:dear|attention|note (?:to|for)|message (?:to|for)|hey|hello|instructions? (?:to|for))\s+(?:the\s+|all\s+|any\s+)?"# + reviewer + #"\b"#,
             [["dear", "attention", "note", "message", "hey", "hello", "instruction"], reviewerWords]),
            (.instructions, #"(?:^|[.!:]\s*)"# + reviewer + #"\s*(?::|,|must\b|should\b|shall\b|need to\b|are instructed\b|please\b)"#,
             [reviewerWords, [":", ",", "must", "should", "shall", "need to", "instructed", "please"]]),
            (.instructions, #"\byou are (?:now )?(?:a|an|the)\b.{0,30}\b"# + reviewer + #"\b"#, [["you are"], reviewerWords]),
            (.instructions, #"<\|im_start\|>|<\|im_end\|>|\[/?inst\]|<</?sys>>|<\|(?:system|assistant|user)\|>|^(?:system|assistant)\s*:"#,
             [["<|", "inst]", "sys>>", "system", "assistant"]]),
            (.rankingDemand, #"\b(?:rank|rate|score|place|put|choose|select|pick|prefer|recommend|approve|vote for)\b.{0,30}\b(?:this|me|mine|it|"# + patch + #")\b.{0,30}\b(?:first|highest|best|top|above|over|winner|#1|number one|apply)\b"#,
             [["rank", "rate", "score", "place", "put", "choose", "select", "pick", "prefer", "recommend", "approve", "vote"],
              ["first", "highest", "best", "top", "above", "over", "winner", "#1", "number one", "apply"]]),
            (.rankingDemand, #"\b(?:this|the best|"# + patch + #")\b.{0,20}\b(?:must|should|deserves? to|has to)\s+(?:be\s+)?(?:ranked|rated|placed|chosen|selected|picked|win|first|the winner)\b"#,
             [["must", "should", "deserve", "has to"], ["ranked", "rated", "placed", "chosen", "selected", "picked", "win", "first"]]),
            (.otherCandidates, #"\b(?:other|remaining|competing|rival|alternative)\s+(?:candidates?|patch(?:es)?|submissions?|solutions?|agents?|implementations?)\b"#,
             [["other", "remaining", "competing", "rival", "alternative"], ["candidate", "patch", "submission", "solution", "agent", "implementation"]]),
            (.otherCandidates, #"\bcandidates?\s+[a-z]{1,2}\s*(?:and\s+[a-z]{1,2}\s*)?(?:is|are|was|were|has|have|fails?|failed|breaks?|broke|should|must|will|does|did|cannot|can't)\b"#,
             [["candidate"]]),
            (.hiddenTests, #"\b(?:hidden|holdout|held[- ]out|secret|private|unseen)\s+(?:tests?|checks?|test[- ]?suite|suite|evaluation)\b"#,
             [["hidden", "holdout", "held", "secret", "private", "unseen"], ["test", "check", "suite", "evaluation"]]),
            (.hiddenTests, #"\bholdout\b"#, [["holdout"]]),
            (.fakeHeading, #"^#{1,6}\s*(?:candidate\b|your answer|review task|the task\b|base tree|acceptance commands|verdict|ranking)"#,
             [["#"], ["candidate", "your answer", "review task", "the task", "base tree", "acceptance commands", "verdict", "ranking"]]),
            (.fakeHeading, #"^(?:acceptance|holdout|scope|checks?|status|result)\s*:\s*(?:passed|failed|skipped|ok|pass|fail)\b"#,
             [[":"], ["acceptance", "holdout", "scope", "check", "status", "result"]]),
            (.fakeHeading, #"^(?:<<<|>>>|-{3,}|={3,})\s*(?:begin|end)\b.{0,20}\bcandidate\b|\buntrusted candidate\b"#, [["candidate"]]),
            (.verdict, #""?\branking"?\s*:\s*\["#, [["ranking"]]),
            (.verdict, #""?\brecommendation"?\s*:\s*"?(?:apply|revise|reject)\b"#, [["recommendation"]]),
        ]
        // The patterns are constants; a failure here is a programming error caught by the tests.
        return table.map { rule, pattern, needs in
            Pattern(rule: rule, regex: try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive, .anchorsMatchLines]),
                    needs: needs.map { $0.map { Array($0.utf8) } })
        }
    }()

    /// Whether `needle` occurs in `hay` (both lowercase bytes).
    private static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= hay.count, let first = needle.first else { return needle.isEmpty }
        return hay.withUnsafeBufferPointer { h in
            var i = 0
            let last = h.count - needle.count
            while i <= last {
                if h[i] == first {
                    var k = 1
                    while k < needle.count && h[i + k] == needle[k] { k += 1 }
                    if k == needle.count { return true }
                }
                i += 1
            }
            return false
        }
    }

    /// The rules that fire on any normalised variant of a line. The words a pattern needs are
    /// looked for once, in the full variant (the others are it minus leading comment marks).
    private static func rules(in variants: [String]) -> Set<InjectionFlag.Rule> {
        guard let full = variants.first else { return [] }
        let bytes = Array(full.utf8)
        var fired = Set<InjectionFlag.Rule>()
        for pattern in patterns where !fired.contains(pattern.rule) {
            guard pattern.needs.allSatisfy({ group in group.contains { contains(bytes, $0) } }) else { continue }
            for text in variants where pattern.regex.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count)) != nil {
                fired.insert(pattern.rule)
                break
            }
        }
        return fired
    }

    /// Results by patch text: the screen and every verifier's packet scan the same patches.
    private static let cache = ScanCache()

    /// Every flag in `patch`, one per line and rule, in patch order.
    public static func scan(patch: String) -> [InjectionFlag] {
        if let known = cache.get(patch) { return known }
        let flags = scanUncached(patch)
        cache.put(patch, flags)
        return flags
    }

    private static func scanUncached(_ patch: String) -> [InjectionFlag] {
        var out: [InjectionFlag] = []
        var file: String?
        var newLine = 0
        var inHunk = false
        for (index, raw) in patch.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            var text: String?
            var fileName = false
            if line.hasPrefix("diff --git ") {
                inHunk = false
                let path = line.range(of: " b/", options: .backwards).map { String(line[$0.upperBound...]) }
                file = path
                text = path
                fileName = true
            } else if !inHunk, line.hasPrefix("+++ ") || line.hasPrefix("rename to ") || line.hasPrefix("copy to ") {
                let path = line.hasPrefix("+++ ") ? String(line.dropFirst(4)) : String(line.drop { $0 != " " }.dropFirst().drop { $0 != " " }.dropFirst())
                let stripped = path.hasPrefix("b/") ? String(path.dropFirst(2)) : path
                if stripped != "/dev/null" { file = stripped }
                continue   // the name was scanned on the "diff --git" line
            } else if line.hasPrefix("@@ "), let (start, _) = hunkStart(line) {
                inHunk = true
                newLine = start
                continue
            } else if inHunk {
                if line.hasPrefix("+") {
                    text = String(line.dropFirst())
                    newLine += 1
                } else if line.hasPrefix(" ") || line.isEmpty {
                    newLine += 1
                } else if !line.hasPrefix("-") && !line.hasPrefix("\\") {
                    inHunk = false
                }
            }
            guard let candidateText = text, !candidateText.isEmpty else { continue }
            let fired = rules(in: normalise(candidateText, fileName: fileName))
            for rule in InjectionFlag.Rule.allCases where fired.contains(rule) {
                out.append(InjectionFlag(rule: rule, file: file, line: fileName ? nil : newLine - 1, patchLine: index + 1))
            }
        }
        return out
    }

    /// "@@ -a,b +c,d @@" → (c, d).
    private static func hunkStart(_ line: String) -> (Int, Int)? {
        let parts = line.split(separator: " ")
        guard parts.count >= 3, parts[2].hasPrefix("+") else { return nil }
        let body = parts[2].dropFirst()
        let pieces = body.split(separator: ",")
        guard let start = Int(pieces[0]) else { return nil }
        return (start, pieces.count > 1 ? Int(pieces[1]) ?? 1 : 1)
    }

    /// The line as the rules read it: as is, then with comment leaders stripped (so `// Reviewer: …`
    /// and `# Candidate B` read as prose and headings), then with `#` stripped too.
    /// Bytes that start comments or quotes and are stripped from a line's start (`#` separately).
    private static let commentLeaders: Set<UInt8> = Set("/*;>!-%'\" ".utf8)

    static func normalise(_ text: String, fileName: Bool) -> [String] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var lastSpace = true   // so leading whitespace is dropped
        func push(_ byte: UInt8) {
            let space = byte == 32 || byte == 9 || byte == 13 || byte == 11 || byte == 12
                || (fileName && (byte == 95 || byte == 45 || byte == 46 || byte == 47))   // _ - . /
            if space {
                if !lastSpace { out.append(32) }
                lastSpace = true
            } else {
                out.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
                lastSpace = false
            }
        }
        func push(_ scalar: Unicode.Scalar) {
            if scalar.value < 128 { return push(UInt8(scalar.value)) }
            if scalar.properties.isWhitespace { return push(UInt8(32)) }
            out.append(contentsOf: String(scalar).utf8)
            lastSpace = false
        }
        if text.utf8.allSatisfy({ $0 < 128 }) {
            for byte in text.utf8 { push(byte) }   // nearly every line of a patch: no NFKC or look-alikes to undo
        } else {
            for scalar in text.unicodeScalars {
                if scalar.value < 128 { push(UInt8(scalar.value)); continue }
                if TextSkeleton.isInvisible(scalar) { continue }
                if let latin = TextSkeleton.latinLookAlike(scalar) { push(latin.unicodeScalars.first!); continue }
                for s in String(scalar).precomposedStringWithCompatibilityMapping.lowercased().unicodeScalars { push(s) }
            }
        }
        if out.last == 32 { out.removeLast() }
        let leaders = commentLeaders
        let stripped = out.drop { leaders.contains($0) }
        let noHash = stripped.drop { leaders.contains($0) || $0 == UInt8(ascii: "#") }
        var variants: [String] = []
        for v in [out[...], stripped, noHash] {   // the full one first
            let text = String(decoding: v, as: UTF8.self)
            if !variants.contains(text) { variants.append(text) }
        }
        return variants
    }
}

/// A small lock-protected memo of scan results (cleared when it reaches 64 patches).
private final class ScanCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: [InjectionFlag]] = [:]

    func get(_ patch: String) -> [InjectionFlag]? {
        lock.lock(); defer { lock.unlock() }
        return entries[patch]
    }

    func put(_ patch: String, _ flags: [InjectionFlag]) {
        lock.lock(); defer { lock.unlock() }
        if entries.count >= 64 { entries.removeAll() }
        entries[patch] = flags
    }
}
