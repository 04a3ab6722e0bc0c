import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Follows a file another process appends to, delivering complete lines as they appear
/// (bounded like stdout). A missing file is simply not there yet.
final class FileTailer {
    let path: String
    private var offset: off_t = 0
    private var splitter: LineSplitter

    init(path: String, maxLineBytes: Int, startingAt offset: off_t = 0) {
        self.path = path
        self.offset = offset
        splitter = LineSplitter(maxLineBytes: maxLineBytes)
    }

    var overlongLines: Int { splitter.overlongLines }

    /// Reads what was appended since the last call (at most 8 MiB per call, so one tick stays short).
    func poll(_ emit: (Substring) -> Void) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var budget = 8 << 20
        while budget > 0 {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += off_t(n)
            budget -= n
            buffer.withUnsafeBytes { splitter.append(UnsafeRawBufferPointer(rebasing: $0[0..<n]), emit) }
        }
    }

    /// Delivers an unterminated last line once the writer is gone.
    func finish(_ emit: (Substring) -> Void) {
        poll(emit)
        splitter.finish(emit)
    }
}

/// Tails every `rollout-*.jsonl` that appears under a directory (Codex writes one per session).
final class RolloutDirectoryTailer {
    let directory: String
    let maxLineBytes: Int
    private(set) var tailers: [FileTailer] = []
    private var known: Set<String> = []

    init(directory: String, maxLineBytes: Int) {
        self.directory = directory
        self.maxLineBytes = maxLineBytes
        // Rollouts already there belong to earlier processes (a resumed thread's copied
        // sessions): only what this process appends to them is read.
        discover(fromEnd: true)
    }

    func poll(_ emit: (Substring) -> Void) {
        discover()
        for t in tailers { t.poll(emit) }
    }

    func finish(_ emit: (Substring) -> Void) {
        discover()
        for t in tailers { t.finish(emit) }
    }

    private func discover(fromEnd: Bool = false) {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return }
        var found: [String] = []
        while let rel = walker.nextObject() as? String {
            let name = (rel as NSString).lastPathComponent
            if name.hasPrefix("rollout-") && name.hasSuffix(".jsonl") && !known.contains(rel) { found.append(rel) }
        }
        for rel in found.sorted() {
            known.insert(rel)
            var start: off_t = 0
            if fromEnd, let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + rel))?[.size] as? NSNumber {
                start = off_t(size.int64Value)
            }
            tailers.append(FileTailer(path: directory + "/" + rel, maxLineBytes: maxLineBytes, startingAt: start))
        }
    }
}
