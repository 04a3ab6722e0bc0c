import Foundation

/// Re-encodes libgit2's "GIT binary patch" sections the way git does.
///
/// libgit2 deflates binary hunks at zlib's default level; git uses core.compression
/// (default 1, Z_BEST_SPEED) and picks delta vs literal by comparing sizes at that level.
/// We decode libgit2's hunks, rebuild both sides, and redo git's choice and encoding.
struct BinaryPatchEncoder {
    let level: Int32

    private static let marker = Array("GIT binary patch\n".utf8)

    /// Rewrites one file's patch. `oldContent` is the pre-image blob (empty when added).
    /// Returns nil when the text cannot be decoded (the caller keeps libgit2's bytes).
    func rewrite(_ patch: [UInt8], oldContent: [UInt8]) -> [UInt8]? {
        guard let start = Self.find(Self.marker, in: patch) else { return nil }
        let headerEnd = start + Self.marker.count
        guard let hunks = Self.parseHunks(patch[headerEnd...]), hunks.count == 2 else { return nil }
        let forward = hunks[0], reverse = hunks[1]

        let source = oldContent
        let target: [UInt8]
        switch forward.kind {
        case .literal: target = forward.raw
        case .delta:
            guard let rebuilt = GitDelta.apply(forward.raw, to: source) else { return nil }
            target = rebuilt
        }
        if reverse.kind == .literal && reverse.raw != source { return nil }

        guard let forwardBody = body(from: source, to: target, delta: forward.kind == .delta ? forward.raw : nil),
              let reverseBody = body(from: target, to: source, delta: reverse.kind == .delta ? reverse.raw : nil)
        else { return nil }
        return Array(patch[..<headerEnd]) + forwardBody + reverseBody
    }

    /// git's `emit_binary_diff_body`: a delta only when it deflates smaller than the literal.
    private func body(from source: [UInt8], to target: [UInt8], delta: [UInt8]?) -> [UInt8]? {
        guard let literal = Zlib.deflate(target, level: level) else { return nil }
        var out: [UInt8]
        var payload = literal
        if !source.isEmpty, !target.isEmpty, let delta, delta.count <= literal.count,
           let deflatedDelta = Zlib.deflate(delta, level: level), deflatedDelta.count < literal.count {
            out = Array("delta \(delta.count)\n".utf8)
            payload = deflatedDelta
        } else {
            out = Array("literal \(target.count)\n".utf8)
        }
        var offset = 0
        while offset < payload.count {
            let n = min(52, payload.count - offset)
            out.append(n <= 26 ? UInt8(ascii: "A") + UInt8(n - 1) : UInt8(ascii: "a") + UInt8(n - 27))
            Base85.encode(payload[offset..<offset + n], into: &out)
            out.append(UInt8(ascii: "\n"))
            offset += n
        }
        out.append(UInt8(ascii: "\n"))
        return out
    }

    struct Hunk {
        enum Kind { case literal, delta }
        let kind: Kind
        /// Inflated bytes: the literal content or the raw delta.
        let raw: [UInt8]
    }

    static func parseHunks(_ text: ArraySlice<UInt8>) -> [Hunk]? {
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var hunks: [Hunk] = []
        var i = lines.startIndex
        while i < lines.endIndex {
            let line = String(decoding: lines[i], as: UTF8.self)
            i += 1
            if line.isEmpty { continue }
            let parts = line.split(separator: " ")
            guard parts.count == 2, let size = Int(parts[1]) else { return nil }
            let kind: Hunk.Kind
            switch parts[0] {
            case "literal": kind = .literal
            case "delta": kind = .delta
            default: return nil
            }
            var deflated: [UInt8] = []
            while i < lines.endIndex, !lines[i].isEmpty {
                guard let decoded = Base85.decodeLine(lines[i]) else { return nil }
                deflated += decoded
                i += 1
            }
            guard let raw = Zlib.inflate(deflated, size: size) else { return nil }
            hunks.append(Hunk(kind: kind, raw: raw))
        }
        return hunks
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<i + needle.count].elementsEqual(needle) { return i }
        }
        return nil
    }
}

/// git's base85 alphabet and line encoding for binary patches.
enum Base85 {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~".utf8)
    private static let values: [UInt8: UInt32] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, UInt32($0)) })

    static func encode(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            var acc: UInt32 = 0
            for shift in stride(from: 24, through: 0, by: -8) {
                let byte = index < bytes.endIndex ? UInt32(bytes[index]) : 0
                acc |= byte << UInt32(shift)
                index += 1
            }
            var group = [UInt8](repeating: 0, count: 5)
            for j in stride(from: 4, through: 0, by: -1) {
                group[j] = alphabet[Int(acc % 85)]
                acc /= 85
            }
            out += group
        }
    }

    /// Decodes one patch line: a length character then base85 groups.
    static func decodeLine(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        guard let first = line.first else { return nil }
        let length: Int
        switch first {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): length = Int(first - UInt8(ascii: "A")) + 1
        case UInt8(ascii: "a")...UInt8(ascii: "z"): length = Int(first - UInt8(ascii: "a")) + 27
        default: return nil
        }
        let chars = line.dropFirst()
        guard chars.count == (length + 3) / 4 * 5 else { return nil }
        var out: [UInt8] = []
        var index = chars.startIndex
        while index < chars.endIndex {
            var acc: UInt64 = 0
            for _ in 0..<5 {
                guard let value = values[chars[index]] else { return nil }
                acc = acc * 85 + UInt64(value)
                index += 1
            }
            guard acc <= UInt64(UInt32.max) else { return nil }
            out += [UInt8(acc >> 24 & 0xff), UInt8(acc >> 16 & 0xff), UInt8(acc >> 8 & 0xff), UInt8(acc & 0xff)]
        }
        return Array(out.prefix(length))
    }
}

/// Applies a git binary delta (the pack delta format) to its base.
enum GitDelta {
    static func apply(_ delta: [UInt8], to base: [UInt8]) -> [UInt8]? {
        var i = 0
        func varint() -> Int? {
            var value = 0, shift = 0
            while i < delta.count {
                let byte = delta[i]
                i += 1
                value |= Int(byte & 0x7f) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
            return nil
        }
        guard let baseSize = varint(), baseSize == base.count, let resultSize = varint() else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(resultSize)
        while i < delta.count {
            let op = delta[i]
            i += 1
            if op & 0x80 != 0 {
                var offset = 0, size = 0
                for bit in 0..<4 where op & (1 << bit) != 0 {
                    guard i < delta.count else { return nil }
                    offset |= Int(delta[i]) << (8 * bit); i += 1
                }
                for bit in 0..<3 where op & (0x10 << bit) != 0 {
                    guard i < delta.count else { return nil }
                    size |= Int(delta[i]) << (8 * bit); i += 1
                }
                if size == 0 { size = 0x10000 }
                guard offset + size <= base.count else { return nil }
                out += base[offset..<offset + size]
            } else if op != 0 {
                let n = Int(op)
                guard i + n <= delta.count else { return nil }
                out += delta[i..<i + n]
                i += n
            } else {
                return nil
            }
        }
        return out.count == resultSize ? out : nil
    }
}
