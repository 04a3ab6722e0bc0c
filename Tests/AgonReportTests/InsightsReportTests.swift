import AgonCore
import AgonLeaderboard
@testable import AgonReport
import AgonTestSupport
import Foundation
import Testing

private typealias R = LeaderboardRecords

/// Hand-made runs over three weeks with known answers for every insight chart.
///
/// Week of 2025-12-29 (run 0), of 2026-01-05 (run 7), of 2026-01-12 (run 14):
/// - fast (claude): ok $0.10 60 s; acceptance failed $0.30 60 s; ok $0.20 120 s
///   → $0.60 / 2 = $0.30 and 240 s / 2 = 120 s per success, success 2/3;
/// - slow (codex): ok $0.05 300 s; ok; acceptance failed → $0.075 and 450 s per success;
/// - twin (claude, run 14 only): ok $0.60 900 s → dominated by fast;
/// - broke (gemini): timeout, api_error → never succeeds, left out of the frontier.
/// Picks for runs 0 and 14: ($0.65 + $0.85 + $0.03 reviews) / 2 = $0.765 per applied patch.
enum InsightsSample {
    static let records: [RunRecord] = [
        R.run(0, candidates: [R.candidate("fast", cost: 0.10, durationMs: 60_000),
                              R.candidate("slow", harness: .codex, cost: 0.05, durationMs: 300_000),
                              R.candidate("broke", harness: .gemini, outcome: .timeout, cost: 0.5, durationMs: 10_000)]),
        R.run(7, candidates: [R.candidate("fast", cost: 0.30, acceptance: .failed, durationMs: 60_000),
                              R.candidate("slow", harness: .codex, cost: 0.05, durationMs: 300_000),
                              R.candidate("broke", harness: .gemini, outcome: .apiError, cost: 0.5, durationMs: 10_000)]),
        R.run(14, candidates: [R.candidate("fast", cost: 0.20, durationMs: 120_000),
                               R.candidate("slow", harness: .codex, cost: 0.05, acceptance: .failed, durationMs: 300_000),
                               R.candidate("twin", cost: 0.60, durationMs: 900_000)],
              reviews: [R.review("v", ranking: ["fast", "twin"], cost: 0.02), R.review("w", ranking: [], status: .failed, cost: 0.01)]),
    ]

    static var insights: LeaderboardInsights {
        let runs = records.map(LeaderboardRun.init)
        let picks = [ApplyRecord(runID: runs[0].runID, agent: "fast", appliedAt: R.start, committed: true),
                     ApplyRecord(runID: runs[2].runID, agent: "twin", appliedAt: R.start, committed: false)]
        return LeaderboardInsights(runs: runs, picks: picks)
    }

    static var page: String {
        var board = LeaderboardView(generatedAt: R.start, runs: records.count, rows: [])
        board.insights = insights
        return HTMLReport.render(run: nil, leaderboard: board)
    }
}

