import AgonCore
import AgonLeaderboard
@testable import AgonReport
import AgonTournament
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Parses a document as XML, collecting element names and any parse error.
final class XMLProbe: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var attributes: [[String: String]] = []
    var error: Error?

    static func parse(_ text: String) -> XMLProbe {
        let probe = XMLProbe()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = probe
        if !parser.parse() { probe.error = parser.parserError ?? NSError(domain: "xml", code: 1) }
        return probe
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
        elements.append(name)
        self.attributes.append(attributes)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
}

@Suite struct HTMLReportTests {
    let html = HTMLReport.render(run: SampleData.run, leaderboard: SampleData.leaderboard)

    @Test func escapesEveryHostileString() {
        #expect(!html.contains(SampleData.scriptPayload))
        #expect(!html.contains("<script"))
        #expect(!html.contains(SampleData.attributePayload))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
        #expect(html.contains("local &lt;b&gt;model&lt;/b&gt;"))
        #expect(html.contains("&#39;single&#39;"))
        // Control characters from agent output become visible stand-ins, not raw bytes.
        #expect(!html.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" })
        #expect(html.contains("␇␛[31mred␛[0m"))
    }

    @Test func escapeFunctionCoversAllFiveCharacters() {
        #expect(HTMLEscape.escape(#"a&b<c>d"e'f"#) == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(HTMLEscape.escape("\u{0}\u{1B}\u{7F}\u{85}") == "␀␛␡\u{FFFD}")
    }

    @Test func loadsNothingFromTheNetwork() {
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        let probe = XMLProbe.parse(html)
        for attrs in probe.attributes {
            for key in ["src", "href", "xlink:href", "action", "srcset"] {
                #expect(attrs[key] == nil, "unexpected \(key)=\(attrs[key] ?? "")")
            }
            for (_, value) in attrs where value.contains("url(") {
                #expect(value.hasPrefix("url(#"), "external url in \(value)")
            }
        }
        // Even a patch that mentions URLs only shows them as text.
        var run = SampleData.run
        run.diffs["gpt"] = "+<img src=\"https://evil.example/x.png\">\n+<link href=\"http://evil.example/a.css\">"
        let page = HTMLReport.render(run: run, leaderboard: nil)
        #expect(!page.contains("<img"))
        #expect(!page.contains("<link"))
        let attrs = XMLProbe.parse(page).attributes
        #expect(!attrs.contains { $0["src"] != nil || $0["href"] != nil })
    }

    @Test func wholeDocumentIsWellFormed() throws {
        let probe = XMLProbe.parse(html)
        #expect(probe.error == nil, "\(String(describing: probe.error))")
        #expect(probe.elements.filter { $0 == "svg" }.count == 3)
        #expect(probe.elements.contains("polyline"))
        #expect(probe.elements.contains("details"))
    }

