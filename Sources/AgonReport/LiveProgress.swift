import AgonCore
import AgonTournament
import Foundation

extension ProgressState {
    var style: TextStyle {
        switch self {
        case .queued: return .dim
        case .running: return .cyan
        case .checking: return .blue
        case .done(let outcome): return TerminalReport.outcomeStyle(outcome)
        }
    }
}

/// The live table of a running tournament, redrawn in place on a terminal.
///
/// Usage: print `redraw(previousLineCount: 0)` once, then `redraw(previousLineCount: n)` with
/// the line count of the frame printed last (`frame().count`), so the cursor moves back up
/// over the old frame and overwrites it.
public struct LiveProgressTable: Sendable {
    public var rows: [ProgressRow]
    public var color: Bool
    /// Terminal width; lines are cut to it so none wraps (a wrapped line would break the redraw).
    public var terminalWidth: Int?
    /// Cells in the cost bar.
    public var barWidth: Int

    /// Whether the frame ends with a totals line (done count, spend).
    public var showTotals: Bool

    public init(rows: [ProgressRow], color: Bool = false, terminalWidth: Int? = nil, barWidth: Int = 10,
                showTotals: Bool = true) {
        self.rows = rows
        self.color = color
        self.terminalWidth = terminalWidth
        self.barWidth = barWidth
        self.showTotals = showTotals
    }

    /// `1/4 done · 1 running · 1 checking · 1 queued · $0.82 spent + unpriced`.
    public func totals() -> String {
        var done = 0, running = 0, checking = 0, queued = 0
        for row in rows {
            switch row.state {
            case .done: done += 1
            case .running: running += 1
            case .checking: checking += 1
            case .queued: queued += 1
            }
        }
        var parts = ["\(done)/\(rows.count) done"]
        if running > 0 { parts.append("\(running) running") }
        if checking > 0 { parts.append("\(checking) checking") }
        if queued > 0 { parts.append("\(queued) queued") }
        let spent = rows.filter { $0.costSource != .unpriced }.compactMap(\.costUSD).reduce(0, +)
        let unpriced = rows.contains { $0.costSource == .unpriced }
        parts.append(Format.usd(spent) + " spent" + (unpriced ? " + unpriced" : ""))
        return parts.joined(separator: " · ")
    }

    /// The frame's lines, without newlines.
    public func frame() -> [String] {
        var table = TextTable(columns: [
            .init("agent", maxWidth: TerminalReport.nameWidth), .init("state"), .number("elapsed"),
            .number("tokens"), .init("cost"), .init("A H S"),
        ])
        for row in rows {
            table.append([
                TextTable.Cell(row.agent),
                TextTable.Cell(Self.stateText(row), style: row.state.style),
                TextTable.Cell(row.state == .queued ? Format.none : Format.duration(ms: row.elapsedMs)),
                TextTable.Cell(Format.tokens(row.tokens)),
                TextTable.Cell(Self.costBar(row, width: barWidth), style: Self.barStyle(row)),
                row.checks.map { TerminalReport.checksCell($0) } ?? TextTable.Cell(""),
            ])
        }
        var lines = table.render(color: color).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if showTotals { lines.append(TextStyle.dim.apply(totals(), color: color)) }
        if let width = terminalWidth, width > 1 {
            lines = lines.map { TerminalText.width($0) > width - 1 ? Self.cut($0, to: width - 1) : $0 }
        }
        return lines
    }

    /// Escape sequences that move up over the previous frame, then the new frame: each line is
    /// cleared before it is written and anything left below from a taller old frame is erased.
    public func redraw(previousLineCount: Int) -> String {
        var out = ""
        if previousLineCount > 0 { out += "\r\u{1B}[\(previousLineCount)A" }
        for line in frame() { out += "\u{1B}[2K" + line + "\n" }
        out += "\u{1B}[J"
        return out
    }

    /// The state, then `cached` for a reused result and `slow (ttft)` for exceeded expectations.
    static func stateText(_ row: ProgressRow) -> String {
        var text = row.state.label
        if row.cacheHit { text += " cached" }
        if !row.slow.isEmpty { text += " slow (" + row.slow.map(\.rawValue).joined(separator: ", ") + ")" }
        return text
    }

    /// `[██████░░░░] $0.31/$0.50`; a full red bar past the budget; no bar fill without a budget.
    public static func costBar(_ row: ProgressRow, width: Int = 10) -> String {
        let text = Format.costAgainstBudget(row.costUSD, source: row.costSource, budget: row.budgetUSD)
        guard let budget = row.budgetUSD, budget > 0, row.costSource != .unpriced else {
            return "[" + String(repeating: "·", count: width) + "] " + text
        }
        let fraction = min(1, max(0, (row.costUSD ?? 0) / budget))
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled) + "] " + text
    }

    static func barStyle(_ row: ProgressRow) -> TextStyle {
        guard let budget = row.budgetUSD, budget > 0, let cost = row.costUSD else {
            return row.costSource == .unpriced ? .yellow : .plain
        }
        let fraction = cost / budget
        return fraction >= 1 ? .red : (fraction >= 0.8 ? .yellow : .green)
    }

    /// Cuts a possibly coloured line to `width` visible columns, keeping escape sequences intact.
    static func cut(_ line: String, to width: Int) -> String {
        var out = ""
        var used = 0
        var inEscape = false
        var hasEscapes = false
        for character in line {
            if inEscape {
                out.append(character)
                if let a = character.asciiValue, (0x40...0x7E).contains(a), character != "[" { inEscape = false }
                continue
            }
            if character == "\u{1B}" { inEscape = true; hasEscapes = true; out.append(character); continue }
            let w = TerminalText.width(of: character)
            if used + w > width { continue }  // keep scanning so later reset codes survive
            out.append(character)
            used += w
        }
        return hasEscapes ? out + "\u{1B}[0m" : out
    }
}

/// One plain line per progress event, for logs and pipes (no escape sequences).
public enum ProgressEventLine {
    /// `12:01:03 sonnet running $0.12/$0.50 1.2k tok`.
    public static func format(_ row: ProgressRow, at time: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.hour, .minute, .second], from: time)
        let clock = [c.hour ?? 0, c.minute ?? 0, c.second ?? 0].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
        var parts = [clock, TerminalText.sanitize(row.agent), LiveProgressTable.stateText(row),
                     Format.costAgainstBudget(row.costUSD, source: row.costSource, budget: row.budgetUSD),
                     Format.tokens(row.tokens) + " tok"]
        if case .done = row.state { parts.append(Format.duration(ms: row.elapsedMs)) }
        if let checks = row.checks { parts.append("checks " + Format.checks(checks)) }
        return parts.joined(separator: " ")
    }
}
