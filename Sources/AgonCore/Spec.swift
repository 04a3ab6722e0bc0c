import Foundation
import Yams

/// A task for the agents: Markdown with optional YAML front matter (see the README, "Specs").
public struct Spec: Equatable, Sendable {
    /// The file as named in errors and reports (e.g. `specs/retry.md`).
    public var file: String
    public var title: String
    /// Base ref to branch from; nil means HEAD.
    public var base: String?
    /// Commands shown to agents and run in each candidate's worktree.
    public var acceptance: [String]
    /// Commands never shown to agents, run against base + the candidate's diff.
    public var holdout: [String]
    /// Globs of files the spec expects to change; empty means no scope restriction.
    public var paths: [String]
    public var budget: BudgetSpec
    /// Agent ids to run; nil means every configured agent.
    public var agents: [String]?
    /// Verifier ids; nil means the config's default verifiers.
    public var verifiers: [String]?
    /// The Markdown after the front matter (what agents are asked to do).
    public var body: String
    /// The whole file as text.
    public var raw: String
    /// SHA-256 (hex) of the file's bytes, to tell which version of a spec a run used.
    public var contentHash: String
    /// File line of each front-matter key, so later checks (unknown agent ids…) can point at it.
    public var fieldLines: [String: Int] = [:]
    /// `strategy: { cascade: [[…], […]] }`; nil means every agent at once (or agon.yml's strategy).
    public var strategy: CascadeStrategy?

    /// The one-line error for a problem with front-matter `field` (e.g. `agents[1]`), at its line.
    public func error(field: String, _ message: String) -> AgonInputError {
        let key = String(field.prefix { $0 != "[" && $0 != "." })
        return AgonInputError(file: file, line: fieldLines[key], field: field, message: message)
    }

    static let keys = ["title", "base", "acceptance", "holdout", "paths", "budget", "agents", "verifiers", "strategy"]

    /// Reads a spec file; `displayName` is how errors name it (default: the path).
    public static func load(path: String, displayName: String? = nil) throws -> Spec {
        let name = displayName ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgonInputError(file: name, message: "cannot read spec")
        }
        return try parse(data: data, file: name)
    }

    public static func parse(data: Data, file: String) throws -> Spec {
        guard let text = String(data: data, encoding: .utf8) else {
            throw AgonInputError(file: file, message: "spec is not UTF-8 text")
        }
        return try parse(text: text, file: file, hash: SHA256Digest.hex(data))
    }

    public static func parse(text: String, file: String) throws -> Spec {
        try parse(text: text, file: file, hash: SHA256Digest.hex(Data(text.utf8)))
    }

    private static func parse(text: String, file: String, hash: String) throws -> Spec {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw AgonInputError(file: file, message: "the spec is empty: write the task as Markdown (a title and what to do)")
        }
        let split = try FrontMatter.split(text, file: file)
        var spec = Spec(file: file, title: "", base: nil, acceptance: [], holdout: [], paths: [], budget: .empty,
                        agents: nil, verifiers: nil, body: split.body, raw: text, contentHash: hash)
        var title: String?
        if let yaml = split.yaml {
            let source = YAMLSource(file: file, lineOffset: split.yamlFirstLine - 1)
            if let root = try source.compose(yaml), !root.isNull {
                let fields = try YAMLFields(root, path: "", source: source)
                try fields.rejectUnknownKeys(keys)
                for entry in fields.entries { spec.fieldLines[entry.key] = source.line(of: entry.keyNode) }
                title = try fields.string("title")
                if title?.trimmingCharacters(in: .whitespaces).isEmpty == true {
                    throw fields.error("title", "must not be empty")
                }
                spec.base = try fields.string("base")
                spec.acceptance = try fields.stringList("acceptance", allowSingle: true) ?? []
                spec.holdout = try fields.stringList("holdout", allowSingle: true) ?? []
                spec.paths = try fields.stringList("paths", allowSingle: true) ?? []
                for (index, pattern) in spec.paths.enumerated() {
                    if let problem = PathGlob.problem(with: pattern) {
                        throw fields.error("paths", "pattern \(index + 1) \"\(pattern)\": \(problem)")
                    }
                }
                if let budget = try fields.fields("budget") { spec.budget = try BudgetSpec.read(budget) }
                spec.agents = try fields.stringList("agents")
                spec.verifiers = try fields.stringList("verifiers")
                if let strategy = try fields.fields("strategy") { spec.strategy = try CascadeStrategy.read(strategy) }
            }
        }
        spec.title = title ?? firstHeading(in: split.body) ?? fileStem(file)
        return spec
    }

    /// Changed files that no `paths` glob matches (empty when `paths` is empty: no restriction).
    public func filesOutsideScope(_ changed: [String]) -> [String] {
        guard !paths.isEmpty else { return [] }
        let globs = paths.map(PathGlob.init)
        return changed.filter { path in !globs.contains { $0.matches(path) } }
    }

    /// The first level-1 ATX heading (`# Title`) outside fenced code blocks.
    static func firstHeading(in body: String) -> String? {
        var fence: String?
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                let marker = String(trimmed.prefix(3))
                if fence == nil { fence = marker } else if fence == marker { fence = nil }
                continue
            }
            guard fence == nil, line.hasPrefix("# ") else { continue }
            var heading = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            // "# Title #" closing sequence
            while heading.hasSuffix("#") { heading.removeLast() }
            heading = heading.trimmingCharacters(in: .whitespaces)
            if !heading.isEmpty { return heading }
        }
        return nil
    }

    static func fileStem(_ file: String) -> String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { return String(name[..<dot]) }
        return name
    }
}

/// Splits a Markdown file into YAML front matter and body.
enum FrontMatter {
    struct Split {
        /// The YAML between the `---` lines, nil when the file has no front matter.
        var yaml: String?
        /// File line (1-based) of the YAML's first line.
        var yamlFirstLine: Int
        var body: String
    }

    /// Front matter exists only when the very first line is `---`; it ends at the next `---` (or `...`) line.
    static func split(_ text: String, file: String) throws -> Split {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        func isDelimiter(_ line: String, _ markers: [String]) -> Bool {
            let trimmed = line.hasSuffix("\r") ? String(line.dropLast()) : line
            return markers.contains(trimmed.trimmingCharacters(in: .whitespaces)) && !trimmed.hasPrefix(" ")
        }
        guard let first = lines.first, isDelimiter(first, ["---"]) else {
            return Split(yaml: nil, yamlFirstLine: 1, body: text)
        }
        guard let close = lines.indices.dropFirst().first(where: { isDelimiter(lines[$0], ["---", "..."]) }) else {
            throw AgonInputError(file: file, line: 1,
                                 message: "front matter opened here is never closed (add a line with just --- after it)")
        }
        let yaml = lines[1..<close].joined(separator: "\n")
        var body = lines[(close + 1)...].joined(separator: "\n")
        // One blank line after the closing --- is layout, not content.
        if body.hasPrefix("\n") { body.removeFirst() }
        return Split(yaml: yaml, yamlFirstLine: 2, body: body)
    }
}
