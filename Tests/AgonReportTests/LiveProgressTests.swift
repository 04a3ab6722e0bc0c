import AgonCore
import AgonLeaderboard
@testable import AgonReport
import AgonTournament
import Foundation
import Testing

@Suite struct LiveProgressTests {
    let rows = [
        ProgressRow(agent: "sonnet", state: .running, elapsedMs: 83_000, tokens: 1_234, costUSD: 0.31,
                    costSource: .reported, budgetUSD: 0.5),
        ProgressRow(agent: "gpt", state: .queued, budgetUSD: 2),
        ProgressRow(agent: "spender", state: .done(.costKilled), elapsedMs: 300_000, tokens: 110_000, costUSD: 0.51,
                    budgetUSD: 0.5, checks: CheckSummary()),
        ProgressRow(agent: "local", state: .checking, elapsedMs: 5_000, tokens: 0, costUSD: nil, costSource: .unpriced),
    ]

    @Test func costBarFillsInProportionToBudget() {
        #expect(LiveProgressTable.costBar(rows[0]) == "[██████░░░░] $0.31/$0.50")
        #expect(LiveProgressTable.costBar(rows[1]) == "[░░░░░░░░░░] $0.00/$2.00")
        #expect(LiveProgressTable.costBar(rows[2]) == "[██████████] $0.51/$0.50")
        #expect(LiveProgressTable.costBar(rows[3]) == "[··········] unpriced")
    }

    @Test func frameSnapshot() {
        let frame = LiveProgressTable(rows: rows).frame()
        let expected = [
            "agent    state             elapsed  tokens  cost                      A H S",
            "───────  ────────────────  ───────  ──────  ────────────────────────  ─────",
            "sonnet   running             1m23s    1.2k  [██████░░░░] $0.31/$0.50",
            "gpt      queued                  —       0  [░░░░░░░░░░] $0.00/$2.00",
            "spender  done cost_killed    5m00s    110k  [██████████] $0.51/$0.50  – – –",
            "local    checking             5.0s       0  [··········] unpriced",
            "1/4 done · 1 running · 1 checking · 1 queued · $0.82 spent + unpriced",
        ]
        #expect(frame == expected, "got:\n\(frame.joined(separator: "\n"))")
    }

    @Test func redrawMovesUpOverThePreviousFrame() {
        let table = LiveProgressTable(rows: rows)
        let first = table.redraw(previousLineCount: 0)
        #expect(!first.contains("A\u{1B}"))
        #expect(first.hasPrefix("\u{1B}[2K"))
        let again = table.redraw(previousLineCount: 7)
        #expect(again.hasPrefix("\r\u{1B}[7A"))
        #expect(again.components(separatedBy: "\u{1B}[2K").count - 1 == 7)
        #expect(again.filter { $0 == "\n" }.count == 7)
        #expect(again.hasSuffix("\u{1B}[J"))
        // A shorter frame after a taller one: the leftover lines are erased by ESC[J.
        let shorter = LiveProgressTable(rows: Array(rows.prefix(1))).redraw(previousLineCount: 7)
        #expect(shorter.hasPrefix("\r\u{1B}[7A") && shorter.hasSuffix("\u{1B}[J"))
        #expect(shorter.filter { $0 == "\n" }.count == 4)
    }

    @Test func linesNeverExceedTheTerminalWidth() {
        let table = LiveProgressTable(rows: rows, color: true, terminalWidth: 40)
        for line in table.frame() {
            #expect(TerminalText.width(line) <= 39, "\(line)")
            #expect(!line.contains("\u{1B}") || line.hasSuffix("\u{1B}[0m"))
        }
    }

    @Test func plainEventLines() {
        let time = Date(timeIntervalSince1970: 43_263)  // 12:01:03 UTC
        let utc = TimeZone(identifier: "UTC")!
        let row = ProgressRow(agent: "sonnet", state: .running, tokens: 1_200, costUSD: 0.12, budgetUSD: 0.5)
        #expect(ProgressEventLine.format(row, at: time, timeZone: utc) == "12:01:03 sonnet running $0.12/$0.50 1.2k tok")
        let done = ProgressRow(agent: "gpt", state: .done(.ok), elapsedMs: 83_000, tokens: 28_000, costUSD: 0.21,
                               budgetUSD: 2, checks: CheckSummary(acceptance: .passed, holdout: .failed, scope: .passed))
        #expect(ProgressEventLine.format(done, at: time, timeZone: utc)
                == "12:01:03 gpt done ok $0.21/$2.00 28.0k tok 1m23s checks ✓✗✓")
    }
}
