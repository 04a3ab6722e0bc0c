import AgonCore
import AgonLeaderboard
@testable import AgonReport
import AgonTournament
import Testing

@Suite struct CSVTests {
    @Test func quotesOnlyWhenNeeded() {
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("a,b") == "\"a,b\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("two\nlines") == "\"two\nlines\"")
        #expect(CSV.field("crlf\r\nline") == "\"crlf\r\nline\"")
        #expect(CSV.field(" padded") == "\" padded\"")
        #expect(CSV.field("") == "")
    }

    @Test func recordsEndWithCRLF() {
        #expect(CSV.record(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
        #expect(CSV.document(header: ["x", "y"], rows: [["1", "2"], ["3", "4\"5"]]) == "x,y\r\n1,2\r\n3,\"4\"\"5\"\r\n")
    }

    @Test func leaderboardRowsUseRawValues() throws {
        let csv = LeaderboardCSV.render(SampleData.leaderboard)
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines.count == SampleData.leaderboard.rows.count + 2)  // header + rows + trailing empty
        #expect(lines.last == "")
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(header.first == "agent")
        #expect(header.contains("cost_per_success_usd"))
        #expect(Set(header).count == header.count)
        func cell(_ agent: String, _ column: String) throws -> String {
            let line = try #require(lines.first { $0.hasPrefix(agent + ",") })
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return fields[try #require(header.firstIndex(of: column))]
        }
        #expect(try cell("sonnet", "rating") == "1612")
        #expect(try cell("sonnet", "success_rate") == "0.83")
        #expect(try cell("sonnet", "cost_per_success_usd") == "0.41")
        #expect(try cell("spender", "cost_per_success_usd") == "inf")
        #expect(try cell("mystery", "cost_per_success_usd") == "")
        #expect(try cell("mystery", "cost_per_task_usd") == "")
        #expect(try cell("spender", "top_errors") == "cost_killed;timeout")
        #expect(try cell("spender", "on_frontier") == "false")
        #expect(lines.contains { $0.hasPrefix("local <b>model</b>,") })
    }

    @Test func typedColumnsBuildADocument() {
        struct Point { var name: String; var score: Int }
        let doc = CSV.document([Point(name: "a,1", score: 3)], columns: [
            CSVColumn("name") { $0.name }, CSVColumn("score") { String($0.score) },
        ])
        #expect(doc == "name,score\r\n\"a,1\",3\r\n")
    }
}
