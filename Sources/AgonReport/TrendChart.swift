import AgonCore
import AgonLeaderboard
import Foundation

/// Per-agent trend over time as one inline `<svg>` holding three metric layers (success rate,
/// median time to success, cost per success); radio buttons beside it show one layer at a time
/// through CSS alone (`HTMLReport.insightsCSS`), so the page stays script-free.
public struct TrendChart: Sendable {
    /// A metric the chart can show.
    public enum Metric: String, CaseIterable, Sendable {
        case successRate = "success_rate"
        case timeToSuccess = "time_to_success"
        case costPerSuccess = "cost_per_success"

        /// The radio button's label.
        public var title: String {
            switch self {
            case .successRate: return "success rate"
            case .timeToSuccess: return "median time to success"
            case .costPerSuccess: return "cost per success"
            }
        }

        /// The value for one bucket, or why there is none (`no_success`, `unpriced`).
        public func value(_ totals: SuccessTotals) -> (value: Double?, missing: String?) {
            switch self {
            case .successRate:
                return (totals.successRate, totals.successRate == nil ? "no_runs" : nil)
            case .timeToSuccess:
                if totals.successes == 0 { return (nil, "no_success") }
                return (totals.medianTimeToSuccessS, totals.medianTimeToSuccessS == nil ? "untimed" : nil)
            case .costPerSuccess:
                switch totals.costPerSuccess {
                case .usd(let v): return v > 0 ? (v, nil) : (nil, "zero_cost")
                case .noSuccess: return (nil, "no_success")
                case .unpriced: return (nil, "unpriced")
                }
            }
        }
    }

    public var trend: TrendSeries
    public var width: Double = 900
    public var height: Double = 380
    let plotLeft = 80.0, plotTop = 20.0, legendWidth = 170.0, bottomMargin = 58.0

