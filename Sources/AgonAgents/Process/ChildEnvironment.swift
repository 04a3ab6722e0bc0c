import Foundation

/// Builds the environment an agent process sees: an allowlist, never the parent's whole set.
///
/// Only the basics a CLI needs to run (PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_*, TZ, TMPDIR)
/// are inherited, plus the variables the agent's entry names (`passThrough`, where a trailing `*`
/// matches a prefix, e.g. `AWS_*`) and its explicit values, plus the AGON_* variables Agon sets
/// for this run. So one vendor's API key never reaches another vendor's agent unless named.
public enum ChildEnvironment {
    public static let inheritedNames: Set<String> = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TZ", "TMPDIR"]

    public static func build(parent: [String: String], passThrough: [String], explicit: [String: String],
                             agon: [String: String]) -> [String: String] {
        var env: [String: String] = [:]
        for (name, value) in parent where inheritedNames.contains(name) || name.hasPrefix("LC_") {
            env[name] = value
        }
        for pattern in passThrough {
            if pattern.hasSuffix("*") {
                let prefix = String(pattern.dropLast())
                for (name, value) in parent where name.hasPrefix(prefix) { env[name] = value }
            } else if let value = parent[pattern] {
                env[pattern] = value
            }
        }
        for (name, value) in explicit { env[name] = value }
        for (name, value) in agon { env[name] = value }
        return env
    }
}
