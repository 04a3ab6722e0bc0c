import AgonAgents
import AgonCore
import AgonTournament
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr: a live table on a terminal, one plain line per state change otherwise.
public final class TerminalProgress: ProgressSink {
    let isTerminal: Bool
    let color: Bool
    private let lock = NSLock()
    private var lastLineCount = 0
    private var lastDraw = 0.0
    private var lastRows: [ProgressRow] = []

    init(isTerminal: Bool, color: Bool) {
        self.isTerminal = isTerminal
        self.color = color
    }

    public static func standardError() -> TerminalProgress {
        let tty = isatty(STDERR_FILENO) == 1
        let color = tty && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        return TerminalProgress(isTerminal: tty, color: color)
    }

    public func note(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        if isTerminal && lastLineCount > 0 {
            // Print above the table, then redraw it below.
            write(LiveProgressTable(rows: [], color: color).redraw(previousLineCount: lastLineCount))
            lastLineCount = 0
            write(line + "\n")
            draw(lastRows)
        } else {
            write(line + "\n")
        }
    }

    public func rows(_ rows: [ProgressRow], stateChanged: Bool) {
        lock.lock(); defer { lock.unlock() }
        lastRows = rows
        if isTerminal {
            let now = MonotonicClock.now()
            guard stateChanged || now - lastDraw >= 0.2 else { return }
            lastDraw = now
            draw(rows)
        }
    }

    /// Plain mode: one line for the candidate whose state changed.
    public func changed(_ row: ProgressRow) {
        lock.lock(); defer { lock.unlock() }
        if !isTerminal { write(ProgressEventLine.format(row, at: Date()) + "\n") }
    }

    public func close() {
        lock.lock(); defer { lock.unlock() }
        if isTerminal { draw(lastRows); lastLineCount = 0 }
    }

    private func draw(_ rows: [ProgressRow]) {
        let width = Self.terminalWidth()
        let table = LiveProgressTable(rows: rows, color: color, terminalWidth: width)
        write(table.redraw(previousLineCount: lastLineCount))
        lastLineCount = table.frame().count
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func terminalWidth() -> Int? {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return nil
    }
}
