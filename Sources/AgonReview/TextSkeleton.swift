import Foundation

/// Text folded so that disguised spellings of a name compare equal to the name: Unicode NFKC
/// (fullwidth `ｃｌａｕｄｅ` → `claude`), zero-width, bidi and other format characters and
/// combining marks removed, Latin look-alikes from Cyrillic and Greek folded (`сlaude` with a
/// Cyrillic `с`), case folded, digit-for-letter substitutions collapsed (`S0NNET`, `Cl4ude`;
/// `i`, `l`, `1` and `|` are one letter), and separators dropped (`s-o-n-n-e-t`, `c.l.a.u.d.e`).
///
/// Whitespace is kept as a boundary between *pieces*, so a match across whitespace is accepted
/// only when every piece it crosses is one or two letters long (`s o n n e t`), never across
/// ordinary words (`the gem in it` does not spell `gemini`).
struct TextSkeleton {
    /// The folded letters.
    private(set) var letters: [UInt32] = []
    /// For each letter, the offset of the original scalar it came from.
    private(set) var origin: [Int] = []
    /// For each letter, the whitespace-separated piece it belongs to.
    private(set) var piece: [Int] = []
    /// Letters per piece.
    private(set) var pieceLength: [Int] = []
    /// The original scalars.
    let scalars: [Unicode.Scalar]

