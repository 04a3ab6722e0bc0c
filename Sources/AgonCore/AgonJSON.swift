import Foundation

// MARK: - JSON

/// A top-level JSON document: `body`'s keys plus `"schema_version"` (for files such as `consensus.json`).
public struct VersionedDocument<Body: Codable>: Codable {
    public var schemaVersion: Int
    public var body: Body

    public init(_ body: Body, schemaVersion: Int = AgonJSON.schemaVersion) {
        self.schemaVersion = schemaVersion
        self.body = body
    }

    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try AgonJSON.decodeSchemaVersion(c, forKey: .schemaVersion)
        body = try Body(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        // Both write into the same keyed container, so the document is one flat object.
        try body.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
    }
}

/// The one JSON dialect Agon writes: sorted keys, ISO-8601 UTC dates with milliseconds.
///
/// Dates carry millisecond precision; `AgonJSON.millisecondPrecision(_:)` gives the value a
/// date will have after a round trip.
public enum AgonJSON {
    /// The `schema_version` of every document this build writes.
    public static let schemaVersion = 1

    /// A document's `schema_version`, refused when it is newer than this build understands.
    public static func decodeSchemaVersion<Key: CodingKey>(_ c: KeyedDecodingContainer<Key>, forKey key: Key) throws -> Int {
        let version = try c.decode(Int.self, forKey: key)
        guard version <= schemaVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c,
                debugDescription: "schema_version \(version) is newer than this agon understands (\(schemaVersion)); upgrade agon")
        }
        return version
    }

    /// Pretty, sorted-key encoder for files and `--json` output.
    public static let encoder: JSONEncoder = makeEncoder(pretty: true)
    /// Single-line, sorted-key encoder (database columns, JSONL).
    public static let compactEncoder: JSONEncoder = makeEncoder(pretty: false)
    public static let decoder: JSONDecoder = makeDecoder()

    public static func makeEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(formatDate(date))
        }
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "expected an ISO-8601 date like 2026-01-31T12:00:00.000Z, got \"\(text)\"")
            }
            return date
        }
        return decoder
    }

    /// `date` rounded to the millisecond: what it will be after a JSON or database round trip.
    public static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    /// `2026-01-31T12:00:00.123Z`.
    public static func formatDate(_ date: Date) -> String {
        let ms = milliseconds(date)
        var seconds = time_t(floorDiv(ms, 1000))
        let millis = Int(ms - floorDiv(ms, 1000) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900,
                      Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
                      Int(parts.tm_sec), millis)
    }

    /// Parses ISO-8601 with or without fractional seconds, `Z` or a `±HH:MM` offset.
    public static func parseDate(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[from..<(from + count)] {
                guard b >= 48, b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 116,
              bytes[13] == 58, bytes[16] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if index < bytes.count, bytes[index] == 46 { // '.'
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        var offsetSeconds = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == 90 || bytes[index] == 122 { // 'Z'
            index += 1
        } else if bytes[index] == 43 || bytes[index] == 45 { // '+' / '-'
            guard let oh = number(index + 1, 2), index + 3 < bytes.count, bytes[index + 3] == 58,
                  let om = number(index + 4, 2) else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (bytes[index] == 43 ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let epoch = Int64(timegm(&parts)) - Int64(offsetSeconds)
        return Date(timeIntervalSince1970: Double(epoch * 1000 + Int64(millis)) / 1000)
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
