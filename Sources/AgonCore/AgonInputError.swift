import Foundation

/// A problem with user input (a spec, `agon.yml`, a price file), described in one actionable line:
/// `specs/x.md:4: budget.max_cost_usd: expected a number, got "abc"`.
public struct AgonInputError: Error, Equatable, CustomStringConvertible, LocalizedError, Sendable {
    /// The file as the user would name it (e.g. `agon.yml`, `specs/retry.md`); nil for inline text.
    public var file: String?
    /// 1-based line in `file`, when known.
    public var line: Int?
    /// Dotted field path (`agents.gpt.harness`), when the problem is about one field.
    public var field: String?
    public var message: String

    public init(file: String?, line: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line { location += ":\(line)" }
        } else if let line {
            location = "line \(line)"
        }
        var parts: [String] = []
        if !location.isEmpty { parts.append(location) }
        if let field, !field.isEmpty { parts.append(field) }
        parts.append(Self.singleLine(message))
        return parts.joined(separator: ": ")
    }

    public var errorDescription: String? { description }

    /// Messages may quote user text; keep the description on one line whatever it contains.
    static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}
