/// Rank-agreement statistics: Kendall's W (coefficient of concordance), Kendall's tau-b, Spearman's rho.
public enum Agreement {
    /// Kendall's W with the standard tie correction:
    /// W = 12·S / (m²(n³−n) − m·ΣT), S = Σ(R_i − mean R)², T_j = Σ(t³−t) over tie groups of rater j.
    /// `ranks[j][i]` is rater j's rank of item i (any consistent scale; tied items share the mean
    /// rank). Returns nil with fewer than 2 raters or 2 items, or when every rater ties everything.
    public static func kendallW(ranks: [[Double]]) -> Double? {
        let m = ranks.count
        guard m >= 2, let n = ranks.first?.count, n >= 2, ranks.allSatisfy({ $0.count == n }) else { return nil }
        // Re-rank each rater's values to 1…n with average ranks so inputs on any scale work.
        let normalised = ranks.map(averageRanks)
        var sums = [Double](repeating: 0, count: n)
        var tieTerm = 0.0
        for row in normalised {
            for i in 0..<n { sums[i] += row[i] }
            tieTerm += tieGroupSizes(row).reduce(0) { $0 + Double($1 * $1 * $1 - $1) }
        }
        let mean = sums.reduce(0, +) / Double(n)
        let s = sums.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let dn = Double(n), dm = Double(m)
        let denominator = dm * dm * (dn * dn * dn - dn) - dm * tieTerm
        guard denominator > 0 else { return nil }
        return 12 * s / denominator
    }

    /// Kendall's W of complete or partial orders (best first). Partial rankings: W is computed over
    /// the items ranked by EVERY ranking (each order restricted to those items), because filling in
    /// missing ranks would invent opinions. Nil when fewer than 2 rankings or 2 common items.
    public static func kendallW(orders: [[Int]]) -> Double? {
        guard orders.count >= 2 else { return nil }
        var common = Set(orders[0])
        for order in orders.dropFirst() { common.formIntersection(order) }
        let items = common.sorted()
        guard items.count >= 2 else { return nil }
        let ranks = orders.map { order -> [Double] in
            let position = positions(order.filter { common.contains($0) })
            return items.map { Double(position[$0]! + 1) }
        }
        return kendallW(ranks: ranks)
    }

    /// Kendall's tau-b between two score/rank vectors over the same items (ties allowed).
    /// Nil when either vector is constant or has fewer than 2 entries.
    public static func kendallTauB(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "tau-b needs paired observations")
        let n = x.count
        guard n >= 2 else { return nil }
        var concordant = 0.0, discordant = 0.0
        for i in 0..<n {
            for j in (i + 1)..<n {
                let dx = x[i] - x[j], dy = y[i] - y[j]
                if dx == 0 || dy == 0 { continue }  // ties enter through the denominator only
                if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
            }
        }
        let n0 = Double(n * (n - 1) / 2)
        let n1 = tiedXTotal(x), n2 = tiedXTotal(y)
        let denominator = ((n0 - n1) * (n0 - n2)).squareRoot()
        guard denominator > 0 else { return nil }
        return (concordant - discordant) / denominator
    }

    /// Tau-b between two orders (best first) over the items both rank; nil if fewer than 2 shared.
    /// Orders have no ties, so tau-b is (concordant − discordant) / pairs; counted without
    /// dictionaries or sorts because the leaderboard evaluates it for every review of every run
    /// (checked against the general `kendallTauB(_:_:)` in the tests).
    public static func kendallTauB(order a: [Int], order b: [Int]) -> Double? {
        var shared: [Int] = []   // each shared item's position in b, in a's order
        shared.reserveCapacity(a.count)
        for item in a { if let p = b.firstIndex(of: item) { shared.append(p) } }
        let m = shared.count
        guard m >= 2 else { return nil }
        var score = 0
        for i in 0..<(m - 1) {
            for j in (i + 1)..<m { score += shared[i] < shared[j] ? 1 : -1 }
        }
        return Double(score) / Double(m * (m - 1) / 2)
    }

    /// Spearman's rho (Pearson correlation of average ranks); nil if either vector is constant.
    public static func spearmanRho(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "rho needs paired observations")
        guard x.count >= 2 else { return nil }
        let rx = averageRanks(x), ry = averageRanks(y)
        let mx = rx.reduce(0, +) / Double(rx.count), my = ry.reduce(0, +) / Double(ry.count)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<rx.count {
            sxy += (rx[i] - mx) * (ry[i] - my)
            sxx += (rx[i] - mx) * (rx[i] - mx)
            syy += (ry[i] - my) * (ry[i] - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// 1-based ranks of values, ascending, ties sharing their mean rank.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let mean = Double(start + end) / 2 + 1
            for k in start...end { ranks[order[k]] = mean }
            start = end + 1
        }
        return ranks
    }

    static func positions(_ order: [Int]) -> [Int: Int] {
        var result: [Int: Int] = [:]
        for (position, item) in order.enumerated() { result[item] = position }
        return result
    }

    static func tieGroupSizes(_ values: [Double]) -> [Int] {
        var counts: [Double: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.values.filter { $0 > 1 }
    }

    /// Σ t(t−1)/2 over tie groups: the number of pairs tied in x.
    static func tiedXTotal(_ values: [Double]) -> Double {
        tieGroupSizes(values).reduce(0) { $0 + Double($1 * ($1 - 1) / 2) }
    }
}
