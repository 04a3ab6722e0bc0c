@testable import AgonConsensus

/// Lexicographically first permutation of 0..<n with minimal Kemeny cost, by enumeration.
func bruteForceKemeny(itemCount n: Int, rankings: [WeightedRanking]) -> (ranking: [Int], cost: Double) {
    let preferences = PairwisePreferences(itemCount: n, rankings: rankings)
    var permutation = Array(0..<n)
    var best = permutation
    var bestCost = preferences.disagreement(of: permutation)
    while nextPermutation(&permutation) {
        let cost = preferences.disagreement(of: permutation)
        if cost < bestCost - 1e-9 {
            bestCost = cost
            best = permutation
        }
    }
    return (best, bestCost)
}

/// Advances to the next permutation in lexicographic order; false after the last one.
func nextPermutation(_ a: inout [Int]) -> Bool {
    guard a.count > 1 else { return false }
    var i = a.count - 2
    while i >= 0 && a[i] >= a[i + 1] { i -= 1 }
    if i < 0 { return false }
    var j = a.count - 1
    while a[j] <= a[i] { j -= 1 }
    a.swapAt(i, j)
    a[(i + 1)...].reverse()
    return true
}

/// A Mallows(φ) sample around `reference` by repeated insertion: the k-th reference item is
/// inserted at position j ∈ 0...k with probability ∝ φ^(k − j).
func sampleMallows(reference: [Int], phi: Double, using rng: inout SeededGenerator) -> [Int] {
    var result: [Int] = []
    for (k, item) in reference.enumerated() {
        let weights = (0...k).map { j in power(phi, k - j) }
        var u = rng.nextUnit() * weights.reduce(0, +)
        var position = k
        for (j, weight) in weights.enumerated() {
            if u < weight { position = j; break }
            u -= weight
        }
        result.insert(item, at: position)
    }
    return result
}

func power(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<exponent { result *= base }
    return result
}
