import Foundation

/// A run's id: UTC time to the second plus a short random suffix, e.g. `20261123-131502-k3f9`.
/// Ids sort by start time as plain strings.
public struct RunID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String

    static let suffixAlphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// Validates `rawValue` (`YYYYMMDD-HHMMSS-xxxx`, a real date and time, suffix of a–z/0–9).
    public init?(_ rawValue: String) {
        guard Self.parseDate(rawValue) != nil else { return nil }
        self.rawValue = rawValue
    }

    /// A fresh id for `date`; the suffix keeps runs started in the same second apart.
    public static func generate<Generator: RandomNumberGenerator>(at date: Date, using generator: inout Generator) -> RunID {
        let suffix = String((0..<4).map { _ in suffixAlphabet.randomElement(using: &generator)! })
        return RunID(unchecked: "\(format(date))-\(suffix)")
    }

    public static func generate(at date: Date = Date()) -> RunID {
        var generator = SystemRandomNumberGenerator()
        return generate(at: date, using: &generator)
    }

    private init(unchecked: String) { rawValue = unchecked }

    /// When the run started (to the second, UTC).
    public var date: Date { Self.parseDate(rawValue)! }

    public var description: String { rawValue }

    public static func < (a: RunID, b: RunID) -> Bool { a.rawValue < b.rawValue }

    /// The branch for one candidate: `agon/<run-id>/<agent-id>`.
    public func branchName(agent: String) -> String { "agon/\(rawValue)/\(agent)" }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = RunID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a run id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    private static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    static func format(_ date: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))-\(pad(c.hour, 2))\(pad(c.minute, 2))\(pad(c.second, 2))"
    }

    static func parseDate(_ text: String) -> Date? {
        let chars = Array(text)
        guard chars.count == 20, chars[8] == "-", chars[15] == "-" else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.allSatisfy({ chars[$0].isASCII && chars[$0].isNumber }) else { return nil }
            return Int(String(chars[range]))
        }
        guard chars[16...].allSatisfy({ suffixAlphabet.contains($0) }),
              let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = utc.date(from: components), format(date) == String(chars[0..<15]) else { return nil }
        return date
    }
}
