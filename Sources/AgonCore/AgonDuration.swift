import Foundation

/// A span of time written the way people write timeouts: `90s`, `20m`, `1h30m`, `1.5h`, or bare
/// seconds (`45`). Units are `h`, `m`, `s`; each may carry a decimal fraction.
public struct AgonDuration: Equatable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var seconds: TimeInterval

    public init(seconds: TimeInterval) { self.seconds = seconds }

    /// The longest duration accepted: anything longer is a typo, and would overflow timers.
    public static let maximum = AgonDuration(seconds: 30 * 86_400)

    public static func minutes(_ m: Double) -> AgonDuration { AgonDuration(seconds: m * 60) }
    public static func hours(_ h: Double) -> AgonDuration { AgonDuration(seconds: h * 3600) }

    public static func < (a: AgonDuration, b: AgonDuration) -> Bool { a.seconds < b.seconds }

    /// Why a duration string was rejected (the caller adds file/line/field).
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        public var text: String
        public var reason: String
        public var description: String { "invalid duration \"\(text)\": \(reason)" }
    }

    /// Parses `text`; throws `ParseError` for "", negatives, unknown units, or a unit with no number.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> ParseError { ParseError(text: text, reason: reason) }
        guard !trimmed.isEmpty else { throw fail("empty (write e.g. 90s, 20m, 1h30m)") }
        if trimmed.hasPrefix("-") { throw fail("must not be negative") }
        if let bare = Double(trimmed), trimmed.allSatisfy({ $0.isNumber || $0 == "." }) {
            guard bare <= Self.maximum.seconds else { throw fail("longer than the maximum of 30 days") }
            self.seconds = bare
            return
        }
        var total: Double = 0
        var number = ""
        var seenUnits: Set<Character> = []
        var lastRank = Int.max
        for ch in trimmed {
            if ch.isASCII && (ch.isNumber || ch == ".") {
                number.append(ch)
                continue
            }
            let rank: Int, scale: Double
            switch ch {
            case "h": (rank, scale) = (3, 3600)
            case "m": (rank, scale) = (2, 60)
            case "s": (rank, scale) = (1, 1)
            default: throw fail("unknown unit \"\(ch)\" (use h, m or s)")
            }
            guard !number.isEmpty, let value = Double(number) else {
                throw fail(number.isEmpty ? "unit \"\(ch)\" has no number before it" : "bad number \"\(number)\"")
            }
            // "30m1h" or "1m1m" are almost certainly typos; insist on h, then m, then s.
            guard !seenUnits.contains(ch), rank < lastRank else { throw fail("units must appear once each, in the order h, m, s") }
            seenUnits.insert(ch)
            lastRank = rank
            total += value * scale
            number = ""
        }
        if !number.isEmpty { throw fail("number \"\(number)\" has no unit after it (use h, m or s)") }
        guard total.isFinite, total <= Self.maximum.seconds else { throw fail("longer than the maximum of 30 days") }
        self.seconds = total
    }

    /// Compact form: `20m`, `1h30m`, `90s` → `1m30s`, `0s`; sub-second remainders as `1.5s`.
    public var description: String {
        if seconds <= 0 { return "0s" }
        var remaining = seconds
        let hours = (remaining / 3600).rounded(.down)
        remaining -= hours * 3600
        let minutes = (remaining / 60).rounded(.down)
        remaining -= minutes * 60
        var out = ""
        if hours > 0 { out += "\(Int(hours))h" }
        if minutes > 0 { out += "\(Int(minutes))m" }
        if remaining > 1e-9 {
            let rounded = (remaining * 1000).rounded() / 1000
            out += rounded == rounded.rounded() ? "\(Int(rounded))s" : "\(rounded)s"
        }
        return out
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self.init(seconds: number)
        } else {
            try self.init(parsing: container.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
