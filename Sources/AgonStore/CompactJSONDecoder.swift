import AgonCore
import Foundation

/// A lean `Decoder` for the store's own compact JSON, used for bulk loads (tens of thousands of
/// records), where Foundation's `JSONDecoder` costs ~30 µs per record.
///
/// It parses into a flat node array and looks keys up by comparing UTF-8 bytes, never building
/// dictionaries of `String`s. It is strict: anything unusual (bad syntax, a number that does not
/// fit, an unexpected type) throws, and `RecordDecoding` then falls back to `AgonJSON.decoder`,
/// so results are identical to Foundation's and error messages come from Foundation.
struct CompactJSONDecoder {
    func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let document = try JSONDocument(bytes: raw.bindMemory(to: UInt8.self))
            return try T(from: NodeDecoder(document: document, node: 0))
        }
    }
}

/// Decodes a stored record: the compact decoder first, Foundation's when that fails.
enum RecordDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if let value = try? CompactJSONDecoder().decode(type, from: data) { return value }
        return try AgonJSON.decoder.decode(type, from: data)
    }
}

private struct FastJSONError: Error {}

/// One parsed JSON value. Containers are followed in the array by their children (for an
/// object: key string, value, key string, value, …); `next` is the index after the subtree.
private struct Node {
    enum Kind: UInt8 { case object, array, string, escapedString, number, `true`, `false`, null }
    var kind: Kind
    var start: Int32 // byte range of a string's contents or a number's text
    var end: Int32
    var count: Int32 // children of a container (pairs for an object)
    var next: Int32
}

/// Recursive-descent parser filling the node array (a struct: no dynamic exclusivity checks).
private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var nodes: [Node] = []
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        nodes.reserveCapacity(bytes.count / 8)
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func parseValue() throws {
        skipSpace()
        guard i < bytes.count else { throw FastJSONError() }
        let index = nodes.count
        switch bytes[i] {
        case UInt8(ascii: "{"):
            nodes.append(Node(kind: .object, start: 0, end: 0, count: 0, next: 0))
            i += 1
            var count: Int32 = 0
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
            } else {
                while true {
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw FastJSONError() }
                    try parseString()
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw FastJSONError() }
                    i += 1
                    try parseValue()
                    count += 1
                    skipSpace()
                    guard i < bytes.count else { throw FastJSONError() }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    guard bytes[i] == UInt8(ascii: "}") else { throw FastJSONError() }
                    i += 1
                    break
                }
            }
            nodes[index].count = count
        case UInt8(ascii: "["):
            nodes.append(Node(kind: .array, start: 0, end: 0, count: 0, next: 0))
            i += 1
            var count: Int32 = 0
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
            } else {
                while true {
                    try parseValue()
                    count += 1
                    skipSpace()
                    guard i < bytes.count else { throw FastJSONError() }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    guard bytes[i] == UInt8(ascii: "]") else { throw FastJSONError() }
                    i += 1
                    break
                }
            }
            nodes[index].count = count
        case UInt8(ascii: "\""):
            try parseString()
            return
        case UInt8(ascii: "t"): try literal("true", .true)
        case UInt8(ascii: "f"): try literal("false", .false)
        case UInt8(ascii: "n"): try literal("null", .null)
        default:
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                guard (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
                        || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") else { break }
                i += 1
            }
            guard i > start else { throw FastJSONError() }
            nodes.append(Node(kind: .number, start: Int32(start), end: Int32(i), count: 0, next: 0))
        }
        nodes[index].next = Int32(nodes.count)
    }

    private mutating func literal(_ text: StaticString, _ kind: Node.Kind) throws {
        let n = text.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw FastJSONError() }
        for k in 0..<n where bytes[i + k] != text.utf8Start[k] { throw FastJSONError() }
        nodes.append(Node(kind: kind, start: Int32(i), end: Int32(i + n), count: 0, next: 0))
        i += n
    }

    private mutating func parseString() throws {
        i += 1 // opening quote
        let start = i
        var escaped = false
        while true {
            guard i < bytes.count else { throw FastJSONError() }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") { escaped = true; i += 2; continue }
            if b < 0x20 { throw FastJSONError() }
            i += 1
        }
        nodes.append(Node(kind: escaped ? .escapedString : .string, start: Int32(start), end: Int32(i),
                          count: 0, next: Int32(nodes.count + 1)))
        i += 1 // closing quote
    }
}

/// A parsed document: immutable once built, so reads need no exclusivity checks.
private final class JSONDocument {
    let bytes: UnsafeBufferPointer<UInt8>
    let nodes: [Node]

    init(bytes: UnsafeBufferPointer<UInt8>) throws {
        self.bytes = bytes
        var parser = JSONParser(bytes: bytes)
        try parser.parseValue()
        parser.skipSpace()
        guard parser.i == bytes.count else { throw FastJSONError() }
        nodes = parser.nodes
    }

    // MARK: Values

    func string(_ node: Node) throws -> String {
        let slice = UnsafeBufferPointer(rebasing: bytes[Int(node.start)..<Int(node.end)])
        switch node.kind {
        case .string: return String(decoding: slice, as: UTF8.self)
        case .escapedString: return try unescape(slice)
        default: throw FastJSONError()
        }
    }

