import AgonCore
import Foundation

/// Escaping for text placed in HTML or SVG (text content and quoted attribute values alike).
public enum HTMLEscape {
    /// Escapes `& < > " '` and replaces characters XML forbids (C0/C1 controls other than tab,
    /// newline and carriage return, U+FFFE/U+FFFF) with visible stand-ins, so the output stays
    /// well-formed whatever an agent printed.
    private static let amp = Array("&amp;".utf8), lt = Array("&lt;".utf8), gt = Array("&gt;".utf8),
        quot = Array("&quot;".utf8), apos = Array("&#39;".utf8)

    public static func escape(_ text: String) -> String {
        // Works on UTF-8 bytes: patches can be megabytes, and scalar-by-scalar string building is slow.
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]  // U+FFFD
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "&"): out.append(contentsOf: Self.amp)
            case UInt8(ascii: "<"): out.append(contentsOf: Self.lt)
            case UInt8(ascii: ">"): out.append(contentsOf: Self.gt)
            case UInt8(ascii: "\""): out.append(contentsOf: Self.quot)
            case UInt8(ascii: "'"): out.append(contentsOf: Self.apos)
            case 0x09, 0x0A, 0x0D: out.append(b)
            case 0x00..<0x20:
                // U+2400… "Control Pictures": ␀ ␁ … ␛ show what was there.
                out.append(contentsOf: [0xE2, 0x90, 0x80 + b])
            case 0x7F: out.append(contentsOf: [0xE2, 0x90, 0xA1])  // ␡
            case 0xC2 where i + 1 < bytes.count && (0x80...0x9F).contains(bytes[i + 1]):
                out.append(contentsOf: replacement)  // C1 control
                i += 1
            case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBF && (bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF):
                out.append(contentsOf: replacement)  // U+FFFE, U+FFFF
                i += 2
            default: out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Shorthand used by the renderers.
func esc(_ text: String) -> String { HTMLEscape.escape(text) }

/// A number for SVG coordinates: fixed two decimals, no locale, no `-0`.
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    return Format.fixed(value, decimals: 2)
}
