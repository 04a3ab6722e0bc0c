import AgonAgents
import AgonCore
import AgonLeaderboard
import Foundation

/// The cost–speed frontier: x = $ per success, y = seconds per success (both log scale, lower
/// is better, so the best agents sit bottom-left), marker area ∝ success rate, colour =
/// harness, dominated agents dimmed, a dashed line through the undominated ones.
public struct CostSpeedChart: Sendable {
    public var frontier: CostSpeedFrontier
    public var width: Double = 900
    public var height: Double = 460
    let plotLeft = 80.0, plotTop = 20.0, legendWidth = 170.0, bottomMargin = 58.0

    public init(frontier: CostSpeedFrontier) { self.frontier = frontier }

    var plotRight: Double { width - legendWidth }
    var plotBottom: Double { height - bottomMargin }

    public func svg() -> String {
        var s = "<svg class=\"chart cost-speed-chart\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" "
            + "width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" role=\"img\" "
            + "aria-label=\"Cost per success versus seconds per success\">"
        s += "<rect class=\"plot-bg\" x=\"\(svgNumber(plotLeft))\" y=\"\(svgNumber(plotTop))\" "
            + "width=\"\(svgNumber(plotRight - plotLeft))\" height=\"\(svgNumber(plotBottom - plotTop))\"/>"
        let points = frontier.points
        guard let xScale = LogScale(covering: points.map(\.usdPerSuccess), range: (plotLeft, plotRight)),
              let yScale = LogScale(covering: points.map(\.secondsPerSuccess), range: (plotBottom, plotTop)) else {
            s += "<text class=\"empty\" x=\"\(svgNumber((plotLeft + plotRight) / 2))\" y=\"\(svgNumber((plotTop + plotBottom) / 2))\" "
                + "text-anchor=\"middle\">No agent has a success with a known cost and time yet.</text></svg>"
            return s
        }
        s += axes(xScale: xScale, yScale: yScale)
        let undominated = points.filter { !$0.dominated }.sorted { ($0.usdPerSuccess, $0.secondsPerSuccess) < ($1.usdPerSuccess, $1.secondsPerSuccess) }
        if undominated.count >= 2 {
            let coords = undominated.map { "\(svgNumber(xScale.position($0.usdPerSuccess))),\(svgNumber(yScale.position($0.secondsPerSuccess)))" }
            s += "<polyline class=\"frontier-line\" points=\"\(coords.joined(separator: " "))\"/>"
        }
        // Dominated points first so the frontier draws on top.
        for p in points.filter(\.dominated) + undominated {
            let color = HarnessAdapters.color(p.harness)
            let x = xScale.position(p.usdPerSuccess), y = yScale.position(p.secondsPerSuccess)
            s += "<g class=\"cost-speed-point\(p.dominated ? " dominated" : " on-frontier")\" data-agent=\"\(esc(p.agent))\" "
                + "data-harness=\"\(p.harness.rawValue)\" data-usd-per-success=\"\(TrendChart.dataNumber(p.usdPerSuccess))\" "
                + "data-seconds-per-success=\"\(TrendChart.dataNumber(p.secondsPerSuccess))\" "
                + "data-success-rate=\"\(TrendChart.dataNumber(p.successRate))\" data-dominated=\"\(p.dominated)\""
                + (p.dominated ? " opacity=\"0.35\"" : "") + ">"
            let tip = "\(p.agent) (\(p.harness.rawValue)): \(Format.usd(p.usdPerSuccess)) and "
                + "\(Format.duration(seconds: p.secondsPerSuccess)) per success, success \(Format.percent(p.successRate))"
                + (p.dominated ? ", dominated" : ", on the frontier")
            s += "<title>\(esc(tip))</title>"
            s += "<circle cx=\"\(svgNumber(x))\" cy=\"\(svgNumber(y))\" r=\"\(svgNumber(Self.radius(p.successRate)))\" "
                + "fill=\"\(color)\" fill-opacity=\"0.75\" stroke=\"\(color)\"/>"
            // Crowded charts name only the frontier; the rest keep their tooltip.
            if points.count <= 16 || !p.dominated {
                let name = TerminalText.truncate(p.agent, to: 22)
                let gap = Self.radius(p.successRate) + 4
                // Beside the marker, on its left when the right would run into the legend.
                let rightSide = x + gap + Double(name.count) * 6.6 <= plotRight
                s += "<text class=\"point-label\" x=\"\(svgNumber(rightSide ? x + gap : x - gap))\" y=\"\(svgNumber(y + 4))\" "
                    + "text-anchor=\"\(rightSide ? "start" : "end")\">\(esc(name))</text>"
            }
            s += "</g>"
        }
        s += legend(points)
        return s + "</svg>"
    }