    init(_ text: String) { self.init(scalars: Array(text.unicodeScalars)) }

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
        var current = 0
        pieceLength = [0]
        var pieceHasLetters = false
        letters.reserveCapacity(scalars.count)
        origin.reserveCapacity(scalars.count)
        piece.reserveCapacity(scalars.count)
        func take(_ folded: Folded, _ offset: Int) {
            switch folded {
            case .letter(let value):
                letters.append(value)
                origin.append(offset)
                piece.append(current)
                pieceLength[current] += 1
                pieceHasLetters = true
            case .space:
                if pieceHasLetters {
                    current += 1
                    pieceLength.append(0)
                    pieceHasLetters = false
                }
            case .transparent:
                break
            }
        }
        for (offset, scalar) in scalars.enumerated() {
            // ASCII (nearly all of a patch) without the array `fold` returns.
            if scalar.value < 128 { take(TextSkeleton.foldASCII(scalar.value), offset); continue }
            for folded in TextSkeleton.fold(scalar) { take(folded, offset) }
        }
    }

    /// The skeleton of a term, as letters only.
    static func letters(of term: String) -> [UInt32] { TextSkeleton(term).letters }

    enum Folded: Equatable { case letter(UInt32), space, transparent }

    /// One original scalar's contribution: letters, a piece boundary, or nothing.
    static func fold(_ scalar: Unicode.Scalar) -> [Folded] {
        if scalar.value < 128 { return [foldASCII(scalar.value)] }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .format, .nonspacingMark, .enclosingMark, .spacingMark, .control:
            return [.transparent]   // zero-width and bidi controls, combining accents
        default:
            break
        }
        if properties.isWhitespace { return [.space] }
        if let latin = confusables[scalar.value] { return [.letter(latin)] }
        let compatible = String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars
        if compatible.count == 1, let only = compatible.first, only == scalar {
            // NFKC leaves it alone: fold case, keep other letters as themselves.
            let lower = properties.lowercaseMapping.unicodeScalars
            let value = lower.count == 1 ? lower.first!.value : scalar.value
            if let latin = confusables[value] { return [.letter(latin)] }
            return properties.isAlphabetic || properties.numericType != nil ? [.letter(value)] : [.transparent]
        }
        return compatible.flatMap { s -> [Folded] in s.value < 128 ? [foldASCII(s.value)] : fold(s) }
    }

    static func foldASCII(_ v: UInt32) -> Folded {
        switch v {
        case 65...90: return .letter(letterClass(v + 32))
        case 97...122: return .letter(letterClass(v))
        case 48...57: return .letter(digitLetter[Int(v - 48)])
        case 9, 10, 11, 12, 13, 32: return .space
        case 64: return .letter(97)    // @ → a
        case 36: return .letter(115)   // $ → s
        case 124, 33: return .letter(105)   // | ! → i
        default: return .transparent
        }
    }

    /// The Latin letter a Cyrillic or Greek look-alike stands for (`с` → `c`), case folded.
    static func latinLookAlike(_ scalar: Unicode.Scalar) -> Character? {
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        guard lower.count == 1, let value = confusables[lower.first!.value], let latin = Unicode.Scalar(value) else { return nil }
        return Character(latin)
    }

    /// `l` and `i` are one class (so `1`, `l`, `I`, `|` all match each other).
    private static func letterClass(_ v: UInt32) -> UInt32 { v == 108 ? 105 : v }

    /// 0→o 1→i 2→z 3→e 4→a 5→s 6→g 7→t 8→b 9→g.
    private static let digitLetter: [UInt32] = [111, 105, 122, 101, 97, 115, 103, 116, 98, 103]

    /// Cyrillic and Greek letters that look like Latin ones (lowercase forms; the caller folds case first).
    private static let confusables: [UInt32: UInt32] = {
        let pairs: [(String, Character)] = [
            ("аαа", "a"), ("вβ", "b"), ("сϲ", "c"), ("ԁ", "d"), ("еεё", "e"), ("һ", "h"), ("іιӏ", "i"),
            ("ј", "j"), ("кκ", "k"), ("м", "m"), ("ηп", "n"), ("оοσ", "o"), ("рρ", "p"), ("ԛ", "q"),
            ("ѕ", "s"), ("тτ", "t"), ("υ", "u"), ("ν", "v"), ("ԝω", "w"), ("хχ", "x"), ("уγ", "y"), ("ᴢ", "z"),
            ("ı", "i"), ("ʟ", "i"),
        ]
        var map: [UInt32: UInt32] = [:]
        for (looks, latin) in pairs {
            let target = latin == "l" ? 105 : latin.unicodeScalars.first!.value
            for s in looks.unicodeScalars { map[s.value] = target == 108 ? 105 : target }
        }
        return map
    }()

    /// Every place `term` (already folded) occurs, as ranges of letter indices, with the
    /// whitespace rule applied (see the type's comment). Boundaries are checked by the caller.
    func occurrences(of term: [UInt32]) -> [Range<Int>] {
        let n = term.count
        guard n > 0, letters.count >= n else { return [] }
        var out: [Range<Int>] = []
        letters.withUnsafeBufferPointer { text in
            term.withUnsafeBufferPointer { t in
                let first = t[0]
                var i = 0
                while i <= text.count - n {
                    if text[i] == first {
                        var k = 1
                        while k < n && text[i + k] == t[k] { k += 1 }
                        if k == n && spacingOK(i..<(i + n)) {
                            out.append(i..<(i + n))
                            i += n
                            continue
                        }
                    }
                    i += 1
                }
            }
        }
        return out
    }

    private func spacingOK(_ range: Range<Int>) -> Bool {
        let first = piece[range.lowerBound], last = piece[range.upperBound - 1]
        guard first != last else { return true }
        return (first...last).allSatisfy { pieceLength[$0] <= 2 }
    }

    /// Whether the letters at `range` stand apart from their neighbours: no letter of the same
    /// word directly before or after (a separator, a digit, a camelCase hump, or another piece
    /// in between all count as a boundary).
    func isBounded(_ range: Range<Int>) -> (left: Bool, right: Bool) {
        func apart(_ a: Int, _ b: Int) -> Bool {   // letter indices a < b, adjacent in the skeleton
            if piece[a] != piece[b] { return true }
            let oa = origin[a], ob = origin[b]
            if ob - oa > 1 { return scalars[(oa + 1)..<ob].contains { !TextSkeleton.isInvisible($0) } }
            let sa = scalars[oa], sb = scalars[ob]
            if sa.properties.numericType != nil || sb.properties.numericType != nil { return true }
            return sa.properties.isLowercase && sb.properties.isUppercase
        }
        let left = range.lowerBound == 0 || apart(range.lowerBound - 1, range.lowerBound)
        let right = range.upperBound == letters.count || apart(range.upperBound - 1, range.upperBound)
        return (left, right)
    }

    /// Format characters and combining marks: removed, never a separator.
    static func isInvisible(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .format, .nonspacingMark, .enclosingMark, .spacingMark: return true
        default: return false
        }
    }
}

/// Finds identity tokens written in disguise (see `TextSkeleton`), and inside base64 or hex runs.
struct DisguiseMatcher {
    /// Tokens whose skeleton is shorter than this are left to the plain matcher: a 3-letter
    /// skeleton matches too much ordinary text once separators are gone.
    static let minimumLetters = 4
    /// Base64 and hex runs at least this long are decoded and scanned.
    static let minimumEncodedRun = 16

    enum Form: String, Sendable { case disguised, base64, hex }

    struct Hit {
        var term: Int
        /// Scalar offset in the scanned text where the hit (or the encoded run holding it) starts.
        var offset: Int
        var form: Form
    }

    private let terms: [(index: Int, letters: [UInt32], plain: TermMatcher)]

    /// `terms` are the identity tokens; a hit reports the index into this list.
    init(terms: [String]) {
        self.terms = terms.enumerated().compactMap { index, term in
            let letters = TextSkeleton.letters(of: term)
            return letters.count >= Self.minimumLetters ? (index, letters, TermMatcher(term: term, mode: .identity)) : nil
        }
    }

