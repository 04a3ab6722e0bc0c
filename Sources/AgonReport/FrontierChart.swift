import AgonAgents
import AgonCore
import AgonLeaderboard
import Foundation

/// The cost-quality scatter: x = cost per task (log scale), y = rating with its interval,
/// marker area ∝ success rate, colour = harness, a line through the Pareto frontier, dominated
/// agents faded.
public struct FrontierChart: Sendable {
    /// One agent placed on the chart.
    public struct PlacedPoint: Equatable, Sendable {
        public var agent: String
        public var harness: Harness
        public var x: Double
        public var y: Double
        public var yLow: Double
        public var yHigh: Double
        public var radius: Double
        public var onFrontier: Bool
    }

    /// Positions computed before drawing (exposed for tests).
    public struct Layout: Sendable {
        public var points: [PlacedPoint]
        /// Frontier points in the order the line joins them (cheapest first).
        public var frontier: [PlacedPoint]
        public var xScale: LogScale?
        public var yScale: LinearScale?
        /// Agents left off because their cost is unknown.
        public var unpriced: [String]
        /// Agents left off because they have no rating (or a cost of zero, which a log axis cannot show).
        public var unplottable: [String]
    }

    public var rows: [LeaderboardRowView]
    public var width: Double = 900
    public var height: Double = 480
    let plotLeft = 70.0, plotTop = 20.0, legendWidth = 170.0, bottomMargin = 58.0

    public init(rows: [LeaderboardRowView]) {
        self.rows = rows
    }

    var plotRight: Double { width - legendWidth }
    var plotBottom: Double { height - bottomMargin }

    public func layout() -> Layout {
        let unpriced = rows.filter { $0.costPerTask == nil }.map(\.agent)
        let unplottable = rows.filter { row in
            guard let cost = row.costPerTask else { return false }
            return row.rating == nil || !(cost > 0) || !cost.isFinite
        }.map(\.agent)
        let plotted = rows.filter { row in
            guard let cost = row.costPerTask, cost > 0, cost.isFinite, let r = row.rating, r.isFinite else { return false }
            return true
        }
        let xScale = LogScale(covering: plotted.compactMap(\.costPerTask), range: (plotLeft, plotRight))
        var yValues = plotted.flatMap { [$0.rating, $0.ratingLow, $0.ratingHigh].compactMap { $0 } }.filter(\.isFinite)
        // A little headroom so interval caps do not sit on the plot's edge.
        if let low = yValues.min(), let high = yValues.max(), high > low {
            yValues += [low - 0.04 * (high - low), high + 0.04 * (high - low)]
        }
        let yScale = LinearScale(covering: yValues, range: (plotBottom, plotTop))
        var points: [PlacedPoint] = []
        if let xScale, let yScale {
            for row in plotted {
                let rating = row.rating!
                let rate = min(1, max(0, row.successRate.isFinite ? row.successRate : 0))
                points.append(PlacedPoint(
                    agent: row.agent, harness: row.harness,
                    x: xScale.position(row.costPerTask!), y: yScale.position(rating),
                    yLow: yScale.position(row.ratingLow ?? rating), yHigh: yScale.position(row.ratingHigh ?? rating),
                    radius: ChartMarks.successRadius(rate),
                    onFrontier: row.onFrontier))
            }
        }
        let frontier = points.filter(\.onFrontier).sorted { ($0.x, -$0.y) < ($1.x, -$1.y) }
        return Layout(points: points, frontier: frontier, xScale: xScale, yScale: yScale,
                      unpriced: unpriced, unplottable: unplottable)
    }

