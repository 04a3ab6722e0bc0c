/// A parsed JSON value. Objects keep their keys in order (small objects, linear lookup), numbers
/// are `Double` (token counts stay exact up to 2^53).
///
/// A hand-rolled byte parser instead of `JSONSerialization`: agent streams are parsed on the hot
/// path (hundreds of MB for long runs) and most lines only need one or two fields.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    var object: JSONObject? { if case .object(let o) = self { return o }; return nil }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var double: Double? { if case .number(let d) = self, d.isFinite { return d }; return nil }
    var isNull: Bool { if case .null = self { return true }; return false }

    /// A non-negative integer count (token counts); negatives, fractions beyond range and non-numbers give nil.
    var count: Int? {
        guard case .number(let d) = self, d.isFinite, d >= 0, d < 9.0e15 else { return nil }
        return Int(d)
    }

    /// Parses a complete JSON text (surrounding whitespace allowed); nil when malformed or truncated.
    static func parse<S: StringProtocol>(_ text: S) -> JSONValue? {
        var copy = String(text)
        return copy.withUTF8 { buf -> JSONValue? in
            guard let base = buf.baseAddress else { return nil }
            var reader = JSONByteReader(base: base, count: buf.count)
            guard let value = try? reader.parseValue(depth: 0) else { return nil }
            reader.skipWhitespace()
            return reader.atEnd ? value : nil
        }
    }
}

/// An ordered JSON object.
struct JSONObject: Equatable {
    var keys: [String] = []
    var values: [JSONValue] = []

    subscript(key: String) -> JSONValue? {
        for i in keys.indices where keys[i] == key { return values[i] }
        return nil
    }

    var isEmpty: Bool { keys.isEmpty }
}

enum JSONSyntaxError: Error { case malformed }

