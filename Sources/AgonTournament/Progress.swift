import AgonAgents
import AgonCore
import AgonReport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a tournament reports progress: a table redrawn in place, plain lines, or nothing.
public protocol ProgressSink: AnyObject {
    /// A one-off message (warnings, where artifacts are).
    func note(_ line: String)
    /// The current rows; called often (throttle inside).
    func rows(_ rows: [ProgressRow], stateChanged: Bool)
    /// The run's agents are done: leave the last frame on screen.
    func close()
}

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
    func line(for row: ProgressRow) {
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

/// A sink that drops everything (tests, `--quiet`).
public final class SilentProgress: ProgressSink {
    public init() {}
    public func note(_ line: String) {}
    public func rows(_ rows: [ProgressRow], stateChanged: Bool) {}
    public func close() {}
}

/// The rows of one run's progress table, updated from the agents' threads.
final class ProgressBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [ProgressRow]
    private var started: [String: Double] = [:]
    private let sink: ProgressSink

    init(agents: [PlannedAgent], sink: ProgressSink) {
        self.sink = sink
        rows = agents.map {
            ProgressRow(agent: $0.id, state: .queued, costSource: $0.price == nil ? .unpriced : .computed,
                        budgetUSD: $0.budget.isTallyOnly ? nil : $0.budget.maxCostUSD)
        }
    }

    func started(_ agent: String) {
        change(agent, stateChanged: true) { $0.state = .running }
    }

    func update(_ agent: String, _ progress: AgentProgress) {
        change(agent, stateChanged: false) { row in
            row.elapsedMs = Int(progress.elapsed * 1000)
            row.tokens = progress.usage.total
            row.costUSD = progress.costUSD
        }
    }

    func checking(_ agent: String) {
        change(agent, stateChanged: true) { $0.state = .checking }
    }

    func finished(_ candidate: CandidateRecord) {
        change(candidate.agent, stateChanged: true) { row in
            row.state = .done(candidate.outcome ?? .interrupted)
            row.elapsedMs = candidate.durationMs ?? row.elapsedMs
            row.tokens = candidate.tokens.total
            row.costUSD = candidate.costUSD
            row.costSource = candidate.costSource
            row.checks = CheckResults(acceptance: candidate.checks.acceptance, holdout: candidate.checks.holdout,
                                      scope: candidate.checks.scope)
        }
    }

    func close() { sink.close() }

    private func change(_ agent: String, stateChanged: Bool, _ edit: (inout ProgressRow) -> Void) {
        lock.lock()
        guard let index = rows.firstIndex(where: { $0.agent == agent }) else { lock.unlock(); return }
        edit(&rows[index])
        let snapshot = rows
        let row = rows[index]
        lock.unlock()
        sink.rows(snapshot, stateChanged: stateChanged)
        if stateChanged, let terminal = sink as? TerminalProgress { terminal.line(for: row) }
    }
}
