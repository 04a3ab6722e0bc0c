import Foundation

/// Splits a byte stream into lines as it arrives, without ever buffering more than `maxLineBytes`.
///
/// Lines longer than the cap are counted in `overlongLines` and skipped whole (their bytes are
/// discarded as they stream past). A trailing `\r` is dropped; bytes that are not UTF-8 are
/// replaced, never fatal. A last line without `\n` is delivered by `finish`.
public struct LineSplitter {
    public let maxLineBytes: Int
    public private(set) var overlongLines = 0
    private var pending: [UInt8] = []
    private var discarding = false

    public init(maxLineBytes: Int = 1 << 20) {
        precondition(maxLineBytes > 0)
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds a chunk; `emit` is called once per complete line, in order.
    public mutating func append(_ chunk: UnsafeRawBufferPointer, _ emit: (Substring) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        while start < chunk.count {
            let remaining = chunk.count - start
            if let hit = memchr(base + start, 0x0A, remaining) {
                let end = base.distance(to: UnsafeRawPointer(hit))
                absorb(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
                completeLine(emit)
                start = end + 1
            } else {
                absorb(UnsafeRawBufferPointer(rebasing: chunk[start..<chunk.count]))
                start = chunk.count
            }
        }
    }

    public mutating func append(_ bytes: [UInt8], _ emit: (Substring) -> Void) {
        bytes.withUnsafeBytes { append($0, emit) }
    }

    /// Delivers a final unterminated line, if any (a truncated last line is tolerated, not lost).
    public mutating func finish(_ emit: (Substring) -> Void) {
        if discarding {
            discarding = false
            overlongLines += 1
        } else if !pending.isEmpty {
            completeLine(emit)
        }
    }

    private mutating func absorb(_ part: UnsafeRawBufferPointer) {
        guard !discarding, part.count > 0 else { return }
        if pending.count + part.count > maxLineBytes {
            pending.removeAll(keepingCapacity: false)
            discarding = true
            return
        }
        pending.append(contentsOf: part)
    }

    private mutating func completeLine(_ emit: (Substring) -> Void) {
        if discarding {
            discarding = false
            overlongLines += 1
            return
        }
        if pending.last == 0x0D { pending.removeLast() }
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: pending.count <= 64 * 1024)
        emit(line[...])
    }
}