/// A cursor over UTF-8 bytes that parses or skips JSON values. Every read is bounds-checked
/// against `count`, so truncated input ends in `JSONSyntaxError`, never a crash.
struct JSONByteReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    var pos: Int = 0
    static let maxDepth = 256

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    var atEnd: Bool { pos >= count }

    @inline(__always) mutating func skipWhitespace() {
        while pos < count {
            let c = base[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
        }
    }

    @inline(__always) func peek() -> UInt8? { pos < count ? base[pos] : nil }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw JSONSyntaxError.malformed }
        skipWhitespace()
        guard pos < count else { throw JSONSyntaxError.malformed }
        switch base[pos] {
        case UInt8(ascii: "{"):
            pos += 1
            var object = JSONObject()
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { pos += 1; return .object(object) }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError.malformed }
                let key = try parseString()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw JSONSyntaxError.malformed }
                pos += 1
                let value = try parseValue(depth: depth + 1)
                object.keys.append(key)
                object.values.append(value)
                skipWhitespace()
                guard let c = peek() else { throw JSONSyntaxError.malformed }
                pos += 1
                if c == UInt8(ascii: "}") { return .object(object) }
                guard c == UInt8(ascii: ",") else { throw JSONSyntaxError.malformed }
            }
        case UInt8(ascii: "["):
            pos += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { pos += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard let c = peek() else { throw JSONSyntaxError.malformed }
                pos += 1
                if c == UInt8(ascii: "]") { return .array(items) }
                guard c == UInt8(ascii: ",") else { throw JSONSyntaxError.malformed }
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null"); return .null
        default:
            return .number(try parseNumber())
        }
    }

    /// Skips one value without building it, checking its structure (brackets, strings, literals).
    mutating func skipValue(depth: Int) throws {
        guard depth < Self.maxDepth else { throw JSONSyntaxError.malformed }
        skipWhitespace()
        guard pos < count else { throw JSONSyntaxError.malformed }
        switch base[pos] {
        case UInt8(ascii: "{"):
            pos += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { pos += 1; return }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw JSONSyntaxError.malformed }
                try skipString()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw JSONSyntaxError.malformed }
                pos += 1
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let c = peek() else { throw JSONSyntaxError.malformed }
                pos += 1
                if c == UInt8(ascii: "}") { return }
                guard c == UInt8(ascii: ",") else { throw JSONSyntaxError.malformed }
            }
        case UInt8(ascii: "["):
            pos += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { pos += 1; return }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let c = peek() else { throw JSONSyntaxError.malformed }
                pos += 1
                if c == UInt8(ascii: "]") { return }
                guard c == UInt8(ascii: ",") else { throw JSONSyntaxError.malformed }
            }
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        default: _ = try scanNumberEnd()
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard pos + n <= count else { throw JSONSyntaxError.malformed }
        let w = word.utf8Start
        for i in 0..<n where base[pos + i] != w[i] { throw JSONSyntaxError.malformed }
        pos += n
    }

    /// Skips a string starting at the opening quote.
    mutating func skipString() throws {
        pos += 1
        while pos < count {
            let c = base[pos]
            if c == UInt8(ascii: "\"") { pos += 1; return }
            if c == UInt8(ascii: "\\") { pos += 2 } else { pos += 1 }
        }
        throw JSONSyntaxError.malformed
    }

    /// Parses a string starting at the opening quote; escapes are decoded, invalid UTF-8 repaired.
    mutating func parseString() throws -> String {
        pos += 1
        let start = pos
        while pos < count {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self)
                pos += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            pos += 1
        }
        guard pos < count else { throw JSONSyntaxError.malformed }
        // Slow path: the string has escapes.
        var bytes = [UInt8](UnsafeBufferPointer(start: base + start, count: pos - start))
        while pos < count {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if c != UInt8(ascii: "\\") { bytes.append(c); pos += 1; continue }
            guard pos + 1 < count else { throw JSONSyntaxError.malformed }
            let e = base[pos + 1]
            pos += 2
            switch e {
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar), pos + 1 < count,
                   base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") {
                    let save = pos
                    pos += 2
                    let low = try readHex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        pos = save
                    }
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                bytes.append(contentsOf: Array(String(Character(u)).utf8))
            default: bytes.append(e) // \" \\ \/ and lenient for anything else
            }
        }
        throw JSONSyntaxError.malformed
    }

    private mutating func readHex4() throws -> UInt32 {
        guard pos + 4 <= count else { throw JSONSyntaxError.malformed }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[pos]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw JSONSyntaxError.malformed
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    /// Advances over a number's characters and reports whether it is a plain integer.
    private mutating func scanNumberEnd() throws -> (start: Int, isInteger: Bool) {
        let start = pos
        var isInteger = true
        while pos < count {
            let c = base[pos]
            if c >= 0x30 && c <= 0x39 || c == UInt8(ascii: "-") { pos += 1; continue }
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") {
                isInteger = false; pos += 1; continue
            }
            break
        }
        guard pos > start else { throw JSONSyntaxError.malformed }
        return (start, isInteger)
    }

    private mutating func parseNumber() throws -> Double {
        let (start, isInteger) = try scanNumberEnd()
        let length = pos - start
        if isInteger && length <= 16 {
            var i = start
            var negative = false
            if base[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            guard i < pos else { throw JSONSyntaxError.malformed }
            var v = 0
            while i < pos {
                let c = base[i]
                guard c >= 0x30 && c <= 0x39 else { throw JSONSyntaxError.malformed }
                v = v * 10 + Int(c - 0x30)
                i += 1
            }
            return Double(negative ? -v : v)
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: length), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw JSONSyntaxError.malformed }
        return d
    }
}

/// The top level of one JSON object line, scanned without building values: each field's key and
/// value byte ranges, so a parser decodes only the fields it needs. Valid only inside the closure
/// that provided the bytes.
struct RawJSONObject {
    let base: UnsafePointer<UInt8>
    let count: Int
    private(set) var keyRanges: [Range<Int>] = []
    private(set) var valueRanges: [Range<Int>] = []

