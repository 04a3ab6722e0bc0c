import AgonAgents
import AgonCore
import AgonLeaderboard
import Foundation

/// A horizontal bar chart with one bar per agent; infinite values draw as a full-length hatched
/// bar, unknown ones as a note without a bar.
public struct BarChart: Sendable {
    /// What one bar shows.
    public enum Value: Equatable, Sendable {
        case finite(Double, label: String)
        /// E.g. cost per success with no success.
        case infinite(label: String)
        /// E.g. unpriced: no bar, just the label.
        case missing(label: String)
    }

    /// One labelled bar.
    public struct Bar: Equatable, Sendable {
        public var name: String
        public var value: Value
        public var color: String

        public init(name: String, value: Value, color: String) {
            self.name = name
            self.value = value
            self.color = color
        }
    }

    public var title: String
    public var bars: [Bar]
    /// Unique within the page: used for the hatch pattern's id.
    public var id: String
    public var width: Double = 520
    let labelWidth = 150.0, valueWidth = 140.0, rowHeight = 24.0, top = 30.0

    public init(title: String, id: String, bars: [Bar]) {
        self.title = title
        self.id = id
        self.bars = bars
    }

    var height: Double { top + Double(max(bars.count, 1)) * rowHeight + 12 }

    public func svg() -> String {
        let barLeft = labelWidth, barMax = width - labelWidth - valueWidth
        let maxFinite = bars.compactMap { bar -> Double? in
            if case .finite(let v, _) = bar.value, v.isFinite { return v }
            return nil
        }.max() ?? 0
        let hatchID = "hatch-" + id
        var s = "<svg class=\"chart bar-chart\" id=\"\(esc(id))\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" "
            + "width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" role=\"img\" aria-label=\"\(esc(title))\">"
        s += "<defs><pattern id=\"\(esc(hatchID))\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
            + "patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#fee2e2\"/>"
            + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#dc2626\" stroke-width=\"3\"/></pattern></defs>"
        s += "<text class=\"chart-title\" x=\"0\" y=\"16\">\(esc(title))</text>"
        if bars.isEmpty {
            s += "<text class=\"empty\" x=\"0\" y=\"\(svgNumber(top + 16))\">No agents yet.</text></svg>"
            return s
        }
        for (i, bar) in bars.enumerated() {
            let y = top + Double(i) * rowHeight
            let name = TerminalText.truncate(bar.name, to: 18)
            s += "<g class=\"bar-row\" data-agent=\"\(esc(bar.name))\">"
            s += "<text class=\"bar-name\" x=\"\(svgNumber(labelWidth - 8))\" y=\"\(svgNumber(y + 15))\" "
                + "text-anchor=\"end\">\(esc(name))</text>"
            switch bar.value {
            case .finite(let v, let label):
                let length = maxFinite > 0 ? max(1, v / maxFinite * barMax * 0.85) : 1
                s += "<rect class=\"bar\" x=\"\(svgNumber(barLeft))\" y=\"\(svgNumber(y + 4))\" "
                    + "width=\"\(svgNumber(length))\" height=\"\(svgNumber(rowHeight - 8))\" fill=\"\(bar.color)\"/>"
                s += valueText(label, x: barLeft + length + 6, y: y + 15, cls: "bar-value")
            case .infinite(let label):
                s += "<rect class=\"bar infinite\" x=\"\(svgNumber(barLeft))\" y=\"\(svgNumber(y + 4))\" "
                    + "width=\"\(svgNumber(barMax))\" height=\"\(svgNumber(rowHeight - 8))\" "
                    + "fill=\"url(#\(esc(hatchID)))\" stroke=\"#dc2626\"/>"
                s += valueText(label, x: barLeft + barMax + 6, y: y + 15, cls: "bar-value infinite")
            case .missing(let label):
                s += valueText(label, x: barLeft + 4, y: y + 15, cls: "bar-value missing")
            }
            s += "</g>"
        }
        s += "<line class=\"axis-line\" x1=\"\(svgNumber(barLeft))\" y1=\"\(svgNumber(top))\" "
            + "x2=\"\(svgNumber(barLeft))\" y2=\"\(svgNumber(height - 12))\"/>"
        return s + "</svg>"
    }

    private func valueText(_ label: String, x: Double, y: Double, cls: String) -> String {
        "<text class=\"\(cls)\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\">\(esc(label))</text>"
    }
}

extension BarChart {
    /// Median time to success per agent; agents that never succeeded get an ∞ bar.
    public static func timeToSuccess(_ rows: [LeaderboardRowView]) -> BarChart {
        BarChart(title: "Median time to success", id: "time-to-success", bars: rows.map { row in
            let value: Value
            if let t = row.medianTimeToSuccessS, t.isFinite {
                value = .finite(t, label: Format.duration(seconds: t))
            } else if row.successRate == 0 {
                value = .infinite(label: "∞ never succeeded")
            } else {
                value = .missing(label: Format.none)
            }
            return Bar(name: row.agent, value: value, color: HarnessAdapters.color(row.harness))
        })
    }

    /// Cost per success per agent; ∞ for no success, a note for unpriced.
    public static func costPerSuccess(_ rows: [LeaderboardRowView]) -> BarChart {
        BarChart(title: "Cost per success", id: "cost-per-success", bars: rows.map { row in
            let value: Value
            switch row.costPerSuccess {
            case .usd(let v): value = .finite(v, label: Format.usd(v))
            case .noSuccess: value = .infinite(label: "∞ no success")
            case .unpriced: value = .missing(label: "unpriced")
            }
            return Bar(name: row.agent, value: value, color: HarnessAdapters.color(row.harness))
        })
    }
}