    /// Line colours by agent order (several agents can share a harness, so not the harness colour).
    static let palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#db2777", "#65a30d",
                          "#4f46e5", "#b45309", "#0f766e", "#7c3aed"]

    public init(trend: TrendSeries) { self.trend = trend }

    /// The agents drawn: the `palette.count` with the most runs (ties by first appearance), in
    /// first-appearance order; more lines would be unreadable and their colours would repeat.
    public var drawn: [AgentTrend] {
        guard trend.agents.count > Self.palette.count else { return trend.agents }
        let runs = trend.agents.map { $0.points.reduce(0) { $0 + $1.totals.runs } }
        let kept = Set(trend.agents.indices.sorted { (runs[$0], -$0) > (runs[$1], -$1) }.prefix(Self.palette.count))
        return trend.agents.indices.filter(kept.contains).map { trend.agents[$0] }
    }

    /// Agents left off the chart (see `drawn`).
    public var notDrawn: [String] {
        let drawn = Set(self.drawn.map(\.agent))
        return trend.agents.map(\.agent).filter { !drawn.contains($0) }
    }

    var plotRight: Double { width - legendWidth }
    var plotBottom: Double { height - bottomMargin }

    static func day(_ date: Date) -> String { String(HTMLReport.iso8601(date).prefix(10)) }

    /// The radio buttons and the chart; the first metric is checked.
    public func html() -> String {
        var h = "<div class=\"trend\">"
        for (i, metric) in Metric.allCases.enumerated() {
            h += "<input type=\"radio\" name=\"trend-metric\" id=\"trend-\(metric.rawValue)\" value=\"\(metric.rawValue)\""
                + (i == 0 ? " checked=\"checked\"" : "") + "/><label for=\"trend-\(metric.rawValue)\">\(esc(metric.title))</label>"
        }
        h += "<div class=\"chart-box\">" + svg() + "</div></div>"
        let omitted = notDrawn
        if !omitted.isEmpty {
            h += "<p class=\"meta not-plotted trend-not-drawn\">Not drawn (fewer runs than the \(Self.palette.count) drawn; "
                + "their rows are in the table) — " + omitted.map(esc).joined(separator: ", ") + ".</p>"
        }
        return h
    }

    public func svg() -> String {
        var s = "<svg class=\"chart trend-chart\" data-period=\"\(trend.period.rawValue)\" viewBox=\"0 0 \(svgNumber(width)) "
            + "\(svgNumber(height))\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" role=\"img\" "
            + "aria-label=\"Per-agent trend by \(trend.period.rawValue)\">"
        s += "<rect class=\"plot-bg\" x=\"\(svgNumber(plotLeft))\" y=\"\(svgNumber(plotTop))\" "
            + "width=\"\(svgNumber(plotRight - plotLeft))\" height=\"\(svgNumber(plotBottom - plotTop))\"/>"
        guard let first = trend.buckets.first, let last = trend.buckets.last else {
            s += "<text class=\"empty\" x=\"\(svgNumber((plotLeft + plotRight) / 2))\" y=\"\(svgNumber((plotTop + plotBottom) / 2))\" "
                + "text-anchor=\"middle\">No finished runs yet.</text></svg>"
            return s
        }
        // Time runs linearly along x, so gaps between buckets show; one bucket sits in the middle.
        let inset = 24.0
        let xScale = LinearScale(domain: first.timeIntervalSince1970...max(last.timeIntervalSince1970, first.timeIntervalSince1970),
                                 range: (plotLeft + inset, plotRight - inset))
        func x(_ date: Date) -> Double { xScale.position(date.timeIntervalSince1970) }
        s += xAxis(x: x)
        for metric in Metric.allCases { s += layer(metric, x: x) }
        s += legend()
        return s + "</svg>"
    }

    private func xAxis(x: (Date) -> Double) -> String {
        var s = "<g class=\"axis x-axis\">"
        let step = max(1, Int((Double(trend.buckets.count) / 8).rounded(.up)))
        for (i, bucket) in trend.buckets.enumerated() {
            let px = x(bucket)
            s += line(px, plotTop, px, plotBottom, cls: "grid")
            guard i % step == 0 else { continue }
            s += line(px, plotBottom, px, plotBottom + 5, cls: "tick")
            s += "<text class=\"tick-label\" x=\"\(svgNumber(px))\" y=\"\(svgNumber(plotBottom + 19))\" text-anchor=\"middle\">"
                + "\(Self.day(bucket))</text>"
        }
        s += line(plotLeft, plotBottom, plotRight, plotBottom, cls: "axis-line")
        let title = trend.period == .week ? "week starting (Monday, UTC) →" : "day (UTC) →"
        s += "<text class=\"axis-title\" x=\"\(svgNumber((plotLeft + plotRight) / 2))\" y=\"\(svgNumber(height - 14))\" "
            + "text-anchor=\"middle\">\(title)</text>"
        return s + "</g>"
    }

    /// A y position for each value of one metric (success rate linear 0–100%, time linear from
    /// 0, cost log), with tick labels; nil when no bucket has a value.
    private func scale(_ metric: Metric, values: [Double]) -> (position: (Double) -> Double, ticks: [(Double, String)])? {
        let range = (plotBottom, plotTop)
        switch metric {
        case .successRate:
            let scale = LinearScale(domain: 0...1, range: range)
            return (scale.position, [0, 0.25, 0.5, 0.75, 1].map { ($0, Format.percent($0)) })
        case .timeToSuccess:
            guard let scale = LinearScale(covering: values, range: range, includeZero: true) else { return nil }
            return (scale.position, scale.ticks().map { ($0, Format.duration(seconds: $0)) })
        case .costPerSuccess:
            guard let scale = LogScale(covering: values, range: range) else { return nil }
            return (scale.position, scale.ticks().map { ($0, FrontierChart.costTick($0)) })
        }
    }

    private func layer(_ metric: Metric, x: (Date) -> Double) -> String {
        var s = "<g class=\"trend-metric\" data-metric=\"\(metric.rawValue)\">"
        let values = drawn.flatMap { $0.points.compactMap { metric.value($0.totals).value } }
        guard let scale = scale(metric, values: values) else {
            s += "<text class=\"empty\" x=\"\(svgNumber((plotLeft + plotRight) / 2))\" y=\"\(svgNumber((plotTop + plotBottom) / 2))\" "
                + "text-anchor=\"middle\">No agent has a \(esc(metric.title)) yet.</text>"
            return s + noValueMarks(metric, x: x) + "</g>"
        }
        s += "<g class=\"axis y-axis\">"
        for (value, label) in scale.ticks {
            let y = scale.position(value)
            s += line(plotLeft, y, plotRight, y, cls: "grid")
            s += line(plotLeft - 5, y, plotLeft, y, cls: "tick")
            s += "<text class=\"tick-label\" x=\"\(svgNumber(plotLeft - 8))\" y=\"\(svgNumber(y + 4))\" text-anchor=\"end\">"
                + "\(esc(label))</text>"
        }
        s += line(plotLeft, plotTop, plotLeft, plotBottom, cls: "axis-line")
        let midY = (plotTop + plotBottom) / 2
        let title = metric == .costPerSuccess ? "cost per success (USD, log scale)" : metric.title
        s += "<text class=\"axis-title\" x=\"16\" y=\"\(svgNumber(midY))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \(svgNumber(midY)))\">\(esc(title))</text></g>"
        for (i, agent) in drawn.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            s += "<g class=\"series\" data-agent=\"\(esc(agent.agent))\">"
            // The line breaks where a bucket has no value rather than bridging it.
            var segment: [String] = []
            func flush() {
                if segment.count >= 2 { s += "<polyline class=\"trend-line\" points=\"\(segment.joined(separator: " "))\" stroke=\"\(color)\"/>" }
                segment = []
            }
            var marks = ""
            for point in agent.points {
                guard let value = metric.value(point.totals).value else { flush(); continue }
                let px = x(point.start), py = scale.position(value)
                segment.append("\(svgNumber(px)),\(svgNumber(py))")
                marks += "<circle class=\"trend-point\" cx=\"\(svgNumber(px))\" cy=\"\(svgNumber(py))\" r=\"4\" fill=\"\(color)\" "
                    + "data-metric=\"\(metric.rawValue)\" data-agent=\"\(esc(agent.agent))\" data-bucket=\"\(Self.day(point.start))\" data-value=\"\(Self.dataNumber(value))\" data-runs=\"\(point.totals.runs)\">"
                    + "<title>\(esc(tooltip(agent.agent, point, metric, value)))</title></circle>"
            }
            flush()
            s += marks + "</g>"
        }
        return s + noValueMarks(metric, x: x) + "</g>"
    }

    /// Buckets where an agent ran but the metric has no value: a hollow mark on the x axis
    /// saying why (∞ cost or time with no success, unpriced), never a made-up height.
    private func noValueMarks(_ metric: Metric, x: (Date) -> Double) -> String {
        var s = ""
        for (i, agent) in drawn.enumerated() {
            for point in agent.points {
                let (value, missing) = metric.value(point.totals)
                guard value == nil, let missing else { continue }
                let tip = "\(agent.agent), \(Self.day(point.start)): \(missing.replacingOccurrences(of: "_", with: " ")) "
                    + "(\(point.totals.runs) run\(point.totals.runs == 1 ? "" : "s"))"
                // Side by side, so agents missing in the same bucket do not hide each other.
                let offset = (Double(i) - Double(drawn.count - 1) / 2) * 6
                s += "<circle class=\"trend-missing\" cx=\"\(svgNumber(x(point.start) + offset))\" cy=\"\(svgNumber(plotBottom))\" r=\"4\" "
                    + "stroke=\"\(Self.palette[i % Self.palette.count])\" data-metric=\"\(metric.rawValue)\" data-agent=\"\(esc(agent.agent))\" "
                    + "data-bucket=\"\(Self.day(point.start))\" data-missing=\"\(missing)\" data-runs=\"\(point.totals.runs)\">"
                    + "<title>\(esc(tip))</title></circle>"
            }
        }
        return s
    }

    private func tooltip(_ agent: String, _ point: TrendPoint, _ metric: Metric, _ value: Double) -> String {
        let shown: String
        switch metric {
        case .successRate: shown = "\(Format.percent(value)) (\(point.totals.successes)/\(point.totals.runs))"
        case .timeToSuccess: shown = Format.duration(seconds: value)
        case .costPerSuccess: shown = Format.usd(value)
        }
        return "\(agent), \(trend.period.rawValue) of \(Self.day(point.start)): \(metric.title) \(shown), "
            + "\(point.totals.runs) run\(point.totals.runs == 1 ? "" : "s")"
    }

    private func legend() -> String {
        let x = plotRight + 22
        var y = plotTop + 10
        var s = "<g class=\"legend\"><text class=\"legend-title\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\">agent</text>"
        for (i, agent) in drawn.enumerated() {
            y += 18
            s += line(x, y - 4, x + 14, y - 4, cls: "trend-key", color: Self.palette[i % Self.palette.count])
            s += "<text x=\"\(svgNumber(x + 20))\" y=\"\(svgNumber(y))\">\(esc(TerminalText.truncate(agent.agent, to: 20)))</text>"
        }
        y += 26
        s += "<circle class=\"trend-missing\" cx=\"\(svgNumber(x + 7))\" cy=\"\(svgNumber(y - 4))\" r=\"4\" stroke=\"#64748b\"/>"
        s += "<text x=\"\(svgNumber(x + 20))\" y=\"\(svgNumber(y))\">ran, no value</text>"
        return s + "</g>"
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String, color: String? = nil) -> String {
        ChartMarks.line(x1, y1, x2, y2, cls: cls, color: color)
    }

    /// A data-* number: up to six decimals, no trailing zeros, so tests read exact known answers.
    static func dataNumber(_ value: Double) -> String {
        var text = Format.fixed(value, decimals: 6)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
