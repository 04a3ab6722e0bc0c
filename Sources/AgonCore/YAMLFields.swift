import Foundation
import Yams

/// Where YAML being read came from, so every error can name the file and the line in it.
struct YAMLSource {
    var file: String
    /// Added to Yams' 1-based line numbers (front matter starts below the opening `---`).
    var lineOffset: Int = 0

    func line(of node: Node?) -> Int? {
        guard let mark = node?.mark else { return nil }
        return mark.line + lineOffset
    }

    func error(_ node: Node?, _ field: String?, _ message: String) -> AgonInputError {
        AgonInputError(file: file, line: line(of: node), field: field, message: message)
    }

    /// Composes `text` into a node tree, turning Yams' multi-line errors into one-liners.
    func compose(_ text: String) throws -> Node? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw translate(error)
        }
        if let node {
            // Aliases are copies: a few hundred bytes of nested aliases or merge keys expand to
            // millions of nodes (and Yams' merge flattening to minutes of work). Count the
            // expanded tree, stopping at the bound, so the walk itself stays cheap.
            var budget = Self.maxExpandedNodes
            guard Self.fits(node, within: &budget) else {
                throw AgonInputError(file: file, message: "over \(Self.maxExpandedNodes) YAML nodes once aliases and merge keys "
                    + "(<<) are expanded: write the values out instead of nesting aliases")
            }
        }
        return node
    }

    /// More nodes than any real spec or agon.yml has, few enough to walk in milliseconds.
    static let maxExpandedNodes = 100_000

    private static func fits(_ node: Node, within budget: inout Int) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        switch node {
        case .scalar, .alias: return true
        case .sequence(let sequence):
            for child in sequence where !fits(child, within: &budget) { return false }
            return true
        case .mapping(let mapping):
            for (key, value) in mapping where !fits(key, within: &budget) || !fits(value, within: &budget) { return false }
            return true
        }
    }

    private func translate(_ error: YamlError) -> AgonInputError {
        func at(_ mark: Mark, _ message: String) -> AgonInputError {
            AgonInputError(file: file, line: mark.line + lineOffset, message: message)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return at(mark, "invalid YAML: \(detail)\(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return at(context.mark, "duplicate key \(keys) (each key may appear only once in a mapping)")
        case let .reader(problem, _, _, _):
            return AgonInputError(file: file, message: "unreadable YAML: \(problem)")
        default:
            return AgonInputError(file: file, message: "invalid YAML: \(error)")
        }
    }
}

extension Node {
    var isNull: Bool {
        if case .scalar = self { return tag == Tag(.null) }
        return false
    }