    /// Whether a key node spells `key`.
    func keyEquals(_ node: Node, _ key: String) -> Bool {
        if node.kind == .escapedString { return (try? string(node)) == key } // rare: compare decoded
        guard node.kind == .string else { return false }
        let length = Int(node.end - node.start)
        let base = bytes.baseAddress! + Int(node.start)
        if let equal = key.utf8.withContiguousStorageIfAvailable({ utf8 in
            utf8.count == length && (length == 0 || memcmp(utf8.baseAddress!, base, length) == 0)
        }) { return equal }
        return key.utf8.elementsEqual(UnsafeBufferPointer(start: base, count: length))
    }

    func bool(_ node: Node) throws -> Bool {
        switch node.kind {
        case .true: return true
        case .false: return false
        default: throw FastJSONError()
        }
    }

    func integer(_ node: Node) throws -> Int64 {
        guard node.kind == .number else { throw FastJSONError() }
        var k = Int(node.start)
        let end = Int(node.end)
        let negative = bytes[k] == UInt8(ascii: "-")
        if negative { k += 1 }
        guard k < end else { throw FastJSONError() }
        var value: Int64 = 0
        while k < end {
            let d = bytes[k] &- 0x30
            guard d <= 9 else { throw FastJSONError() }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { throw FastJSONError() }
            value = s
            k += 1
        }
        return value
    }

    func unsigned(_ node: Node) throws -> UInt64 {
        guard node.kind == .number, node.end > node.start else { throw FastJSONError() }
        var value: UInt64 = 0
        for k in Int(node.start)..<Int(node.end) {
            let d = bytes[k] &- 0x30
            guard d <= 9 else { throw FastJSONError() }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { throw FastJSONError() }
            value = s
        }
        return value
    }

