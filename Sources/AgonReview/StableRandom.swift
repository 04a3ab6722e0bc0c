/// 64-bit FNV-1a over UTF-8 bytes: a hash that is the same on every run and platform
/// (Swift's `Hasher` is randomly seeded per process, so it cannot derive reproducible seeds).
public enum FNV1a {
    public static func hash64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// SplitMix64 generator: tiny, fast, fully determined by its seed (used for reproducible blinding).
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state = state &+ 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Unbiased integer in `0..<bound` by rejection sampling; our own so orders never change with
    /// the standard library's implementation of `shuffled(using:)`.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        let limit = UInt64.max - (UInt64.max % b)
        while true {
            let r = next()
            if r < limit { return Int(r % b) }
        }
    }

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
