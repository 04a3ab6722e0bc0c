import AgonCore
import AgonAgents

/// SVG pieces the report's charts share: a line, the success-rate marker size, and the legend of
/// harness colours, success-rate sizes, frontier and dominated points.
enum ChartMarks {
    /// Marker radius from a success rate: area ∝ rate, 4 to 13 px (the same on every chart).
    static func successRadius(_ successRate: Double) -> Double {
        let rate = min(1, max(0, successRate.isFinite ? successRate : 0))
        return 4 + 9 * rate.squareRoot()
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String, color: String? = nil) -> String {
        "<line class=\"\(cls)\" x1=\"\(svgNumber(x1))\" y1=\"\(svgNumber(y1))\" x2=\"\(svgNumber(x2))\" "
            + "y2=\"\(svgNumber(y2))\"\(color.map { " stroke=\"\($0)\"" } ?? "")/>"
    }

    /// The legend's common part at (`x`, `y`): the harnesses shown, marker sizes for `rates`, the
    /// frontier line (`frontierLabel`) and a dominated point; returns the SVG (an open `<g>`, the
    /// caller adds its own rows and closes it) and the y of the last row.
    static func legend(x: Double, y top: Double, harnesses: [Harness], rates: [Double], frontierLabel: String) -> (svg: String, y: Double) {
        var y = top
        var s = "<g class=\"legend\"><text class=\"legend-title\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\">harness</text>"
        for h in harnesses {
            y += 18
            s += "<circle cx=\"\(svgNumber(x + 6))\" cy=\"\(svgNumber(y - 4))\" r=\"6\" fill=\"\(HarnessAdapters.color(h))\"/>"
            s += "<text x=\"\(svgNumber(x + 18))\" y=\"\(svgNumber(y))\">\(h.rawValue)</text>"
        }
        y += 30
        s += "<text class=\"legend-title\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\">success rate</text>"
        for rate in rates {
            let r = successRadius(rate)
            y += max(20, 2 * r + 6)
            s += "<circle cx=\"\(svgNumber(x + 14))\" cy=\"\(svgNumber(y - 4))\" r=\"\(svgNumber(r))\" class=\"size-key\"/>"
            s += "<text x=\"\(svgNumber(x + 34))\" y=\"\(svgNumber(y))\">\(Format.percent(rate))</text>"
        }
        y += 30
        s += line(x, y - 4, x + 28, y - 4, cls: "frontier-line")
        s += "<text x=\"\(svgNumber(x + 34))\" y=\"\(svgNumber(y))\">\(frontierLabel)</text>"
        y += 20
        s += "<circle cx=\"\(svgNumber(x + 14))\" cy=\"\(svgNumber(y - 4))\" r=\"6\" fill=\"#64748b\" opacity=\"0.35\"/>"
        s += "<text x=\"\(svgNumber(x + 34))\" y=\"\(svgNumber(y))\">dominated</text>"
        return (s, y)
    }
}
