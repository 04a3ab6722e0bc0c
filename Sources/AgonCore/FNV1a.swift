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
