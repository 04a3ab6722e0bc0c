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
            return try T(from: NodeDecoder(document: document, node: 0, codingPath: []))
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

private final class JSONDocument {
    let bytes: UnsafeBufferPointer<UInt8>
    var nodes: [Node] = []
    private var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) throws {
        self.bytes = bytes
        nodes.reserveCapacity(bytes.count / 8)
        try parseValue()
        skipSpace()
        guard i == bytes.count else { throw FastJSONError() }
    }

    private func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private func parseValue() throws {
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

    private func literal(_ text: StaticString, _ kind: Node.Kind) throws {
        let n = text.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw FastJSONError() }
        for k in 0..<n where bytes[i + k] != text.utf8Start[k] { throw FastJSONError() }
        nodes.append(Node(kind: kind, start: Int32(i), end: Int32(i + n), count: 0, next: 0))
        i += n
    }

    private func parseString() throws {
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
        var key = key
        return key.withUTF8 { utf8 in
            utf8.count == length && memcmp(utf8.baseAddress!, bytes.baseAddress! + Int(node.start), length) == 0
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

private struct NodeDecoder: Decoder {
    let document: JSONDocument
    let node: Int
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document.nodes[node].kind == .object else { throw FastJSONError() }
        return KeyedDecodingContainer(KeyedNodes<Key>(document: document, object: node, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard document.nodes[node].kind == .array else { throw FastJSONError() }
        return UnkeyedNodes(document: document, array: node, codingPath: codingPath)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer {
        SingleNode(document: document, node: node, codingPath: codingPath)
    }
}

/// Decodes the value at `node` as `T` (shared by all three container kinds).
private func decodeValue<T: Decodable>(_ type: T.Type, _ document: JSONDocument, _ index: Int, _ path: [CodingKey]) throws -> T {
    let node = document.nodes[index]
    switch type {
    case is String.Type: return try document.string(node) as! T
    case is Int.Type: return Int(try document.integer(node)) as! T
    case is Double.Type: return try document.double(node) as! T
    case is Bool.Type:
        switch node.kind {
        case .true: return true as! T
        case .false: return false as! T
        default: throw FastJSONError()
        }
    case is Int32.Type:
        guard let v = Int32(exactly: try document.integer(node)) else { throw FastJSONError() }
        return v as! T
    case is Int64.Type: return try document.integer(node) as! T
    case is UInt64.Type: return try document.unsigned(node) as! T
    case is Date.Type:
        // AgonJSON's date format, not Date's own Codable (a Double).
        guard let date = AgonJSON.parseDate(try document.string(node)) else { throw FastJSONError() }
        return date as! T
    case is Int8.Type, is Int16.Type, is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is Float.Type,
         is Data.Type, is URL.Type, is Decimal.Type:
        throw FastJSONError() // not used by records; Foundation handles them (and recursion stops here)
    default:
        return try T(from: NodeDecoder(document: document, node: index, codingPath: path))
    }
}

private struct KeyedNodes<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: JSONDocument
    let codingPath: [CodingKey]
    /// Index of each key node; its value is the node right after it.
    private let keyNodes: [Int]

    init(document: JSONDocument, object: Int, codingPath: [CodingKey]) {
        self.document = document
        self.codingPath = codingPath
        var keys: [Int] = []
        let count = Int(document.nodes[object].count)
        keys.reserveCapacity(count)
        var cursor = object + 1
        for _ in 0..<count {
            keys.append(cursor)
            cursor = Int(document.nodes[cursor + 1].next)
        }
        keyNodes = keys
    }

    var allKeys: [Key] {
        keyNodes.compactMap { (try? document.string(document.nodes[$0])).flatMap(Key.init(stringValue:)) }
    }

    private func valueIndex(_ key: Key) -> Int? {
        let name = key.stringValue
        for k in keyNodes where document.keyEquals(document.nodes[k], name) { return k + 1 }
        return nil
    }

    private func require(_ key: Key) throws -> Int {
        guard let index = valueIndex(key) else { throw FastJSONError() }
        return index
    }

    func contains(_ key: Key) -> Bool { valueIndex(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        document.nodes[try require(key)].kind == .null
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(type, document, try require(key), codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(document: document, node: try require(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try NodeDecoder(document: document, node: try require(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { throw FastJSONError() }
    func superDecoder(forKey key: Key) throws -> Decoder { throw FastJSONError() }

    // The protocol's primitive requirements, all through `decode<T>`.
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type as Bool.Type, forKey: key, generic: ()) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type as String.Type, forKey: key, generic: ()) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type as Double.Type, forKey: key, generic: ()) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type as Float.Type, forKey: key, generic: ()) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type as Int.Type, forKey: key, generic: ()) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type as Int8.Type, forKey: key, generic: ()) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type as Int16.Type, forKey: key, generic: ()) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type as Int32.Type, forKey: key, generic: ()) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type as Int64.Type, forKey: key, generic: ()) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type as UInt.Type, forKey: key, generic: ()) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type as UInt8.Type, forKey: key, generic: ()) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type as UInt16.Type, forKey: key, generic: ()) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type as UInt32.Type, forKey: key, generic: ()) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type as UInt64.Type, forKey: key, generic: ()) }
    private func decode<T: Decodable>(_ type: T.Type, forKey key: Key, generic: Void) throws -> T {
        try decodeValue(type, document, try require(key), codingPath + [key])
    }
}

private struct UnkeyedNodes: UnkeyedDecodingContainer {
    let document: JSONDocument
    let codingPath: [CodingKey]
    let count: Int?
    private(set) var currentIndex = 0
    private var cursor: Int

    init(document: JSONDocument, array: Int, codingPath: [CodingKey]) {
        self.document = document
        self.codingPath = codingPath
        count = Int(document.nodes[array].count)
        cursor = array + 1
    }

    var isAtEnd: Bool { currentIndex >= count! }

    private struct IndexKey: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue!)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

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

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath + [IndexKey(currentIndex)]
        return try decodeValue(type, document, try advance(), path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let path = codingPath + [IndexKey(currentIndex)]
        return try NodeDecoder(document: document, node: try advance(), codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let path = codingPath + [IndexKey(currentIndex)]
        return try NodeDecoder(document: document, node: try advance(), codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> Decoder { throw FastJSONError() }

    // The protocol's primitive requirements, all through `decode<T>`.
    mutating func decode(_ type: Bool.Type) throws -> Bool { try decode(type, generic: ()) }
    mutating func decode(_ type: String.Type) throws -> String { try decode(type, generic: ()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decode(type, generic: ()) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decode(type, generic: ()) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decode(type, generic: ()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decode(type, generic: ()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decode(type, generic: ()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decode(type, generic: ()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decode(type, generic: ()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decode(type, generic: ()) }
    private mutating func decode<T: Decodable>(_ type: T.Type, generic: Void) throws -> T {
        let path = codingPath + [IndexKey(currentIndex)]
        return try decodeValue(type, document, try advance(), path)
    }
}

private struct SingleNode: SingleValueDecodingContainer {
    let document: JSONDocument
    let node: Int
    let codingPath: [CodingKey]

    func decodeNil() -> Bool { document.nodes[node].kind == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decodeValue(type, document, node, codingPath)
    }

    // The protocol's primitive requirements, all through `decodeValue`.
    func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: String.Type) throws -> String { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeValue(type, document, node, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(type, document, node, codingPath) }
}