/// The `data-*` attributes of every element in `html` whose opening tag starts with `prefix`.
func dataAttributes(_ html: String, elementsStartingWith prefix: String) -> [[String: String]] {
    var out: [[String: String]] = []
    var rest = html[...]
    while let start = rest.range(of: prefix) {
        let end = rest[start.upperBound...].firstIndex(of: ">") ?? rest.endIndex
        let tag = String(rest[start.lowerBound..<end])
        var attributes: [String: String] = [:]
        let regex = try! NSRegularExpression(pattern: #"(data-[a-z-]+)="([^"]*)""#)
        for match in regex.matches(in: tag, range: NSRange(tag.startIndex..., in: tag)) {
            attributes[String(tag[Range(match.range(at: 1), in: tag)!])] = String(tag[Range(match.range(at: 2), in: tag)!])
        }
        out.append(attributes)
        rest = rest[end...]
    }
    return out
}

/// Checks the insight charts' data in a page (the Swift rendering or Chromium's DOM).
func expectInsightData(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let points = dataAttributes(html, elementsStartingWith: "<circle class=\"trend-point\"")
    func series(_ metric: String, _ agent: String) -> [String] {
        points.filter { $0["data-metric"] == metric && $0["data-agent"] == agent }.map { "\($0["data-bucket"]!)=\($0["data-value"]!)" }
    }
    #expect(series("success_rate", "fast") == ["2025-12-29=1", "2026-01-05=0", "2026-01-12=1"], sourceLocation: sourceLocation)
    #expect(series("time_to_success", "fast") == ["2025-12-29=60", "2026-01-12=120"], sourceLocation: sourceLocation)
    #expect(series("cost_per_success", "fast") == ["2025-12-29=0.1", "2026-01-12=0.2"], sourceLocation: sourceLocation)
    #expect(series("success_rate", "twin") == ["2026-01-12=1"], sourceLocation: sourceLocation)
    #expect(series("cost_per_success", "broke").isEmpty, sourceLocation: sourceLocation)
    let missing = dataAttributes(html, elementsStartingWith: "<circle class=\"trend-missing\" cx")
        .filter { $0["data-agent"] == "fast" }.map { "\($0["data-metric"]!):\($0["data-bucket"]!)=\($0["data-missing"]!)" }
    #expect(missing == ["time_to_success:2026-01-05=no_success", "cost_per_success:2026-01-05=no_success"], sourceLocation: sourceLocation)

    let frontier = dataAttributes(html, elementsStartingWith: "<g class=\"cost-speed-point")
    let byAgent = Dictionary(uniqueKeysWithValues: frontier.map { ($0["data-agent"]!, $0) })
    #expect(Set(byAgent.keys) == ["fast", "slow", "twin"], sourceLocation: sourceLocation)
    #expect(byAgent["fast"]?["data-usd-per-success"] == "0.3" && byAgent["fast"]?["data-seconds-per-success"] == "120", sourceLocation: sourceLocation)
    #expect(byAgent["fast"]?["data-success-rate"] == "0.666667" && byAgent["fast"]?["data-dominated"] == "false", sourceLocation: sourceLocation)
    #expect(byAgent["slow"]?["data-usd-per-success"] == "0.075" && byAgent["slow"]?["data-seconds-per-success"] == "450", sourceLocation: sourceLocation)
    #expect(byAgent["slow"]?["data-dominated"] == "false" && byAgent["slow"]?["data-harness"] == "codex", sourceLocation: sourceLocation)
    #expect(byAgent["twin"]?["data-dominated"] == "true" && byAgent["twin"]?["data-success-rate"] == "1", sourceLocation: sourceLocation)
    #expect(html.contains("Not plotted — broke (no success)."), sourceLocation: sourceLocation)

    let codes = dataAttributes(html, elementsStartingWith: "<tr data-code").map {
        "\($0["data-code"]!) \($0["data-count"]!)/\($0["data-out-of"]!)"
    }
    #expect(codes == ["acceptance_failed 2/9", "api_error 1/9", "review_failed 1/2", "timeout 1/9"], sourceLocation: sourceLocation)

    let spend = dataAttributes(html, elementsStartingWith: "<p class=\"spend-per-patch\"")
    #expect(spend.first?["data-applied-runs"] == "2" && spend.first?["data-usd"] == "0.765", sourceLocation: sourceLocation)
    #expect(spend.first?["data-lower-bound"] == "false", sourceLocation: sourceLocation)
}

@Suite struct InsightsReportTests {
    @Test func insightChartsCarryTheirKnownAnswers() {
        let html = InsightsSample.page
        let probe = XMLProbe.parse(html)
        #expect(probe.error == nil, "\(String(describing: probe.error))")
        #expect(!html.contains("<script"))
        expectInsightData(html)
        // Three metric layers, the first one's radio checked; each layer has its own axis.
        #expect(html.components(separatedBy: "<g class=\"trend-metric\"").count - 1 == 3)
        #expect(html.contains("<input type=\"radio\" name=\"trend-metric\" id=\"trend-success_rate\" value=\"success_rate\" checked=\"checked\"/>"))
        #expect(html.contains("data-period=\"week\""))
        // The CSS shows a layer only while its radio is checked.
        for metric in TrendChart.Metric.allCases {
            #expect(HTMLReport.insightsCSS.contains("#trend-\(metric.rawValue):checked ~ .chart-box .trend-metric[data-metric=\"\(metric.rawValue)\"]{display:inline}"))
        }
    }

    @Test func emptyAndUnappliedStatesSayWhy() {
        let insights = LeaderboardInsights(runs: [], picks: [])
        var board = LeaderboardView(generatedAt: R.start, runs: 0, rows: [])
        board.insights = insights
        let html = HTMLReport.render(run: nil, leaderboard: board)
        #expect(XMLProbe.parse(html).error == nil)
        #expect(html.contains("No finished runs yet."))
        #expect(html.contains("No agent has a success with a known cost and time yet."))
        #expect(html.contains("No errors recorded."))
        #expect(html.contains("No run has been applied yet"))
        #expect(!html.contains("data-usd="))
    }

    @Test func unpricedSpendIsALowerBound() {
        let runs = [R.run(0, candidates: [R.candidate("a", cost: 0.5), R.candidate("b", cost: nil)])].map(LeaderboardRun.init)
        let spend = SpendPerAppliedPatch(runs: runs, picks: [ApplyRecord(runID: runs[0].runID, agent: "a", appliedAt: R.start, committed: true)])
        let html = HTMLReport.spendPerAppliedPatch(spend)
        #expect(html.contains("data-lower-bound=\"true\""))
        #expect(html.contains("<strong>≥ $0.50</strong>"))
        #expect(html.contains("Unpriced and left out: 1 candidate, 0 reviews."))
    }
}

extension ChromiumRenderTests {
    /// The insight charts in headless Chromium: their data survives into the DOM as rendered.
    @Test(.enabled(if: chromium != nil, "chromium is not installed"))
    func insightChartsRenderInHeadlessChromium() throws {
        let chromium = try #require(Self.chromium)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("agon-insights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let page = work.appendingPathComponent("report.html")
        try InsightsSample.page.write(to: page, atomically: true, encoding: .utf8)
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                      "--user-data-dir=" + work.appendingPathComponent("profile").path]
        // A screenshot for a human to look at (`.build/test-artifacts/insights.png`).
        try FileManager.default.createDirectory(at: Self.artifactDirectory, withIntermediateDirectories: true)
        let png = Self.artifactDirectory.appendingPathComponent("insights.png")
        try? FileManager.default.removeItem(at: png)
        _ = try run(chromium, common + ["--screenshot=" + png.path, "--window-size=1280,2200", page.absoluteString], in: work)
        #expect(FileManager.default.fileExists(atPath: png.path))
        let dom = try run(chromium, common + ["--dump-dom", page.absoluteString], in: work)
        #expect(dom.contains("<svg class=\"chart trend-chart\""))
        #expect(dom.contains("<svg class=\"chart cost-speed-chart\""))
        #expect(!dom.contains("<script"))
        expectInsightData(dom)
        try dom.write(to: Self.artifactDirectory.appendingPathComponent("insights.dom.html"), atomically: true, encoding: .utf8)
    }
}

