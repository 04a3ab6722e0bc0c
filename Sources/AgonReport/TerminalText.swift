import Foundation

/// ANSI text styles for terminal output; rendered only when the caller enables colour.
public enum TextStyle: Sendable, Equatable {
    case plain, bold, dim, red, green, yellow, blue, cyan, magenta

    var sgr: String? {
        switch self {
        case .plain: return nil
        case .bold: return "1"
        case .dim: return "2"
        case .red: return "31"
        case .green: return "32"
        case .yellow: return "33"
        case .blue: return "34"
        case .magenta: return "35"
        case .cyan: return "36"
        }
    }

    /// Wraps `text` in this style's escape codes when `color` is on.
    public func apply(_ text: String, color: Bool) -> String {
        guard color, let sgr, !text.isEmpty else { return text }
        return "\u{1B}[\(sgr)m" + text + "\u{1B}[0m"
    }
}

/// Terminal display width, sanitising and truncation of text that may come from agents.
public enum TerminalText {
    /// Columns `text` occupies on a terminal: ANSI escapes and combining marks take none,
    /// East Asian wide characters and emoji take two.
    public static func width(_ text: String) -> Int {
        var total = 0
        var inEscape = false
        for character in text {
            if inEscape {
                // A CSI sequence ends at its first byte in @…~.
                if let ascii = character.asciiValue, (0x40...0x7E).contains(ascii), character != "[" { inEscape = false }
                continue
            }
            if character == "\u{1B}" { inEscape = true; continue }
            total += width(of: character)
        }
        return total
    }

    /// Width of one grapheme cluster.
    static func width(of character: Character) -> Int {
        var sawVisible = false
        for scalar in character.unicodeScalars {
            let v = scalar.value
            if v == 0xFE0F { return 2 }  // emoji presentation selector
            if isWide(v) || (scalar.properties.isEmojiPresentation && v > 0xFF) { return 2 }
            if !isZeroWidth(scalar) { sawVisible = true }
        }
        return sawVisible ? 1 : 0
    }

    private static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return true
        default: return scalar.value == 0x200B
        }
    }

    private static func isWide(_ v: UInt32) -> Bool {
        (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
            || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
            || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
    }

    /// Makes agent-supplied text safe for a single terminal cell: escape sequences are removed,
    /// tabs and newlines become spaces, other control characters become `�`.
    public static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            return text
        }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let s = scalars.next() {
            switch s.value {
            case 0x1B:
                // Drop CSI (ESC [ … final) and two-byte escapes.
                guard let next = scalars.next() else { break }
                if next == "[" {
                    while let c = scalars.next(), !(0x40...0x7E).contains(c.value) {}
                } else if next == "]" {
                    // OSC: up to BEL or ESC \.
                    while let c = scalars.next(), c.value != 0x07, c.value != 0x1B {}
                }
            case 0x09, 0x0A, 0x0D: out.append(" ")
            case 0..<0x20, 0x7F...0x9F: out.append("\u{FFFD}")
            default: out.append(s)
            }
        }
        return String(out)
    }

    /// Cuts `text` to at most `maxWidth` columns, ending with `…` when it was cut.
    public static func truncate(_ text: String, to maxWidth: Int) -> String {
        guard maxWidth > 0 else { return "" }
        guard width(text) > maxWidth else { return text }
        var out = ""
        var used = 0
        for character in text {
            let w = width(of: character)
            if used + w > maxWidth - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    /// Pads `text` with spaces to `width` columns, on the right (left-aligned) or the left.
    public static func pad(_ text: String, to targetWidth: Int, rightAlign: Bool) -> String {
        let missing = targetWidth - width(text)
        guard missing > 0 else { return text }
        let spaces = String(repeating: " ", count: missing)
        return rightAlign ? spaces + text : text + spaces
    }
}
