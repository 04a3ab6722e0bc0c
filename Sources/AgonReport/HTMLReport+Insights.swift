import AgonCore
import AgonLeaderboard
import Foundation

// The leaderboard's "is it worth it?" part of the HTML report: trend, cost–speed frontier,
// top error codes and spend per applied patch.
extension HTMLReport {
    static func insightsSection(_ insights: LeaderboardInsights) -> String {
        var h = "<div id=\"worth-it\">"
        h += spendPerAppliedPatch(insights.spendPerAppliedPatch)
        h += "<h3>Trend by \(insights.trend.period.rawValue)</h3>"
        h += "<p class=\"meta\">Runs bucketed by " + (insights.trend.period == .week
            ? "week (Monday 00:00 UTC)" : "day (UTC; all runs fall within 14 days, so weekly buckets would hide the trend)")
            + ". Success rate and cost per success use the leaderboard's definitions within each bucket; "
            + "a hollow mark on the x axis means the agent ran but the metric has no value (no success, or unpriced).</p>"
        h += TrendChart(trend: insights.trend).html()
        h += "<h3>Cost vs speed per success</h3>"
        h += "<p class=\"meta\">Per agent over all runs: cost per success (priced runs' cost / their successes) against time "
            + "per success (wall time of every run, failed ones included / successes), both log scale; lower-left is better. "
            + "An agent is dominated (dimmed) when another is no worse on both and better on one.</p>"
        h += "<div class=\"chart-box\">" + CostSpeedChart(frontier: insights.costSpeed).svg() + "</div>"
        if !insights.costSpeed.leftOut.isEmpty {
            h += "<p class=\"meta not-plotted cost-speed-left-out\">Not plotted — "
                + insights.costSpeed.leftOut.map { "\(esc($0.agent)) (\($0.reason.replacingOccurrences(of: "_", with: " ")))" }
                    .joined(separator: ", ") + ".</p>"
        }
        h += errorCodeTable(insights.errorCodes)
        return h + "</div>"
    }

    static func spendPerAppliedPatch(_ spend: SpendPerAppliedPatch) -> String {
        var h = "<h3>Spend per applied patch</h3><p class=\"spend-per-patch\" data-applied-runs=\"\(spend.appliedRuns)\""
        guard let perPatch = spend.perPatchUSD else {
            return h + ">No run has been applied yet (<code>agon apply RUN AGENT</code> records a pick).</p>"
        }
        h += " data-usd=\"\(TrendChart.dataNumber(perPatch))\" data-lower-bound=\"\(spend.isLowerBound)\">"
        h += "<strong>\(spend.isLowerBound ? "≥ " : "")\(esc(Format.usd(perPatch)))</strong> per applied patch: "
            + "\(esc(Format.usd(spend.agentSpendUSD))) agents + \(esc(Format.usd(spend.verifierSpendUSD))) verifiers "
            + "over \(plural(spend.appliedRuns, "applied run")). A run counts as applied when <code>agon apply</code> "
            + "recorded a pick for it; every candidate's and verifier's spend in it counts, the losers' too."
        if spend.isLowerBound {
            h += " Unpriced and left out: \(plural(spend.unpricedCandidates, "candidate")), \(plural(spend.unpricedReviews, "review"))."
        }
        return h + "</p>"
    }

    static func errorCodeTable(_ codes: [ErrorCodeCount]) -> String {
        var h = "<h3>Top error codes</h3>"
        guard !codes.isEmpty else { return h + "<p class=\"empty\">No errors recorded.</p>" }
        h += "<table class=\"error-codes\"><thead><tr><th>code</th><th>from</th><th>count</th><th>share</th></tr></thead><tbody>"
        for c in codes {
            let of = c.source == .review ? "reviews" : "finished candidates"
            h += "<tr data-code=\"\(esc(c.code))\" data-source=\"\(c.source.rawValue)\" data-count=\"\(c.count)\" data-out-of=\"\(c.outOf)\">"
                + "<td><code>\(esc(c.code))</code></td><td>\(c.source.rawValue)</td><td class=\"num\">\(c.count)</td>"
                + "<td class=\"num\">\(esc(Format.percent(c.share, decimals: 1))) of \(c.outOf) \(of)</td></tr>"
        }
        return h + "</tbody></table>"
    }

    // No `<` or `&` in here (see `css`). The trend's radio buttons show one metric layer each.
    static let insightsCSS = """
    .trend input{margin:0 4px 0 12px}
    .trend input:first-child{margin-left:0}
    .trend .trend-metric{display:none}
    #trend-success_rate:checked ~ .chart-box .trend-metric[data-metric="success_rate"]{display:inline}
    #trend-time_to_success:checked ~ .chart-box .trend-metric[data-metric="time_to_success"]{display:inline}
    #trend-cost_per_success:checked ~ .chart-box .trend-metric[data-metric="cost_per_success"]{display:inline}
    svg .trend-line{fill:none;stroke-width:2}
    svg .trend-key{stroke-width:3}
    svg .trend-missing{fill:#ffffff;stroke-width:1.5}
    p.spend-per-patch strong{font-size:16px}
    """
}
