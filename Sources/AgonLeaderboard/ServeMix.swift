import Foundation

/// One cascade run as the serve mix reads it: its spec and which tier served it.
public struct CascadeServe: Equatable, Sendable {
    public var specPath: String
    /// The 1-based tier that served the run; nil when no tier did.
    public var servedByTier: Int?
    /// How many tiers the cascade had.
    public var tierCount: Int

    public init(specPath: String, servedByTier: Int?, tierCount: Int) {
        self.specPath = specPath
        self.servedByTier = servedByTier
        self.tierCount = tierCount
    }
}

/// Which tier served how many cascade runs of one spec (the leaderboard's serve mix).
public struct SpecServeMix: Equatable, Sendable {
    public var specPath: String
    /// Cascade runs of the spec.
    public var runs: Int
    /// Runs served by tier 1, 2, … (index 0 is tier 1), as long as the deepest cascade.
    public var servedByTier: [Int]
    /// Runs where no tier served.
    public var unserved: Int

    public init(specPath: String, runs: Int, servedByTier: [Int], unserved: Int) {
        self.specPath = specPath
        self.runs = runs
        self.servedByTier = servedByTier
        self.unserved = unserved
    }

    /// The serve mix per spec path, in order of first appearance (non-cascade runs are not inputs).
    public static func compute(_ serves: [CascadeServe]) -> [SpecServeMix] {
        var order: [String] = []
        var mixes: [String: SpecServeMix] = [:]
        for serve in serves {
            if mixes[serve.specPath] == nil {
                order.append(serve.specPath)
                mixes[serve.specPath] = SpecServeMix(specPath: serve.specPath, runs: 0, servedByTier: [], unserved: 0)
            }
            var mix = mixes[serve.specPath]!
            mix.runs += 1
            let depth = max(serve.tierCount, serve.servedByTier ?? 0)
            if mix.servedByTier.count < depth { mix.servedByTier += Array(repeating: 0, count: depth - mix.servedByTier.count) }
            if let tier = serve.servedByTier, tier >= 1 { mix.servedByTier[tier - 1] += 1 } else { mix.unserved += 1 }
            mixes[serve.specPath] = mix
        }
        return order.map { mixes[$0]! }
    }
}