extension InsightsReportTests {
    /// Past the palette's 12 colours, the agents with the most runs are drawn and the rest named.
    @Test func trendDrawsTheTwelveAgentsWithTheMostRuns() {
        // agent-00 … agent-13: agent-k runs k + 1 times, so agent-00 and agent-01 have the fewest.
        let records = (0..<14).map { day in
            R.run(day, candidates: (day..<14).map { R.candidate(String(format: "agent-%02d", $0), durationMs: 1000) })
        }
        let chart = TrendChart(trend: TrendSeries(runs: records.map(LeaderboardRun.init)))
        #expect(chart.drawn.count == 12)
        #expect(chart.notDrawn == ["agent-00", "agent-01"])
        #expect(chart.drawn.first?.agent == "agent-02")
        let html = chart.html()
        #expect(html.contains("Not drawn (fewer runs than the 12 drawn; their rows are in the table) — agent-00, agent-01."))
        #expect(!html.contains("data-agent=\"agent-01\""))
        #expect(XMLProbe.parse("<div>" + html + "</div>").error == nil)
    }
}

extension InsightsReportTests {
    @Test func timeAxisTicksAreRoundDurations() {
        #expect(CostSpeedChart.timeTicks(LogScale(domain: 50...1000, range: (0, 100))) == [60, 120, 300, 600])
        #expect(CostSpeedChart.timeTicks(LogScale(domain: 1...100_000, range: (0, 100))) == [1, 10, 60, 600, 3600, 8 * 3600])   // 17 round values, every third
        // Fewer than two round values inside: the scale's own ticks.
        #expect(CostSpeedChart.timeTicks(LogScale(domain: 61...110, range: (0, 100))) == LogScale(domain: 61...110, range: (0, 100)).ticks())
    }
}