    @Test func everySVGFragmentParsesOnItsOwn() throws {
        var rest = html[...]
        var count = 0
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            let fragment = String(rest[start.lowerBound..<end.upperBound])
            let probe = XMLProbe.parse(fragment)
            #expect(probe.error == nil, "\(String(describing: probe.error))")
            count += 1
            rest = rest[end.upperBound...]
        }
        #expect(count == 3)
    }

    @Test func runSectionShowsCandidatesConsensusAndVerdicts() {
        #expect(html.contains("Kendall’s W 0.780"))
        #expect(html.contains("kemeny"))
        #expect(!html.contains("panel split"))
        #expect(html.contains("malformed verdict after retry"))
        #expect(html.contains("<pre class=\"patch\">"))
        #expect(html.contains("<span class=\"add\">+let maxAttempts = 5"))
        #expect(html.contains("<span class=\"del\">-let maxAttempts = 1\n</span>"))
        #expect(html.contains("<span class=\"hunk\">@@ -1,4 +1,9 @@\n</span>"))
        #expect(html.contains("<span class=\"meta\">+++ b/Sources/HTTP/Retry.swift\n</span>"))
        // Candidate rows follow consensus rank.
        let order = ["sonnet", "gpt", "flash", "spender"].map { html.range(of: "<td class=\"agent\">\($0)</td>")!.lowerBound }
        #expect(order == order.sorted())
        var split = SampleData.run
        split.consensus?.split = true
        #expect(HTMLReport.render(run: split, leaderboard: nil).contains("panel split"))
    }

    /// Swap consistency sits beside position bias in the verifier table; empty without swapped reviews.
    @Test func verifierTableShowsSwapConsistencyBesidePositionBias() throws {
        let table = try #require(html.range(of: "<table class=\"verifiers\">").map { html[$0.lowerBound...] })
        #expect(table.contains("<th>position bias</th><th>swap consistency</th><th>self-preference</th>"))
        #expect(table.contains("<td class=\"num\">0.04</td><td class=\"num\">0.90</td><td class=\"num\">0.12</td>"))
        #expect(table.contains("<td class=\"num\">\(HTMLEscape.escape(Format.number(-0.18, decimals: 2)))</td><td class=\"num\">\(Format.none)</td>"))
        #expect(XMLProbe.parse(html).error == nil)
    }

    @Test func longDiffsAreElided() {
        let patch = (0..<50).map { "+line \($0)" }.joined(separator: "\n")
        let rendered = HTMLReport.renderPatch(patch, maxLines: 10)
        #expect(rendered.components(separatedBy: "<span class=\"add\">").count - 1 == 10)
        #expect(rendered.contains("40 more lines not shown"))
        let wide = HTMLReport.renderPatch("+" + String(repeating: "x", count: 5000))
        #expect(wide.contains("… (3001 more characters)"))
        #expect(!wide.contains(String(repeating: "x", count: 2001)))
    }

    @Test func edgeCasesRenderWellFormedPages() {
        let empty = LeaderboardView(generatedAt: Date(timeIntervalSince1970: 0), runs: 0, rows: [])
        let one = LeaderboardView(generatedAt: Date(timeIntervalSince1970: 0), runs: 1,
                                  rows: [SampleData.leaderboard.rows[0]])
        var equal = SampleData.leaderboard
        for i in equal.rows.indices { equal.rows[i].costPerTask = 0.25 }
        var unrated = SampleData.leaderboard
        for i in unrated.rows.indices { unrated.rows[i].rating = nil }
        let pages = [
            HTMLReport.render(run: nil, leaderboard: nil),
            HTMLReport.render(run: nil, leaderboard: empty),
            HTMLReport.render(run: nil, leaderboard: one),
            HTMLReport.render(run: nil, leaderboard: equal),
            HTMLReport.render(run: nil, leaderboard: unrated),
            HTMLReport.render(run: RunView(runID: "r", specTitle: "t", specBody: "", baseSHA: "", status: "planned",
                                           candidates: []), leaderboard: nil),
        ]
        for page in pages {
            let probe = XMLProbe.parse(page)
            #expect(probe.error == nil, "\(String(describing: probe.error))")
            #expect(!page.contains("nan") && !page.contains("inf\""), "non-finite coordinate")
        }
        #expect(pages[1].contains("nothing to rank"))
        #expect(pages[4].contains("No agent has both a known cost and a rating yet."))
        #expect(pages[4].contains("no rating or zero cost: sonnet"))
    }
}

@Suite struct ChartTests {
    @Test func logTicksArePowersOfTenWhenTheyFit() {
        let scale = LogScale(domain: 0.003...2.0, range: (0, 100))
        #expect(scale.ticks() == [0.01, 0.1, 1])
        #expect(abs(scale.position(0.003) - 0) < 1e-9)
        #expect(abs(scale.position(2.0) - 100) < 1e-9)
        // Equal ratios take equal distances on a log axis.
        #expect(abs((scale.position(0.1) - scale.position(0.01)) - (scale.position(1) - scale.position(0.1))) < 1e-9)
        let minor = scale.minorTicks()
        #expect(minor.first == 0.004 && minor.last == 0.9 && minor.count == 6 + 8 + 8)
        #expect(minor.contains(0.05) && minor.contains(0.2) && !minor.contains(0.1) && !minor.contains(0.01))
        #expect(LogScale(domain: 0.015...0.09, range: (0, 1)).minorTicks() == [])
    }

    @Test func logTicksFallBackToFinerSeries() {
        #expect(LogScale(domain: 0.015...0.09, range: (0, 1)).ticks() == [0.02, 0.05])
        #expect(LogScale(domain: 0.25...0.95, range: (0, 1)).ticks() == [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        let wide = LogScale(domain: 1e-6...1e6, range: (0, 1)).ticks(maxTicks: 7)
        #expect(wide.count <= 7 && wide.count >= 4)
        #expect(wide.allSatisfy { abs(log10($0) - log10($0).rounded()) < 1e-9 })
    }

    @Test func degenerateLogDomainBecomesADecade() throws {
        let scale = try #require(LogScale(covering: [0.25, 0.25, 0.25], range: (0, 100)))
        #expect(abs(scale.position(0.25) - 50) < 1e-9)
        #expect(scale.ticks().count >= 2)
        #expect(LogScale(covering: [0, -1], range: (0, 1)) == nil)
    }