    /// How a value looks to the user, for "expected X, got Y" messages.
    var userDescription: String {
        switch self {
        case let .scalar(scalar): return isNull ? "nothing" : "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// One YAML mapping being read field by field, with the dotted path used in error messages.
struct YAMLFields {
    let source: YAMLSource
    let path: String
    let node: Node
    /// Entries in file order with string keys.
    let entries: [(key: String, keyNode: Node, value: Node)]

    init(_ node: Node, path: String, source: YAMLSource, keyNode: Node? = nil) throws {
        guard case let .mapping(mapping) = node else {
            throw source.error(keyNode ?? node, path.isEmpty ? nil : path, "expected a mapping, got \(node.userDescription)")
        }
        self.source = source
        self.path = path
        self.node = node
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        var merged: [(key: String, keyNode: Node, value: Node)] = []
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key else {
                throw source.error(key, path.isEmpty ? nil : path, "keys must be plain names, got \(key.userDescription)")
            }
            // YAML merge keys (`<<: *shared`) let entries share settings; explicit keys win.
            if scalar.string == "<<" && scalar.style == .plain {
                let sources: [Node]
                if case let .sequence(list) = value { sources = Array(list) } else { sources = [value] }
                for mergeSource in sources {
                    let fields = try YAMLFields(mergeSource, path: path, source: source, keyNode: key)
                    merged += fields.entries.filter { item in !merged.contains { $0.key == item.key } }
                }
                continue
            }
            entries.append((scalar.string, key, value))
        }
        entries += merged.filter { item in !entries.contains { $0.key == item.key } }
        self.entries = entries
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Rejects keys outside `known`, suggesting the closest known key for likely typos.
    func rejectUnknownKeys(_ known: [String]) throws {
        for entry in entries where !known.contains(entry.key) {
            var message = "unknown key"
            if let guess = known.min(by: { editDistance($0, entry.key) < editDistance($1, entry.key) }),
               editDistance(guess, entry.key) <= 2 {
                message += " (did you mean \"\(guess)\"?)"
            }
            message += "; known keys: " + known.joined(separator: ", ")
            throw source.error(entry.keyNode, fieldPath(entry.key), message)
        }
    }

    /// The entry for `key`, treating an explicit null (`key:` or `key: ~`) as absent.
    func entry(_ key: String) -> (keyNode: Node, value: Node)? {
        guard let found = entries.first(where: { $0.key == key }), !found.value.isNull else { return nil }
        return (found.keyNode, found.value)
    }

    func error(_ key: String, _ message: String) -> AgonInputError {
        source.error(entries.first(where: { $0.key == key })?.keyNode, fieldPath(key), message)
    }

    func string(_ key: String) throws -> String? {
        guard let (keyNode, value) = entry(key) else { return nil }
        return try Self.scalarString(value, keyNode: keyNode, field: fieldPath(key), source: source)
    }

    static func scalarString(_ value: Node, keyNode: Node, field: String, source: YAMLSource) throws -> String {
        guard case let .scalar(scalar) = value else {
            throw source.error(keyNode, field, "expected a string, got \(value.userDescription)")
        }
        return scalar.string
    }

    /// A list of strings; a single string is accepted only when `allowSingle` (e.g. one command).
    func stringList(_ key: String, allowSingle: Bool = false) throws -> [String]? {
        guard let (keyNode, value) = entry(key) else { return nil }
        let field = fieldPath(key)
        switch value {
        case let .scalar(scalar) where allowSingle:
            return [scalar.string]
        case let .sequence(sequence):
            return try sequence.enumerated().map { index, item in
                guard case let .scalar(scalar) = item, !item.isNull else {
                    throw source.error(item, "\(field)[\(index)]", "expected a string, got \(item.userDescription)")
                }
                return scalar.string
            }
        default:
            let expected = allowSingle ? "a string or a list of strings" : "a list of strings"
            throw source.error(keyNode, field, "expected \(expected), got \(value.userDescription)")
        }
    }

    func number(_ key: String) throws -> Double? {
        guard let (keyNode, value) = entry(key) else { return nil }
        guard case let .scalar(scalar) = value, let number = Double(scalar.string.trimmingCharacters(in: .whitespaces)),
              number.isFinite else {
            throw source.error(keyNode, fieldPath(key), "expected a number, got \(value.userDescription)")
        }
        return number
    }

    func integer(_ key: String) throws -> Int? {
        guard let (keyNode, value) = entry(key) else { return nil }
        guard case let .scalar(scalar) = value, let number = Int(scalar.string.trimmingCharacters(in: .whitespaces)) else {
            throw source.error(keyNode, fieldPath(key), "expected a whole number, got \(value.userDescription)")
        }
        return number
    }

    func bool(_ key: String) throws -> Bool? {
        guard let (keyNode, value) = entry(key) else { return nil }
        guard case .scalar = value, let flag = value.bool else {
            throw source.error(keyNode, fieldPath(key), "expected true or false, got \(value.userDescription)")
        }
        return flag
    }

    /// A duration: a YAML number is seconds, a string is parsed by `AgonDuration`.
    func duration(_ key: String) throws -> AgonDuration? {
        guard let (keyNode, value) = entry(key) else { return nil }
        guard case let .scalar(scalar) = value else {
            throw source.error(keyNode, fieldPath(key), "expected a duration like 90s, 20m or 1h30m, got \(value.userDescription)")
        }
        do {
            return try AgonDuration(parsing: scalar.string)
        } catch let error as AgonDuration.ParseError {
            throw source.error(keyNode, fieldPath(key), error.description)
        }
    }

    func fields(_ key: String) throws -> YAMLFields? {
        guard let (keyNode, value) = entry(key) else { return nil }
        return try YAMLFields(value, path: fieldPath(key), source: source, keyNode: keyNode)
    }
}

/// Levenshtein distance, for "did you mean" hints on short keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
