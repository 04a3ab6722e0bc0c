import AgonCore
import AgonLeaderboard
@testable import AgonReport
import AgonTournament
import Testing

@Suite struct TextTableTests {
    @Test func alignsNumbersRightAndTextLeft() {
        var table = TextTable(columns: [.init("agent"), .number("cost"), .init("note")])
        table.append(["sonnet", "$0.31", "fine"])
        table.append(["gpt", "$12.50", ""])
        let expected = """
        agent     cost  note
        ──────  ──────  ────
        sonnet   $0.31  fine
        gpt     $12.50

        """
        #expect(table.render() == expected)
    }

    @Test func truncatesLongCellsWithEllipsis() {
        var table = TextTable(columns: [.init("agent", maxWidth: 8), .number("n")])
        table.append(["a-very-long-agent-name", "1"])
        table.append(["short", "22"])
        let expected = """
        agent      n
        ────────  ──
        a-very-…   1
        short     22

        """
        #expect(table.render() == expected)
        #expect(TerminalText.truncate("abcdef", to: 6) == "abcdef")
        #expect(TerminalText.truncate("abcdefg", to: 6) == "abcde…")
        #expect(TerminalText.truncate("日本語テキスト", to: 6) == "日本…")
    }

    @Test func measuresWideAndZeroWidthCharacters() {
        #expect(TerminalText.width("abc") == 3)
        #expect(TerminalText.width("✓✗–…─█░") == 7)
        #expect(TerminalText.width("日本") == 4)
        #expect(TerminalText.width("🚀") == 2)
        #expect(TerminalText.width("e\u{301}") == 1)
        #expect(TerminalText.width("\u{1B}[31mred\u{1B}[0m") == 3)
    }

    @Test func wideCharactersStillAlign() {
        var table = TextTable(columns: [.init("name"), .number("n")])
        table.append(["日本", "1"])
        table.append(["abcde", "10"])
        let lines = table.render().split(separator: "\n").map(String.init)
        #expect(Set(lines.map(TerminalText.width)).count == 1)
        #expect(lines[2] == "日本    1")
    }

    @Test func colourIsOptionalAndDoesNotBreakAlignment() {
        var table = TextTable(columns: [.init("agent"), .number("cost")])
        table.append([TextTable.Cell("sonnet", style: .green), TextTable.Cell("$0.31", style: .red)])
        let plain = table.render(color: false)
        let colored = table.render(color: true)
        #expect(!plain.contains("\u{1B}"))
        #expect(colored.contains("\u{1B}[32msonnet\u{1B}[0m"))
        #expect(colored.contains("\u{1B}[31m$0.31\u{1B}[0m"))
        let stripped = colored.replacingOccurrences(of: #"\x{1B}\[[0-9;]*m"#, with: "", options: .regularExpression)
        #expect(stripped == plain)
    }

    @Test func agentTextCannotInjectEscapes() {
        var table = TextTable(columns: [.init("agent"), .init("error")])
        table.append(["evil\u{1B}[2J\u{1B}]0;title\u{07}", "line1\nline2\u{07}"])
        let out = table.render()
        #expect(!out.contains("\u{1B}"))
        #expect(!out.contains("\u{07}"))
        #expect(out.contains("evil"))
        #expect(out.contains("line1 line2\u{FFFD}"))
        #expect(out.split(separator: "\n").count == 3)
    }

    @Test func leaderboardMarksProvisionalAndInfinity() {
        let out = TerminalReport.leaderboard(SampleData.leaderboard)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 + SampleData.leaderboard.rows.count + 1)
        let spender = try! #require(lines.first { $0.contains("spender") })
        #expect(spender.contains("∞"))
        let local = try! #require(lines.first { $0.contains("local") })
        #expect(local.contains("1400*"))
        let mystery = try! #require(lines.first { $0.contains("mystery") })
        #expect(mystery.contains("unpriced"))
        #expect(lines.last!.contains("provisional"))
        // All body lines share the header's column layout: each right-aligned column ends at the same offset.
        let header = lines[0]
        let ratingEnd = header.range(of: "rating")!.upperBound
        let offset = header.distance(from: header.startIndex, to: ratingEnd)
        for line in lines[2..<(2 + SampleData.leaderboard.rows.count)] {
            let prefix = String(line.prefix(offset))
            #expect(prefix.last?.isNumber == true || prefix.last == "*", "\(line)")
        }
    }

    @Test func verifierTable() {
        let v = TerminalReport.verifiers(SampleData.leaderboard.verifiers)
        #expect(v.contains("judge-a"))
        #expect(v.contains("88%"))
        #expect(v.contains("-0.18"))
    }
}