    /// Scans `bytes`; nil unless they hold exactly one JSON object (plus whitespace).
    init?(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
        var r = JSONByteReader(base: base, count: count)
        r.skipWhitespace()
        guard r.peek() == UInt8(ascii: "{") else { return nil }
        r.pos += 1
        r.skipWhitespace()
        if r.peek() == UInt8(ascii: "}") {
            r.pos += 1
        } else {
            do {
                while true {
                    r.skipWhitespace()
                    guard r.peek() == UInt8(ascii: "\"") else { return nil }
                    let keyStart = r.pos + 1
                    try r.skipString()
                    let keyEnd = r.pos - 1
                    r.skipWhitespace()
                    guard r.peek() == UInt8(ascii: ":") else { return nil }
                    r.pos += 1
                    r.skipWhitespace()
                    let valueStart = r.pos
                    try r.skipValue(depth: 1)
                    keyRanges.append(keyStart..<keyEnd)
                    valueRanges.append(valueStart..<r.pos)
                    r.skipWhitespace()
                    guard let c = r.peek() else { return nil }
                    r.pos += 1
                    if c == UInt8(ascii: "}") { break }
                    guard c == UInt8(ascii: ",") else { return nil }
                }
            } catch {
                return nil
            }
        }
        r.skipWhitespace()
        guard r.atEnd else { return nil }
    }

    /// The byte range of the first value under `key` (keys compared byte-wise, unescaped keys only).
    func range(of key: StaticString) -> Range<Int>? {
        let n = key.utf8CodeUnitCount
        let k = key.utf8Start
        outer: for (i, kr) in keyRanges.enumerated() where kr.count == n {
            for j in 0..<n where base[kr.lowerBound + j] != k[j] { continue outer }
            return valueRanges[i]
        }
        return nil
    }

    /// Decodes the value under `key`; nil when absent.
    func value(_ key: StaticString) -> JSONValue? {
        guard let r = range(of: key) else { return nil }
        var reader = JSONByteReader(base: base + r.lowerBound, count: r.count)
        return try? reader.parseValue(depth: 1)
    }

    /// The string under `key`, or nil when absent or not a string.
    func string(_ key: StaticString) -> String? {
        value(key)?.string
    }

    /// Whether the value under `key` is exactly the JSON string `literal` (compared on raw bytes).
    func valueEquals(_ key: StaticString, string literal: StaticString) -> Bool {
        guard let r = range(of: key) else { return false }
        let n = literal.utf8CodeUnitCount
        guard r.count == n + 2, base[r.lowerBound] == UInt8(ascii: "\"") else { return false }
        let l = literal.utf8Start
        for j in 0..<n where base[r.lowerBound + 1 + j] != l[j] { return false }
        return true
    }
}

/// Runs `body` on the line's UTF-8 bytes without copying when the storage is contiguous.
@inline(__always)
func withLineBytes<R>(_ line: Substring, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if let r = line.utf8.withContiguousStorageIfAvailable({ buf -> R in
        guard let base = buf.baseAddress else {
            var zero: UInt8 = 0
            return body(&zero, 0)
        }
        return body(base, buf.count)
    }) {
        return r
    }
    var copy = String(line)
    return copy.withUTF8 { buf in
        guard let base = buf.baseAddress else {
            var zero: UInt8 = 0
            return body(&zero, 0)
        }
        return body(base, buf.count)
    }
}

/// Parses one line as a JSON object; nil when it is anything else.
func parseJSONObjectLine(_ line: Substring) -> JSONValue? {
    withLineBytes(line) { base, count -> JSONValue? in
        var reader = JSONByteReader(base: base, count: count)
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: "{"), let v = try? reader.parseValue(depth: 0) else { return nil }
        reader.skipWhitespace()
        return reader.atEnd ? v : nil
    }
}
