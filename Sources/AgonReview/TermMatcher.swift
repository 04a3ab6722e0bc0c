/// Finds occurrences of a sensitive term in text, case-insensitively, by Unicode scalar offsets.
///
/// Two modes:
/// - `.identity` (agent, model, vendor names): boundary-aware so ordinary words survive.
///   Terms shorter than 3 scalars match only as whole words (`pi` never inside `pipeline` or
///   `pi_value`). Longer terms must not continue a word on either side, except across a camelCase
///   hump (`Claude` in `ClaudeClient`, `Gemini` in `useGemini`) or an underscore/hyphen/digit
///   (`claude_notes.md`, `gpt4`): those are how names get glued into identifiers.
/// - `.literal` (run ids, branch names, paths, timestamps, holdout text): any substring.
struct TermMatcher {
    enum Mode { case identity, literal }

    let term: String
    let mode: Mode
    private let folded: [UInt32]

    init(term: String, mode: Mode) {
        self.term = term
        self.mode = mode
        self.folded = term.unicodeScalars.map(TermMatcher.fold)
    }

    /// Non-overlapping matches, left to right, as scalar-offset ranges into `scalars`.
    func ranges(in scalars: [Unicode.Scalar], folded text: [UInt32]) -> [Range<Int>] {
        let n = folded.count
        guard n > 0, text.count >= n else { return [] }
        var out: [Range<Int>] = []
        var i = 0
        let first = folded[0]
        while i <= text.count - n {
            if text[i] == first, matchesBody(text, at: i), boundaryOK(scalars, start: i, end: i + n) {
                out.append(i..<(i + n))
                i += n
            } else {
                i += 1
            }
        }
        return out
    }

    /// Convenience for one string.
    func ranges(in text: String) -> [Range<Int>] {
        let scalars = Array(text.unicodeScalars)
        return ranges(in: scalars, folded: scalars.map(TermMatcher.fold))
    }

    /// Whether the term occurs at scalar offset `i` (boundaries included).
    func matches(_ scalars: [Unicode.Scalar], folded text: [UInt32], at i: Int) -> Bool {
        let n = folded.count
        return n > 0 && i + n <= text.count && text[i] == folded[0] && matchesBody(text, at: i)
            && boundaryOK(scalars, start: i, end: i + n)
    }

    var length: Int { folded.count }
    var firstFolded: UInt32? { folded.first }

    private func matchesBody(_ text: [UInt32], at i: Int) -> Bool {
        for k in 1..<folded.count where text[i + k] != folded[k] { return false }
        return true
    }

    private func boundaryOK(_ s: [Unicode.Scalar], start: Int, end: Int) -> Bool {
        guard mode == .identity else { return true }
        let before: Unicode.Scalar? = start > 0 ? s[start - 1] : nil
        let after: Unicode.Scalar? = end < s.count ? s[end] : nil
        if folded.count < 3 {
            return !TermMatcher.isWordish(before) && !TermMatcher.isWordish(after)
        }
        let leftOK: Bool = {
            guard let b = before, b.properties.isAlphabetic else { return true }
            if !s[start].properties.isAlphabetic { return true }
            // camelCase hump: "useGemini"
            return b.properties.isLowercase && s[start].properties.isUppercase
        }()
        let rightOK: Bool = {
            guard let a = after, a.properties.isAlphabetic else { return true }
            if !s[end - 1].properties.isAlphabetic { return true }
            // camelCase hump: "ClaudeClient"
            return s[end - 1].properties.isLowercase && a.properties.isUppercase
        }()
        return leftOK && rightOK
    }

    static func isWordish(_ s: Unicode.Scalar?) -> Bool {
        guard let s else { return false }
        return s.properties.isAlphabetic || s.properties.numericType != nil || s == "_"
    }

    /// Simple case fold: ASCII fast path, otherwise the scalar's lowercase mapping when it is one scalar.
    static func fold(_ s: Unicode.Scalar) -> UInt32 {
        let v = s.value
        if v < 128 { return (v >= 65 && v <= 90) ? v + 32 : v }
        let lower = s.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first!.value : v
    }
}

/// 1-based line of a scalar offset, for error messages.
func lineNumber(ofScalarOffset offset: Int, in scalars: [Unicode.Scalar]) -> Int {
    var line = 1
    for i in 0..<min(offset, scalars.count) where scalars[i] == "\n" { line += 1 }
    return line
}

/// Several terms searched in one pass, bucketed by first (folded) scalar.
struct TermSet {
    let matchers: [TermMatcher]
    private let byFirst: [UInt32: [Int]]

    /// `matchers` in priority order: at one position the first that matches wins.
    init(_ matchers: [TermMatcher]) {
        self.matchers = matchers
        var buckets: [UInt32: [Int]] = [:]
        for (i, m) in matchers.enumerated() {
            if let f = m.firstFolded { buckets[f, default: []].append(i) }
        }
        byFirst = buckets
    }

    /// Leftmost non-overlapping matches, each with the index of the matcher that made it.
    func matches(in scalars: [Unicode.Scalar], folded: [UInt32]) -> [(range: Range<Int>, matcher: Int)] {
        var out: [(range: Range<Int>, matcher: Int)] = []
        var i = 0
        while i < folded.count {
            if let bucket = byFirst[folded[i]],
               let hit = bucket.first(where: { matchers[$0].matches(scalars, folded: folded, at: i) }) {
                out.append((i..<(i + matchers[hit].length), hit))
                i += matchers[hit].length
            } else {
                i += 1
            }
        }
        return out
    }

    /// Offset of the first occurrence of each matcher that occurs at all (occurrences may overlap).
    func firstOccurrences(in scalars: [Unicode.Scalar], folded: [UInt32]) -> [Int: Int] {
        var found: [Int: Int] = [:]
        for i in folded.indices {
            guard let bucket = byFirst[folded[i]] else { continue }
            for m in bucket where found[m] == nil && matchers[m].matches(scalars, folded: folded, at: i) {
                found[m] = i
            }
            if found.count == matchers.count { break }
        }
        return found
    }
}
