import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// zlib's one-shot `compress2`/`uncompress`, looked up at run time.
///
/// libgit2 already loads zlib into the process; resolving the two symbols dynamically avoids
/// a link-time dependency the CGit2 module map does not declare.
enum Zlib {
    private typealias Compress2 = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt, Int32) -> Int32
    private typealias Uncompress = @convention(c) (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt) -> Int32

    private static let library: UnsafeMutableRawPointer? = {
        for name in ["libz.so.1", "libz.so", "libz.1.dylib", "libz.dylib"] {
            if let handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL) { return handle }
        }
        return nil
    }()

    private static let compress2: Compress2? = library.flatMap { dlsym($0, "compress2") }.map { unsafeBitCast($0, to: Compress2.self) }
    private static let uncompressFn: Uncompress? = library.flatMap { dlsym($0, "uncompress") }.map { unsafeBitCast($0, to: Uncompress.self) }

    /// A zlib stream of `data` at `level` (what git's `deflate_it` produces), nil if zlib is unavailable.
    static func deflate(_ data: [UInt8], level: Int32) -> [UInt8]? {
        guard let compress2 else { return nil }
        // compressBound() from zlib, plus slack.
        var capacity = UInt(data.count + (data.count >> 12) + (data.count >> 14) + (data.count >> 25) + 64)
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let rc = output.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { input in
                compress2(out.baseAddress, &capacity, input.baseAddress, UInt(input.count), level)
            }
        }
        guard rc == 0 else { return nil }
        return Array(output.prefix(Int(capacity)))
    }

    /// Inflates a zlib stream whose inflated size is known.
    static func inflate(_ data: [UInt8], size: Int) -> [UInt8]? {
        guard let uncompressFn else { return nil }
        var length = UInt(size)
        var output = [UInt8](repeating: 0, count: max(size, 1))
        let rc = output.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { input in
                uncompressFn(out.baseAddress, &length, input.baseAddress, UInt(input.count))
            }
        }
        guard rc == 0, Int(length) == size else { return nil }
        return Array(output.prefix(size))
    }
}