    /// Marker radius: area ∝ success rate, as on the cost–quality chart.
    static func radius(_ successRate: Double) -> Double { ChartMarks.successRadius(successRate) }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String) -> String {
        ChartMarks.line(x1, y1, x2, y2, cls: cls)
    }

    private func axes(xScale: LogScale, yScale: LogScale) -> String {
        var s = "<g class=\"axis x-axis\">"
        for tick in xScale.ticks() {
            let x = xScale.position(tick)
            s += line(x, plotTop, x, plotBottom, cls: "grid") + line(x, plotBottom, x, plotBottom + 5, cls: "tick")
            s += "<text class=\"tick-label\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(plotBottom + 19))\" text-anchor=\"middle\">"
                + "\(esc(FrontierChart.costTick(tick)))</text>"
        }
        s += line(plotLeft, plotBottom, plotRight, plotBottom, cls: "axis-line")
        s += "<text class=\"axis-title\" x=\"\(svgNumber((plotLeft + plotRight) / 2))\" y=\"\(svgNumber(height - 14))\" "
            + "text-anchor=\"middle\">cost per success (USD, log scale) →</text></g><g class=\"axis y-axis\">"
        for tick in Self.timeTicks(yScale) {
            let y = yScale.position(tick)
            s += line(plotLeft, y, plotRight, y, cls: "grid") + line(plotLeft - 5, y, plotLeft, y, cls: "tick")
            s += "<text class=\"tick-label\" x=\"\(svgNumber(plotLeft - 8))\" y=\"\(svgNumber(y + 4))\" text-anchor=\"end\">"
                + "\(esc(Format.duration(seconds: tick)))</text>"
        }
        s += line(plotLeft, plotTop, plotLeft, plotBottom, cls: "axis-line")
        let midY = (plotTop + plotBottom) / 2
        s += "<text class=\"axis-title\" x=\"16\" y=\"\(svgNumber(midY))\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \(svgNumber(midY)))\">time per success (log scale) →</text>"
        return s + "</g>"
    }

    /// Round durations (1 s, 10 s, 1 min, 5 min, 1 h …) inside the axis; the scale's own 1-2-5
    /// ticks when fewer than two fit. At most 8.
    static func timeTicks(_ scale: LogScale) -> [Double] {
        let round: [Double] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 4 * 3600, 8 * 3600, 86_400]
        var ticks = round.filter { $0 >= scale.domainLow && $0 <= scale.domainHigh }
        if ticks.count < 2 { return scale.ticks() }
        if ticks.count > 8 {
            let step = Int((Double(ticks.count) / 8).rounded(.up))
            ticks = ticks.enumerated().filter { $0.offset % step == 0 }.map(\.element)
        }
        return ticks
    }

    private func legend(_ points: [CostSpeedPoint]) -> String {
        let harnesses = Harness.allCases.filter { h in points.contains { $0.harness == h } }
        let (s, _) = ChartMarks.legend(x: plotRight + 22, y: plotTop + 10, harnesses: harnesses, rates: [0.25, 0.5, 1.0],
                                       frontierLabel: "frontier")
        return s + "</g>"
    }
}
