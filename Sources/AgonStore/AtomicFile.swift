import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that readers never see half done: write a temporary file in the same
/// directory, fsync it, rename it over the target, fsync the directory.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating parent directories as needed.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temp = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError("create", temp) }
        var renamed = false
        defer { if !renamed { unlink(temp.path) } }
        do {
            defer { close(fd) }
            try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buffer.count {
                    let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw posixError("write", temp)
                    }
                    offset += n
                }
            }
            guard fsync(fd) == 0 else { throw posixError("fsync", temp) }
        }
        guard rename(temp.path, url.path) == 0 else { throw posixError("rename into place", url) }
        renamed = true
        // Make the rename itself durable; failure here is not worth failing the write for.
        let dirFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Writes UTF-8 `text` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    #if canImport(Glibc)
    private static let systemWrite = Glibc.write
    #else
    private static let systemWrite = Darwin.write
    #endif

    private static func posixError(_ action: String, _ url: URL) -> StoreError {
        .io(path: url.path, detail: "\(action) failed: \(String(cString: strerror(errno)))")
    }
}
