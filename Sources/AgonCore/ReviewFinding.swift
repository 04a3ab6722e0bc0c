import Foundation

/// Something the pre-review screen found in a candidate's diff, recorded on the candidate.
public struct ReviewFinding: Codable, Equatable, Sendable {
    /// What was found.
    public enum Kind: String, Codable, Sendable {
        /// Reviewer-directed text: instructions to reviewers, claims about other candidates or
        /// hidden tests, fake packet headings, an attempt to emit a verdict.
        case injection
        /// A disguised identity token, or the holdout's commands or paths.
        case leak
    }

    public var kind: Kind
    /// The file the text is in (the new path of a diff file); nil for text outside any file.
    public var file: String?
    /// 1-based line in the new version of `file` (or in the patch when `file` is nil); nil for a file name.
    public var line: Int?
    /// One line: what rule fired, never the leaked secret itself.
    public var detail: String
    /// Whether this finding keeps the candidate out of review (it ranks below every passing one).
    public var gates: Bool

    public init(kind: Kind, file: String?, line: Int?, detail: String, gates: Bool) {
        self.kind = kind
        self.file = file
        self.line = line
        self.detail = detail
        self.gates = gates
    }

    /// `injection src/a.swift:12: instructions to reviewers (gated)`.
    public var summary: String {
        let place = [file, line.map(String.init)].compactMap { $0 }.joined(separator: ":")
        return "\(kind.rawValue)\(place.isEmpty ? "" : " " + place): \(detail)\(gates ? " (gated)" : "")"
    }

    enum CodingKeys: String, CodingKey { case kind, file, line, detail, gates }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(file, forKey: .file)
        try c.encode(line, forKey: .line)
        try c.encode(detail, forKey: .detail)
        try c.encode(gates, forKey: .gates)
    }
}
