import AgonCore
import Foundation

extension RunFilter {
    /// The PostgreSQL form of `sql`: the same condition over `runs r`, `$n` text parameters,
    /// and SQLite's GLOB as an anchored regular expression (same meaning, case-sensitive).
    var postgresSQL: (condition: String, arguments: [String?]) {
        var conditions: [String] = []
        var arguments: [String?] = []
        if let since {
            arguments.append("\(AgonJSON.millisecondPrecision(since).timeIntervalSince1970)")
            conditions.append("r.created_at >= $\(arguments.count)")
        }
        if let specGlob {
            arguments.append(Self.regex(glob: specGlob))
            conditions.append("r.spec_path ~ $\(arguments.count)")
        }
        if let statuses {
            let sorted = statuses.map(\.rawValue).sorted()
            if sorted.isEmpty {
                conditions.append("FALSE")
            } else {
                let first = arguments.count + 1
                arguments += sorted
                conditions.append("r.status IN (\(sorted.indices.map { "$\(first + $0)" }.joined(separator: ", ")))")
            }
        }
        return (conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND "), arguments)
    }

    /// SQLite GLOB → POSIX regex: `*` any run (including `/`), `?` one character, `[…]` and
    /// `[^…]` classes; everything else literal.
    static func regex(glob: String) -> String {
        var out = "^"
        let chars = Array(glob)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*": out += ".*"
            case "?": out += "."
            case "[":
                // A class runs to the first `]` after its first member; unterminated means a literal `[`.
                var j = i + 1
                if j < chars.count, chars[j] == "^" { j += 1 }
                if j < chars.count, chars[j] == "]" { j += 1 }
                while j < chars.count, chars[j] != "]" { j += 1 }
                if j < chars.count {
                    var body = chars[(i + 1)..<j]
                    let negated = body.first == "^"
                    if negated { body = body.dropFirst() }
                    // Inside a class only `\`, `[` and `]` are special to a regex (AREs and ICU alike).
                    out += "[" + (negated ? "^" : "") + body.map { "\\[]".contains($0) ? "\\\($0)" : String($0) }.joined() + "]"
                    i = j
                } else {
                    out += "\\["
                }
            default:
                out += "\\^$.|+()[]{}\\".contains(c) ? "\\\(c)" : String(c)
            }
            i += 1
        }
        return out + "$"
    }
}