    var isEmpty: Bool { terms.isEmpty }

    /// The first hit of each term in `scalars`.
    func hits(in scalars: [Unicode.Scalar]) -> [Hit] {
        guard !terms.isEmpty else { return [] }
        var found: [Int: Hit] = [:]
        for hit in skeletonHits(TextSkeleton(scalars: scalars)) where found[hit.term] == nil { found[hit.term] = hit }
        for (offset, decoded, form) in Self.decodedRuns(in: scalars) {
            let inner = Array(decoded.unicodeScalars)
            let folded = inner.map(TermMatcher.fold)
            for t in terms where found[t.index] == nil {
                let plain = t.plain.ranges(in: inner, folded: folded)
                if !plain.isEmpty { found[t.index] = Hit(term: t.index, offset: offset, form: form) }
            }
            for hit in skeletonHits(TextSkeleton(scalars: inner)) where found[hit.term] == nil {
                found[hit.term] = Hit(term: hit.term, offset: offset, form: form)
            }
        }
        return found.values.sorted { ($0.offset, $0.term) < ($1.offset, $1.term) }
    }

    /// Skeleton matches that stand apart from the surrounding word, or are glued only to another
    /// token (`claudesonnet`).
    private func skeletonHits(_ skeleton: TextSkeleton) -> [Hit] {
        var raw: [(term: Int, range: Range<Int>)] = []
        for t in terms {
            for range in skeleton.occurrences(of: t.letters) { raw.append((t.index, range)) }
        }
        guard !raw.isEmpty else { return [] }
        let starts = Set(raw.map(\.range.lowerBound)), ends = Set(raw.map(\.range.upperBound))
        var out: [Hit] = []
        for (term, range) in raw {
            let bounded = skeleton.isBounded(range)
            let left = bounded.left || ends.contains(range.lowerBound)
            let right = bounded.right || starts.contains(range.upperBound)
            if left && right { out.append(Hit(term: term, offset: skeleton.origin[range.lowerBound], form: .disguised)) }
        }
        return out
    }

    /// Base64 (standard or URL-safe) and hex runs of at least `minimumEncodedRun` characters that
    /// decode to printable UTF-8 text, with the scalar offset where each run starts.
    static func decodedRuns(in scalars: [Unicode.Scalar]) -> [(Int, String, Form)] {
        var out: [(Int, String, Form)] = []
        func isBase64(_ s: Unicode.Scalar) -> Bool {
            switch s.value {
            case 48...57, 65...90, 97...122, 43, 47, 61, 45, 95: return true   // 0-9 A-Z a-z + / = - _
            default: return false
            }
        }
        var i = 0
        while i < scalars.count {
            guard isBase64(scalars[i]) else { i += 1; continue }
            var j = i
            while j < scalars.count, isBase64(scalars[j]) { j += 1 }
            if j - i >= minimumEncodedRun {
                let run = String(String.UnicodeScalarView(scalars[i..<j]))
                if run.allSatisfy(\.isHexDigit), run.count % 2 == 0, let text = printable(hexBytes(run)) {
                    out.append((i, text, .hex))
                } else if let text = (0...3).lazy.compactMap({ base64Text(String(run.dropFirst($0))) }).first {
                    // The run may start with a diff's "+" or a path's "/": try each alignment.
                    out.append((i, text, .base64))
                }
            }
            i = j
        }
        return out
    }

    private static func base64Text(_ run: String) -> String? {
        var body = run.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while body.hasSuffix("=") { body.removeLast() }
        guard !body.contains("=") else { return nil }
        if body.count % 4 == 1 { return nil }
        body += String(repeating: "=", count: (4 - body.count % 4) % 4)
        return Data(base64Encoded: body).flatMap(printable)
    }

    private static func hexBytes(_ run: String) -> Data {
        var data = Data()
        var iterator = run.utf8.makeIterator()
        while let hi = iterator.next(), let lo = iterator.next() {
            data.append(UInt8(hexValue(hi) << 4 | hexValue(lo)))
        }
        return data
    }

    private static func hexValue(_ c: UInt8) -> UInt8 {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        default: return c - 55
        }
    }

    /// Valid UTF-8 of which at least 90% is printable (so random binary is not scanned).
    private static func printable(_ data: Data) -> String? {
        guard !data.isEmpty, let text = String(data: data, encoding: .utf8) else { return nil }
        let scalars = text.unicodeScalars
        let good = scalars.filter { $0.value >= 32 || $0 == "\n" || $0 == "\t" }.count
        return good * 10 >= scalars.count * 9 ? text : nil
    }
}
