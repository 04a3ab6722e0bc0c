import AgonCore
import AgonLeaderboard
import Foundation

/// The leaderboard's serve mix: which cascade tier served how many runs of each spec.
enum ServeMixText {
    /// `Cascade serve mix` and one line per spec; empty without cascade runs.
    static func text(_ mixes: [SpecServeMix]) -> String {
        guard !mixes.isEmpty else { return "" }
        let out = "\nCascade serve mix (which tier served the run)\n"
        var table = TextTable(columns: [.init("spec", maxWidth: 40), .number("runs")]
            + (1...max(1, mixes.map(\.servedByTier.count).max() ?? 1)).map { .number("tier \($0)") } + [.number("unserved")])
        let depth = max(1, mixes.map(\.servedByTier.count).max() ?? 1)
        for mix in mixes {
            let tiers = (0..<depth).map { $0 < mix.servedByTier.count ? String(mix.servedByTier[$0]) : Format.none }
            table.append([TerminalText.sanitize(mix.specPath), String(mix.runs)] + tiers + [String(mix.unserved)])
        }
        return out + table.render()
    }
}

/// `serve_mix` in the leaderboard's JSON: one object per spec.
struct ServeMixRow: Encodable {
    let mix: SpecServeMix
    enum Key: String, CodingKey { case spec, runs, servedByTier = "served_by_tier", unserved }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(mix.specPath, forKey: .spec)
        try c.encode(mix.runs, forKey: .runs)
        try c.encode(mix.servedByTier, forKey: .servedByTier)
        try c.encode(mix.unserved, forKey: .unserved)
    }
}
