import Foundation

extension ReviewRecord {
    /// The share of candidate pairs two rankings of the same candidates order alike (pairs where
    /// either ranking lacks a candidate are skipped); nil when no pair is comparable.
    public static func pairConsistency(_ a: [String], _ b: [String]) -> Double? {
        let positionA = Dictionary(a.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let positionB = Dictionary(b.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let shared = a.filter { positionB[$0] != nil }
        var same = 0, pairs = 0
        for i in shared.indices {
            for j in shared.indices where j > i {
                pairs += 1
                if (positionA[shared[i]]! < positionA[shared[j]]!) == (positionB[shared[i]]! < positionB[shared[j]]!) { same += 1 }
            }
        }
        return pairs > 0 ? Double(same) / Double(pairs) : nil
    }
}
