import Foundation

/// A gitignore-style path pattern for a spec's `paths`, matched against repository-relative paths.
///
/// `*` matches within one path segment, `?` one character, `[abc]`/`[a-z]`/`[!a]` a character class,
/// `**` any number of segments (including none). A pattern with no `/` except a trailing one
/// (`*.swift`) matches at any depth; one with a `/` is anchored at the repository root
/// (`docs/*.md`). A pattern that matches a directory also matches everything under it
/// (`Sources/HTTP` ≡ `Sources/HTTP/**`).
public struct PathGlob: Equatable, Hashable, Sendable {
    public let pattern: String
    private let segments: [String]

    public init(_ pattern: String) {
        self.pattern = pattern
        var trimmed = pattern.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("./") { trimmed.removeFirst(2) }
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        var parts = trimmed.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let anchored = trimmed.hasPrefix("/") || parts.count > 1
        if !anchored, !parts.isEmpty { parts.insert("**", at: 0) }
        self.segments = parts
    }

    /// Why `pattern` cannot be used, or nil (empty patterns and unclosed `[` are rejected).
    public static func problem(with pattern: String) -> String? {
        let trimmed = pattern.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.allSatisfy({ $0 == "/" || $0 == "." }) { return "empty pattern" }
        var inClass = false
        for ch in trimmed {
            if ch == "[" && !inClass { inClass = true } else if ch == "]" && inClass { inClass = false }
        }
        if inClass { return "unclosed [ in pattern" }
        // Paths are relative to the repository root: nothing outside it can be in a diff.
        if trimmed.split(separator: "/").contains("..") { return "\"..\" leaves the repository; paths are relative to its root" }
        return nil
    }

    /// Whether `path` (relative, `/`-separated) is matched by the pattern or lies under a matched directory.
    public func matches(_ path: String) -> Bool {
        var trimmed = path
        if trimmed.hasPrefix("./") { trimmed.removeFirst(2) }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !segments.isEmpty else { return false }
        // Any prefix of the path matching the whole pattern means the path is it or lies under it.
        return Self.match(segments[...], parts[...], allowTrailing: true)
    }

    private static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>, allowTrailing: Bool) -> Bool {
        guard let head = pattern.first else { return path.isEmpty || allowTrailing }
        if head == "**" {
            let rest = pattern.dropFirst()
            var suffix = path
            while true {
                if match(rest, suffix, allowTrailing: allowTrailing) { return true }
                guard !suffix.isEmpty else { return false }
                suffix = suffix.dropFirst()
            }
        }
        guard let segment = path.first, matchSegment(Array(head), 0, Array(segment), 0) else { return false }
        return match(pattern.dropFirst(), path.dropFirst(), allowTrailing: allowTrailing)
    }

    /// fnmatch for one segment: `*`, `?`, `[…]`.
    private static func matchSegment(_ p: [Character], _ pi: Int, _ s: [Character], _ si: Int) -> Bool {
        var pi = pi, si = si
        while pi < p.count {
            switch p[pi] {
            case "*":
                // Collapse runs of * (a "**" inside a segment behaves like "*").
                while pi < p.count && p[pi] == "*" { pi += 1 }
                if pi == p.count { return true }
                for start in si...s.count where matchSegment(p, pi, s, start) { return true }
                return false
            case "?":
                guard si < s.count else { return false }
                pi += 1; si += 1
            case "[":
                guard si < s.count, let (matched, next) = matchClass(p, pi, s[si]) else { return false }
                guard matched else { return false }
                pi = next; si += 1
            default:
                guard si < s.count, p[pi] == s[si] else { return false }
                pi += 1; si += 1
            }
        }
        return si == s.count
    }

    /// Matches `[…]` starting at `p[start]`; returns (matched, index after `]`), nil if unclosed.
    private static func matchClass(_ p: [Character], _ start: Int, _ ch: Character) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count && (p[i] == "!" || p[i] == "^") { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count && (p[i] != "]" || first) {
            first = false
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                if p[i] <= ch && ch <= p[i + 2] { matched = true }
                i += 3
            } else {
                if p[i] == ch { matched = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (matched != negate, i + 1)
    }
}
