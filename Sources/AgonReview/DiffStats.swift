import Foundation

/// Files changed and lines added/removed in a unified diff, counted from hunk headers so that a
/// removed line reading "-- x" (shown as "--- x") is not mistaken for a file header.
public struct DiffStats: Equatable, Sendable {
    /// One file's counts; `binary` files have no line counts.
    public struct File: Equatable, Sendable {
        public var path: String
        public var insertions: Int
        public var deletions: Int
        public var binary: Bool
    }

    public var files: [File]
    public var insertions: Int { files.reduce(0) { $0 + $1.insertions } }
    public var deletions: Int { files.reduce(0) { $0 + $1.deletions } }

    /// "3 files changed, 40 insertions(+), 12 deletions(-)" (git's wording).
    public var summary: String {
        let f = files.count == 1 ? "1 file changed" : "\(files.count) files changed"
        return "\(f), \(insertions) insertion\(insertions == 1 ? "" : "s")(+), \(deletions) deletion\(deletions == 1 ? "" : "s")(-)"
    }

    /// Parses `git diff` output. Tolerant: unknown lines are ignored.
    public init(patch: String) {
        var files: [File] = []
        var oldLeft = 0, newLeft = 0
        var headerOpen = false   // a "diff --git" line whose ---/+++ lines may follow
        // "\r\n" is one Character in Swift, so split on both forms.
        for line in patch.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if oldLeft > 0 || newLeft > 0 {
                if line.hasPrefix("+") { newLeft -= 1; files[files.count - 1].insertions += 1; continue }
                if line.hasPrefix("-") { oldLeft -= 1; files[files.count - 1].deletions += 1; continue }
                if line.hasPrefix(" ") || line.isEmpty { oldLeft -= 1; newLeft -= 1; continue }
                if line.hasPrefix("\\") { continue }
                oldLeft = 0; newLeft = 0   // malformed hunk: fall through to header parsing
            }
            if line.hasPrefix("diff --git ") {
                files.append(File(path: DiffStats.path(fromGitHeader: String(line)), insertions: 0, deletions: 0, binary: false))
                headerOpen = true
            } else if line.hasPrefix("+++ ") {
                let path = DiffStats.strip(String(line.dropFirst(4)))
                if headerOpen {
                    if path != "/dev/null" { files[files.count - 1].path = path }
                } else {
                    files.append(File(path: path, insertions: 0, deletions: 0, binary: false))   // plain (non-git) diff
                }
                headerOpen = false
            } else if line.hasPrefix("Binary files "), !files.isEmpty {
                files[files.count - 1].binary = true
            } else if line.hasPrefix("@@ "), !files.isEmpty, let (o, n) = DiffStats.hunkCounts(String(line)) {
                oldLeft = o; newLeft = n
                headerOpen = false
            }
        }
        self.files = files
    }

    private static func strip(_ p: String) -> String {
        let t = p.split(separator: "\t").first.map(String.init) ?? p
        if t.hasPrefix("a/") || t.hasPrefix("b/") { return String(t.dropFirst(2)) }
        return t
    }

    private static func path(fromGitHeader line: String) -> String {
        // "diff --git a/x b/x": take the b/ side; good enough for display (quoted paths stay quoted).
        let rest = line.dropFirst("diff --git ".count)
        if let r = rest.range(of: " b/", options: .backwards) { return String(rest[r.upperBound...]) }
        return String(rest)
    }

    /// "@@ -a,b +c,d @@" → (b, d); a missing count means 1.
    static func hunkCounts(_ line: String) -> (Int, Int)? {
        let parts = line.split(separator: " ")
        guard parts.count >= 3, parts[1].hasPrefix("-"), parts[2].hasPrefix("+") else { return nil }
        func count(_ s: Substring) -> Int? {
            let body = s.dropFirst()
            if let comma = body.firstIndex(of: ",") { return Int(body[body.index(after: comma)...]) }
            return Int(body) != nil ? 1 : nil
        }
        guard let o = count(parts[1]), let n = count(parts[2]) else { return nil }
        return (o, n)
    }
}
