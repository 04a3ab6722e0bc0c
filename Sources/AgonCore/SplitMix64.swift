// The one seeded generator: blinding orders, bootstrap seeds and synthetic data all come from it,
// so the same seed gives the same stream on every platform (`SystemRandomNumberGenerator`
// cannot promise that, and the standard library's `shuffled(using:)` may change between releases).

/// SplitMix64: tiny, fast, fully determined by its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Unbiased integer in `0..<bound` by rejection sampling (a plain `% bound` favours small values).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        let limit = UInt64.max - (UInt64.max % b)
        while true {
            let r = next()
            if r < limit { return Int(r % b) }
        }
    }

    /// Uniform double in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Fisher–Yates shuffle with `below(_:)`.
    public mutating func shuffle<T>(_ items: [T]) -> [T] {
        var a = items
        guard a.count > 1 else { return a }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, below(i + 1))
        }
        return a
    }
}