    @Test func costTickLabels() {
        #expect(FrontierChart.costTick(0.01) == "$0.01")
        #expect(FrontierChart.costTick(0.002) == "$0.002")
        #expect(FrontierChart.costTick(1) == "$1")
        #expect(FrontierChart.costTick(1000) == "$1,000")
    }

    @Test func linearTicksAreNice() throws {
        let scale = try #require(LinearScale(covering: [1250, 1668], range: (0, 100)))
        let ticks = scale.ticks()
        #expect(ticks.first! >= scale.domainLow && ticks.last! <= scale.domainHigh)
        let steps = Set(zip(ticks, ticks.dropFirst()).map { ($1 - $0).rounded() })
        #expect(steps.count == 1 && [50.0, 100.0, 200.0].contains(steps.first!))
    }

    @Test func frontierLineRunsOnlyThroughFrontierPoints() throws {
        let chart = FrontierChart(rows: SampleData.leaderboard.rows)
        let layout = chart.layout()
        #expect(layout.unpriced == ["mystery"])
        #expect(layout.points.count == 5)
        #expect(layout.frontier.map(\.agent) == ["local <b>model</b>", "flash", "sonnet"])
        let svg = chart.svg()
        let line = try #require(svg.range(of: #"<polyline class="frontier-line" points="([^"]*)""#, options: .regularExpression))
        let pointsAttr = svg[line].split(separator: "\"")[3]
        let coords = pointsAttr.split(separator: " ").map { pair -> (Double, Double) in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
        let frontierCoords = layout.frontier.map { (Double(svgNumber($0.x))!, Double(svgNumber($0.y))!) }
        #expect(coords.count == frontierCoords.count)
        for (a, b) in zip(coords, frontierCoords) { #expect(a == b) }
        for dominated in layout.points where !dominated.onFrontier {
            #expect(!coords.contains { $0 == (Double(svgNumber(dominated.x))!, Double(svgNumber(dominated.y))!) })
        }
        // Dominated markers are faded, frontier ones are not.
        #expect(svg.contains("<g class=\"point dominated\" data-agent=\"gpt\" opacity=\"0.35\">"))
        #expect(svg.contains("<g class=\"point on-frontier\" data-agent=\"flash\">"))
        // Cheaper is further left; higher rating is further up.
        let flash = layout.points.first { $0.agent == "flash" }!
        let sonnet = layout.points.first { $0.agent == "sonnet" }!
        #expect(flash.x < sonnet.x && sonnet.y < flash.y)
        // Marker size follows success rate.
        let spender = layout.points.first { $0.agent == "spender" }!
        #expect(spender.radius < flash.radius && flash.radius < sonnet.radius)
    }

    @Test func crowdedChartsLabelOnlyFrontierAndTopRated() {
        var rows: [LeaderboardRowView] = []
        for i in 0..<30 {
            let rating: Double = 1000 + Double(i * 10)
            let cost: Double = 0.01 * Double(i + 1)
            rows.append(LeaderboardRowView(agent: "agent-\(i)", harness: .claude, model: "m", rating: rating, runs: 5,
                                           successRate: 0.5, costPerTask: cost, costPerSuccess: .usd(0.02),
                                           onFrontier: i == 0 || i == 29))
        }
        let chart = FrontierChart(rows: rows)
        let named = Set(FrontierChart.labelled(chart.layout().points).map(\.agent))
        #expect(named == ["agent-0", "agent-29", "agent-28", "agent-27", "agent-26", "agent-25"])
        let svg = chart.svg()
        #expect(svg.contains(">agent-0</text>") && !svg.contains(">agent-10</text>"))
        #expect(svg.contains("data-agent=\"agent-10\""))  // still plotted, with its tooltip
        let few = FrontierChart(rows: Array(rows.prefix(5)))
        #expect(FrontierChart.labelled(few.layout().points).count == 5)
    }

    @Test func singleFrontierPointDrawsNoLine() {
        let chart = FrontierChart(rows: [SampleData.leaderboard.rows[0]])
        #expect(chart.layout().frontier.count == 1)
        #expect(!chart.svg().contains("<polyline"))
    }

    @Test func infiniteBarsAreHatchedAndLabelled() {
        let svg = BarChart.costPerSuccess(SampleData.leaderboard.rows).svg()
        #expect(svg.contains("fill=\"url(#hatch-cost-per-success)\""))
        #expect(svg.contains("∞ no success"))
        #expect(svg.contains("unpriced"))
        let time = BarChart.timeToSuccess(SampleData.leaderboard.rows).svg()
        #expect(time.contains("∞ never succeeded"))
        #expect(time.contains("1m32s"))
        #expect(XMLProbe.parse(svg).error == nil && XMLProbe.parse(time).error == nil)
    }
}
