import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An append-only file that stops growing at `capBytes`: the first `capBytes` are kept, then a
/// marker line, and (when `keepTailBytes` > 0) the last bytes seen are appended on `close`, so a
/// stderr file holds both the start of the output and the error that ended it.
final class BoundedFileSink {
    let path: String
    let capBytes: Int
    let keepTailBytes: Int
    private var fd: Int32
    private(set) var written = 0
    private(set) var droppedBytes = 0
    private var tail: [UInt8] = []

    init(path: String, capBytes: Int, keepTailBytes: Int = 0) throws {
        self.path = path
        self.capBytes = capBytes
        self.keepTailBytes = keepTailBytes
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw SupervisorError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
    }

    deinit { close() }

    func write(_ chunk: UnsafeRawBufferPointer) {
        guard fd >= 0, chunk.count > 0 else { return }
        rememberTail(chunk)
        let room = capBytes - written
        if room > 0 {
            let n = min(room, chunk.count)
            writeAll(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            written += n
            droppedBytes += chunk.count - n
        } else {
            droppedBytes += chunk.count
        }
    }

    /// The last `keepTailBytes` bytes written (for classifying the error an agent died with).
    var tailText: String { String(decoding: tail, as: UTF8.self) }

    func close() {
        guard fd >= 0 else { return }
        if droppedBytes > 0 {
            var note = "\n[agon: output truncated at \(capBytes) bytes; \(droppedBytes) bytes dropped"
            note += keepTailBytes > 0 ? "; last \(min(keepTailBytes, tail.count)) bytes follow]\n" : "]\n"
            note.utf8CString.withUnsafeBytes { writeAll(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
            if keepTailBytes > 0 { tail.withUnsafeBytes { writeAll($0) } }
        }
        _ = Glibc.close(fd)
        fd = -1
    }

    private func rememberTail(_ chunk: UnsafeRawBufferPointer) {
        guard keepTailBytes > 0 else { return }
        if chunk.count >= keepTailBytes {
            tail = Array(chunk.suffix(keepTailBytes))
        } else {
            tail.append(contentsOf: chunk)
            if tail.count > keepTailBytes { tail.removeFirst(tail.count - keepTailBytes) }
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}
