import Foundation

/// A terminal table: a header, an underline of `─`, and aligned rows separated by two spaces.
///
/// Cells are sanitised (no escape sequences from agent text can reach the terminal) and cut
/// with `…` to their column's `maxWidth`. Colour is applied after padding so alignment holds.
public struct TextTable: Sendable {
    /// Horizontal alignment of a column.
    public enum Alignment: Sendable { case left, right }

    /// A column's header and layout rules.
    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        public var maxWidth: Int?

        public init(_ title: String, alignment: Alignment = .left, maxWidth: Int? = nil) {
            self.title = title
            self.alignment = alignment
            self.maxWidth = maxWidth
        }

        /// A right-aligned column for numbers.
        public static func number(_ title: String, maxWidth: Int? = nil) -> Column {
            Column(title, alignment: .right, maxWidth: maxWidth)
        }
    }

    /// One cell: its text and an optional style.
    public struct Cell: Sendable, ExpressibleByStringLiteral {
        public var text: String
        public var style: TextStyle

        public init(_ text: String, style: TextStyle = .plain) {
            self.text = text
            self.style = style
        }

        public init(stringLiteral value: String) { self.init(value) }
    }

    public var columns: [Column]
    public private(set) var rows: [[Cell]] = []

    public init(columns: [Column]) {
        self.columns = columns
    }

    /// Appends a row; missing trailing cells are empty, extra cells are ignored.
    public mutating func append(_ cells: [Cell]) {
        var row = Array(cells.prefix(columns.count))
        while row.count < columns.count { row.append(Cell("")) }
        rows.append(row)
    }

    /// Appends a row of unstyled strings.
    public mutating func append(_ texts: [String]) {
        append(texts.map { Cell($0) })
    }

    /// The rendered table, one line per row, each ending in `\n`, without trailing spaces.
    public func render(color: Bool = false) -> String {
        guard !columns.isEmpty else { return "" }
        let header = columns.map { fit($0.title, $0) }
        let body = rows.map { row in zip(row, columns).map { fit($0.text, $1) } }
        var widths = header.map(TerminalText.width)
        for row in body {
            for (i, text) in row.enumerated() { widths[i] = max(widths[i], TerminalText.width(text)) }
        }

        var out = ""
        out += line(header.map { Cell($0, style: .bold) }, widths: widths, color: color)
        out += line(widths.map { Cell(String(repeating: "─", count: $0), style: .dim) }, widths: widths, color: color)
        for (texts, cells) in zip(body, rows) {
            out += line(zip(texts, cells).map { Cell($0, style: $1.style) }, widths: widths, color: color)
        }
        return out
    }

    private func fit(_ text: String, _ column: Column) -> String {
        let clean = TerminalText.sanitize(text)
        guard let maxWidth = column.maxWidth else { return clean }
        return TerminalText.truncate(clean, to: maxWidth)
    }

    private func line(_ cells: [Cell], widths: [Int], color: Bool) -> String {
        var parts: [String] = []
        for (i, cell) in cells.enumerated() {
            let isLast = i == cells.count - 1
            let rightAlign = columns[i].alignment == .right
            // The last left-aligned cell needs no padding: it would only add trailing spaces.
            let missing = isLast && !rightAlign ? 0 : max(0, widths[i] - TerminalText.width(cell.text))
            let spaces = String(repeating: " ", count: missing)
            let styled = cell.style.apply(cell.text, color: color)
            parts.append(rightAlign ? spaces + styled : styled + spaces)
        }
        var text = parts.joined(separator: "  ")
        while text.hasSuffix(" ") { text.removeLast() }
        return text + "\n"
    }
}
