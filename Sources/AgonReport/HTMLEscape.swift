import Foundation

/// Escaping for text placed in HTML or SVG (text content and quoted attribute values alike).
public enum HTMLEscape {
    /// Escapes `& < > " '` and replaces characters XML forbids (C0/C1 controls other than tab,
    /// newline and carriage return, U+FFFE/U+FFFF) with visible stand-ins, so the output stays
    /// well-formed whatever an agent printed.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            switch s {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            case "\t", "\n", "\r": out.append(s)
            default:
                switch s.value {
                case 0..<0x20:
                    // U+2400… "Control Pictures": ␀ ␁ … ␛ show what was there.
                    out.append(Unicode.Scalar(0x2400 + s.value)!)
                case 0x7F: out.append("\u{2421}")
                case 0x80...0x9F, 0xFFFE, 0xFFFF: out.append("\u{FFFD}")
                default: out.append(s)
                }
            }
        }
        return String(out)
    }
}

/// Shorthand used by the renderers.
func esc(_ text: String) -> String { HTMLEscape.escape(text) }

/// A number for SVG coordinates: fixed two decimals, no locale, no `-0`.
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    return Format.fixed(value, decimals: 2)
}
