/// Cost-vs-quality Pareto frontier (cost lower-better, quality higher-better).
///
/// An item is dominated when another has cost ≤ and quality ≥ with at least one strict; identical
/// points do not dominate each other. Items with unknown (nil) or non-finite cost or quality are
/// never on the frontier and never dominate anything.
public enum Pareto {
    /// Frontier members, cheapest first (ties by index).
    public static func frontier(costs: [Double?], qualities: [Double]) -> [Int] {
        let mask = membership(costs: costs, qualities: qualities)
        return costs.indices.filter { mask[$0] }.sorted { (costs[$0]!, $0) < (costs[$1]!, $1) }
    }

    /// Per item: is it on the frontier?
    public static func membership(costs: [Double?], qualities: [Double]) -> [Bool] {
        precondition(costs.count == qualities.count, "one cost and one quality per item")
        let candidates = costs.indices.filter { costs[$0].map(\.isFinite) == true && qualities[$0].isFinite }
        var onFrontier = [Bool](repeating: false, count: costs.count)
        for i in candidates {
            let ci = costs[i]!, qi = qualities[i]
            onFrontier[i] = !candidates.contains { j in
                let cj = costs[j]!, qj = qualities[j]
                return cj <= ci && qj >= qi && (cj < ci || qj > qi)
            }
        }
        return onFrontier
    }
}