    func double(_ node: Node) throws -> Double {
        guard node.kind == .number else { throw FastJSONError() }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(node.start)..<Int(node.end)]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw FastJSONError() }
        return value
    }

    private func unescape(_ slice: UnsafeBufferPointer<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var k = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= slice.count else { throw FastJSONError() }
            var v: UInt32 = 0
            for j in at..<(at + 4) {
                let c = slice[j]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: throw FastJSONError()
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while k < slice.count {
            let b = slice[k]
            guard b == UInt8(ascii: "\\") else { out.append(b); k += 1; continue }
            guard k + 1 < slice.count else { throw FastJSONError() }
            switch slice[k + 1] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(k + 2)
                k += 6
                if (0xD800...0xDBFF).contains(scalar) {
                    guard k + 1 < slice.count, slice[k] == UInt8(ascii: "\\"), slice[k + 1] == UInt8(ascii: "u") else { throw FastJSONError() }
                    let low = try hex4(k + 2)
                    guard (0xDC00...0xDFFF).contains(low) else { throw FastJSONError() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                }
                guard let u = Unicode.Scalar(scalar) else { throw FastJSONError() }
                out.append(contentsOf: Array(String(Character(u)).utf8))
                continue
            default: throw FastJSONError()
            }
            k += 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - Decoder

/// Decodes the value at `index` as `T` (shared by all three container kinds).
private func decodeValue<T: Decodable>(_ type: T.Type, _ document: JSONDocument, _ index: Int) throws -> T {
    let node = document.nodes[index]
    // Cheapest checks first: metatype identity, most frequent types first.
    if T.self == String.self { return try document.string(node) as! T }
    if T.self == Int.self { return Int(try document.integer(node)) as! T }
    if T.self == Double.self { return try document.double(node) as! T }
    if T.self == Bool.self { return try document.bool(node) as! T }
    if T.self == Date.self {
        // AgonJSON's date format, not Date's own Codable (a Double).
        guard let date = AgonJSON.parseDate(try document.string(node)) else { throw FastJSONError() }
        return date as! T
    }
    if T.self == Int32.self {
        guard let v = Int32(exactly: try document.integer(node)) else { throw FastJSONError() }
        return v as! T
    }
    if T.self == Int64.self { return try document.integer(node) as! T }
    if T.self == UInt64.self { return try document.unsigned(node) as! T }
    if T.self == Int8.self || T.self == Int16.self || T.self == UInt.self || T.self == UInt8.self
        || T.self == UInt16.self || T.self == UInt32.self || T.self == Float.self || T.self == Data.self
        || T.self == URL.self || T.self == Decimal.self {
        throw FastJSONError() // not used by records; Foundation handles them (and recursion stops here)
    }
    return try T(from: NodeDecoder(document: document, node: index))
}

private struct NodeDecoder: Decoder {
    let document: JSONDocument
    let node: Int
    // Paths are not tracked: any failure falls back to Foundation, which reports the path.
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document.nodes[node].kind == .object else { throw FastJSONError() }
        return KeyedDecodingContainer(KeyedNodes<Key>(document: document, object: node))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard document.nodes[node].kind == .array else { throw FastJSONError() }
        return UnkeyedNodes(document: document, array: node)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        SingleNode(document: document, node: node)
    }
}

private struct KeyedNodes<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: JSONDocument
    let object: Int
    var codingPath: [CodingKey] { [] }

    var allKeys: [Key] {
        var keys: [Key] = []
        var cursor = object + 1
        for _ in 0..<Int(document.nodes[object].count) {
            if let name = try? document.string(document.nodes[cursor]), let key = Key(stringValue: name) { keys.append(key) }
            cursor = Int(document.nodes[cursor + 1].next)
        }
        return keys
    }

    /// Index of the value for `key`, by walking the object's pairs (objects are small).
    private func valueIndex(_ key: Key) -> Int? {
        let name = key.stringValue
        var cursor = object + 1
        for _ in 0..<Int(document.nodes[object].count) {
            if document.keyEquals(document.nodes[cursor], name) { return cursor + 1 }
            cursor = Int(document.nodes[cursor + 1].next)
        }
        return nil
    }

    private func require(_ key: Key) throws -> Int {
        guard let index = valueIndex(key) else { throw FastJSONError() }
        return index
    }

    /// The value for `key` unless absent or null.
    private func present(_ key: Key) -> Int? {
        guard let index = valueIndex(key), document.nodes[index].kind != .null else { return nil }
        return index
    }

    func contains(_ key: Key) -> Bool { valueIndex(key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { document.nodes[try require(key)].kind == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(type, document, try require(key))
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try decodeValue(type, document, $0) }
    }

    func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.string(document.nodes[try require(key)]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { Int(try document.integer(document.nodes[try require(key)])) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try document.double(document.nodes[try require(key)]) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.bool(document.nodes[try require(key)]) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try document.string(document.nodes[$0]) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { Int(try document.integer(document.nodes[$0])) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try present(key).map { try document.double(document.nodes[$0]) }
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw FastJSONError() }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { throw FastJSONError() }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { throw FastJSONError() }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeValue(type, document, try require(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeValue(type, document, try require(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { throw FastJSONError() }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { throw FastJSONError() }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { throw FastJSONError() }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { throw FastJSONError() }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeValue(type, document, try require(key)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(document: document, node: try require(key)).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try NodeDecoder(document: document, node: try require(key)).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder { throw FastJSONError() }
    func superDecoder(forKey key: Key) throws -> Decoder { throw FastJSONError() }
}

private struct UnkeyedNodes: UnkeyedDecodingContainer {
    let document: JSONDocument
    let count: Int?
    private(set) var currentIndex = 0
    private var cursor: Int
    var codingPath: [CodingKey] { [] }

    init(document: JSONDocument, array: Int) {
        self.document = document
        count = Int(document.nodes[array].count)
        cursor = array + 1
    }

    var isAtEnd: Bool { currentIndex >= count! }

    private mutating func advance() throws -> Int {
        guard !isAtEnd else { throw FastJSONError() }
        let index = cursor
        cursor = Int(document.nodes[index].next)
        currentIndex += 1
        return index
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw FastJSONError() }
        if document.nodes[cursor].kind == .null {
            _ = try advance()
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type, document, try advance()) }
    mutating func decode(_ type: String.Type) throws -> String { try document.string(document.nodes[try advance()]) }
    mutating func decode(_ type: Int.Type) throws -> Int { Int(try document.integer(document.nodes[try advance()])) }
    mutating func decode(_ type: Double.Type) throws -> Double { try document.double(document.nodes[try advance()]) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try document.bool(document.nodes[try advance()]) }
    mutating func decode(_ type: Float.Type) throws -> Float { throw FastJSONError() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { throw FastJSONError() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { throw FastJSONError() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(type, document, try advance()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(type, document, try advance()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { throw FastJSONError() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { throw FastJSONError() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { throw FastJSONError() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { throw FastJSONError() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(type, document, try advance()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(document: document, node: try advance()).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        try NodeDecoder(document: document, node: try advance()).unkeyedContainer()
    }
    mutating func superDecoder() throws -> Decoder { throw FastJSONError() }
}

private struct SingleNode: SingleValueDecodingContainer {
    let document: JSONDocument
    let node: Int
    var codingPath: [CodingKey] { [] }

    func decodeNil() -> Bool { document.nodes[node].kind == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type, document, node) }
    func decode(_ type: String.Type) throws -> String { try document.string(document.nodes[node]) }
    func decode(_ type: Int.Type) throws -> Int { Int(try document.integer(document.nodes[node])) }
    func decode(_ type: Double.Type) throws -> Double { try document.double(document.nodes[node]) }
    func decode(_ type: Bool.Type) throws -> Bool { try document.bool(document.nodes[node]) }
    func decode(_ type: Float.Type) throws -> Float { throw FastJSONError() }
    func decode(_ type: Int8.Type) throws -> Int8 { throw FastJSONError() }
    func decode(_ type: Int16.Type) throws -> Int16 { throw FastJSONError() }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(type, document, node) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(type, document, node) }
    func decode(_ type: UInt.Type) throws -> UInt { throw FastJSONError() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { throw FastJSONError() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { throw FastJSONError() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { throw FastJSONError() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(type, document, node) }
}