    /// The chart as an inline `<svg>` element (XML well-formed), plus an empty-state text when
    /// nothing can be plotted.
    public func svg() -> String {
        let layout = layout()
        var s = "<svg class=\"chart frontier-chart\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" "
            + "width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" role=\"img\" "
            + "aria-label=\"Cost per task versus rating\">"
        s += "<rect class=\"plot-bg\" x=\"\(svgNumber(plotLeft))\" y=\"\(svgNumber(plotTop))\" "
            + "width=\"\(svgNumber(plotRight - plotLeft))\" height=\"\(svgNumber(plotBottom - plotTop))\"/>"
        guard let xScale = layout.xScale, let yScale = layout.yScale, !layout.points.isEmpty else {
            s += "<text class=\"empty\" x=\"\(svgNumber((plotLeft + plotRight) / 2))\" "
                + "y=\"\(svgNumber((plotTop + plotBottom) / 2))\" text-anchor=\"middle\">"
                + "No agent has both a known cost and a rating yet.</text></svg>"
            return s
        }
        s += axes(xScale: xScale, yScale: yScale)
        if layout.frontier.count >= 2 {
            let coords = layout.frontier.map { "\(svgNumber($0.x)),\(svgNumber($0.y))" }.joined(separator: " ")
            s += "<polyline class=\"frontier-line\" points=\"\(coords)\"/>"
        }
        // Dominated points first so frontier points draw on top.
        let ordered = layout.points.filter { !$0.onFrontier } + layout.points.filter(\.onFrontier)
        let rowsByAgent = Dictionary(rows.map { ($0.agent, $0) }, uniquingKeysWith: { a, _ in a })
        for p in ordered {
            let cls = p.onFrontier ? "point on-frontier" : "point dominated"
            let color = HarnessAdapters.color(p.harness)
            s += "<g class=\"\(cls)\" data-agent=\"\(esc(p.agent))\"\(p.onFrontier ? "" : " opacity=\"0.35\"")>"
            if let row = rowsByAgent[p.agent] { s += "<title>\(esc(tooltip(row)))</title>" }
            if p.yHigh < p.yLow - 0.5 {
                s += line(p.x, p.yLow, p.x, p.yHigh, cls: "ci", color: color)
                s += line(p.x - 4, p.yLow, p.x + 4, p.yLow, cls: "ci", color: color)
                s += line(p.x - 4, p.yHigh, p.x + 4, p.yHigh, cls: "ci", color: color)
            }
            s += "<circle cx=\"\(svgNumber(p.x))\" cy=\"\(svgNumber(p.y))\" r=\"\(svgNumber(p.radius))\" "
                + "fill=\"\(color)\" fill-opacity=\"0.75\" stroke=\"\(color)\"/>"
            s += "</g>"
        }
        s += labels(layout.points)
        s += legend(layout.points)
        s += "</svg>"
        return s
    }

    private func tooltip(_ row: LeaderboardRowView) -> String {
        "\(row.agent) (\(row.harness.rawValue)/\(row.model)): rating \(Format.rating(row.rating)) "
            + "[\(Format.interval(row.ratingLow, row.ratingHigh))], cost/task \(Format.usd(row.costPerTask)), "
            + "success \(Format.percent(row.successRate))" + (row.onFrontier ? ", on frontier" : ", dominated")
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String, color: String? = nil) -> String {
        ChartMarks.line(x1, y1, x2, y2, cls: cls, color: color)
    }

    private func axes(xScale: LogScale, yScale: LinearScale) -> String {
        var s = "<g class=\"axis x-axis\">"
        for tick in xScale.minorTicks() {
            s += line(xScale.position(tick), plotTop, xScale.position(tick), plotBottom, cls: "grid minor")
        }
        for tick in xScale.ticks() {
            let x = xScale.position(tick)
            s += line(x, plotTop, x, plotBottom, cls: "grid")
            s += line(x, plotBottom, x, plotBottom + 5, cls: "tick")
            s += "<text class=\"tick-label\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(plotBottom + 19))\" "
                + "text-anchor=\"middle\">\(esc(Self.costTick(tick)))</text>"
        }
        s += line(plotLeft, plotBottom, plotRight, plotBottom, cls: "axis-line")
        s += "<text class=\"axis-title\" x=\"\(svgNumber((plotLeft + plotRight) / 2))\" y=\"\(svgNumber(height - 14))\" "
            + "text-anchor=\"middle\">cost per task (USD, log scale) →</text>"
        s += "</g><g class=\"axis y-axis\">"
        for tick in yScale.ticks() {
            let y = yScale.position(tick)
            s += line(plotLeft, y, plotRight, y, cls: "grid")
            s += line(plotLeft - 5, y, plotLeft, y, cls: "tick")
            s += "<text class=\"tick-label\" x=\"\(svgNumber(plotLeft - 8))\" y=\"\(svgNumber(y + 4))\" "
                + "text-anchor=\"end\">\(esc(Format.rating(tick)))</text>"
        }
        s += line(plotLeft, plotTop, plotLeft, plotBottom, cls: "axis-line")
        let midY = (plotTop + plotBottom) / 2
        s += "<text class=\"axis-title\" x=\"16\" y=\"\(svgNumber(midY))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \(svgNumber(midY)))\">rating (90% interval) →</text>"
        return s + "</g>"
    }

    /// `$0.001`, `$0.02`, `$1`, `$10`: tick labels without trailing zeros.
    static func costTick(_ value: Double) -> String {
        if value >= 1 { return "$" + Format.grouped(value.rounded()) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return "$" + text
    }

    /// Agents named on the chart: everyone when there are few; otherwise the frontier and the
    /// top-rated few (the rest keep their tooltip and their table row).
    static func labelled(_ points: [PlacedPoint], limit: Int = 16, topRated: Int = 5) -> [PlacedPoint] {
        guard points.count > limit else { return points }
        let top = Set(points.sorted { $0.y < $1.y }.prefix(topRated).map(\.agent))
        return points.filter { $0.onFrontier || top.contains($0.agent) }
    }

    /// Agent names beside their markers, nudged down when they would overlap an earlier label.
    private func labels(_ points: [PlacedPoint]) -> String {
        var placed: [(x0: Double, x1: Double, y: Double)] = []
        var s = "<g class=\"labels\">"
        for p in Self.labelled(points).sorted(by: { ($0.y, $0.x) < ($1.y, $1.x) }) {
            let name = TerminalText.truncate(p.agent, to: 22)
            let textWidth = Double(name.count) * 6.6
            let rightSide = p.x + p.radius + 4 + textWidth <= plotRight
            let x0 = rightSide ? p.x + p.radius + 4 : p.x - p.radius - 4 - textWidth
            var y = p.y + 4
            for _ in 0..<6 {
                let clash = placed.contains { abs($0.y - y) < 12 && $0.x0 < x0 + textWidth && x0 < $0.x1 }
                if !clash { break }
                y += 12
            }
            placed.append((x0, x0 + textWidth, y))
            let anchor = rightSide ? "start" : "end"
            let x = rightSide ? x0 : x0 + textWidth
            s += "<text class=\"point-label\(p.onFrontier ? "" : " dominated")\" x=\"\(svgNumber(x))\" "
                + "y=\"\(svgNumber(y))\" text-anchor=\"\(anchor)\"\(p.onFrontier ? "" : " opacity=\"0.55\"")>"
                + "\(esc(name))</text>"
        }
        return s + "</g>"
    }

    private func legend(_ points: [PlacedPoint]) -> String {
        let x = plotRight + 22
        let harnesses = Harness.allCases.filter { h in points.contains { $0.harness == h } }
        var (s, y) = ChartMarks.legend(x: x, y: plotTop + 10, harnesses: harnesses, rates: [0.0, 0.5, 1.0],
                                       frontierLabel: "Pareto frontier")
        y += 20
        s += line(x + 14, y - 12, x + 14, y + 2, cls: "ci", color: "#64748b")
        s += "<text x=\"\(svgNumber(x + 34))\" y=\"\(svgNumber(y))\">90% interval</text>"
        return s + "</g>"
    }
}
