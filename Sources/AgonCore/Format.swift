import Foundation

/// Human formatting of money, time, token counts and rates, shared by the prompt, tables, progress and HTML
/// (AgonReport adds the report-only symbols).
public enum Format {
    /// Placeholder for a value that does not exist (not the same as unknown cost).
    public static let none = "—"
    public static let infinity = "∞"

    /// `$1.25`, `$0.31`, `$0.0123`, `<$0.0001`; `—` for nil; `unpriced` when the source says so.
    public static func usd(_ value: Double?, source: CostSource? = nil) -> String {
        if source == .unpriced { return "unpriced" }
        guard let value, value.isFinite else {
            if let value, value.isInfinite { return infinity }
            return none
        }
        if value < 0 { return "-" + usd(-value) }
        if value == 0 { return "$0.00" }
        if value < 0.0001 { return "<$0.0001" }
        // Sub-dime amounts keep four decimals: a verifier call often costs a fraction of a cent.
        if value < 0.1 { return "$" + fixed(value, decimals: 4) }
        if value < 1000 { return "$" + fixed(value, decimals: 2) }
        return "$" + grouped(value.rounded())
    }

    /// `850ms`, `4.2s`, `42s`, `1m23s`, `1h02m`; `—` for nil or negative.
    public static func duration(ms: Int?) -> String {
        guard let ms, ms >= 0 else { return none }
        if ms < 1000 { return "\(ms)ms" }
        let seconds = Double(ms) / 1000
        if seconds < 10 {
            let s = fixed(seconds, decimals: 1)
            if s != "10.0" { return s + "s" }
        }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m" + pad2(total % 60) + "s" }
        return "\(total / 3600)h" + pad2((total % 3600) / 60) + "m"
    }

    /// Same as `duration(ms:)` for a value in seconds.
    public static func duration(seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return none }
        return duration(ms: Int((seconds * 1000).rounded()))
    }

    /// `850`, `12.3k`, `123k`, `1.2M`, `3.4B`.
    public static func tokens(_ count: Int) -> String {
        if count < 0 { return "-" + tokens(-count) }
        if count < 1000 { return "\(count)" }
        let units: [(Double, String)] = [(1e3, "k"), (1e6, "M"), (1e9, "B")]
        for (index, (scale, suffix)) in units.enumerated() {
            let scaled = Double(count) / scale
            let oneDecimal = (scaled * 10).rounded() / 10
            let isLast = index == units.count - 1
            if oneDecimal < 100 { return fixed(oneDecimal, decimals: 1) + suffix }
            let whole = scaled.rounded()
            if whole < 1000 || isLast { return grouped(whole) + suffix }
        }
        return "\(count)"
    }

    /// Token count given as a mean (e.g. tokens per task).
    public static func tokens(_ value: Double) -> String {
        guard value.isFinite else { return none }
        return tokens(Int(value.rounded()))
    }

    /// A fraction as a percentage: `0.625` → `63%` (or `62.5%` with one decimal).
    public static func percent(_ fraction: Double?, decimals: Int = 0) -> String {
        guard let fraction, fraction.isFinite else { return none }
        return fixed(fraction * 100, decimals: decimals) + "%"
    }

    /// A plain number with fixed decimals, `—` for nil.
    public static func number(_ value: Double?, decimals: Int) -> String {
        guard let value, value.isFinite else { return none }
        return fixed(value, decimals: decimals)
    }

    /// A rating on the Elo-like scale: whole points.
    public static func rating(_ value: Double?) -> String {
        number(value, decimals: 0)
    }

    /// `1450–1620`, `—` when neither bound is known; a one-sided bound as `≥ 1450` or `≤ 1620`.
    public static func interval(_ low: Double?, _ high: Double?, decimals: Int = 0) -> String {
        let low = low.flatMap { $0.isFinite ? $0 : nil }, high = high.flatMap { $0.isFinite ? $0 : nil }
        if let low, high == nil { return "≥ " + fixed(low, decimals: decimals) }
        if let high, low == nil { return "≤ " + fixed(high, decimals: decimals) }
        guard let low, let high else { return none }
        return fixed(low, decimals: decimals) + "–" + fixed(high, decimals: decimals)
    }

    /// `2` or `1–3`.
    public static func rankRange(_ low: Int?, _ high: Int?) -> String {
        guard let low else { return none }
        guard let high, high != low else { return "\(low)" }
        return "\(low)–\(high)"
    }

    /// `$0.31/$0.50`, or just the cost when there is no budget.
    public static func costAgainstBudget(_ cost: Double?, source: CostSource, budget: Double?) -> String {
        let spent = usd(cost ?? (source == .unpriced ? nil : 0), source: source)
        guard let budget, budget > 0 else { return spent }
        return spent + "/" + usd(budget)
    }

    // MARK: - Number plumbing (locale-independent)

    /// `value` with exactly `decimals` decimals, never `-0`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        let formatted = String(format: "%.\(max(0, decimals))f", value)
        // "-0" and "-0.0" read as noise.
        if formatted.hasPrefix("-"), formatted.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(formatted.dropFirst())
        }
        return formatted
    }

    /// A whole number with thousands separators: `12,345`.
    public static func grouped(_ whole: Double) -> String {
        let digits = String(format: "%.0f", whole)
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0, i % 3 == 0, ch != "-" { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
