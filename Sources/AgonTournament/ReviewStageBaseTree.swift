import AgonCore
import AgonGit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A verifier's private scratch directory, outside the repository: `base/` (a plain copy of the
/// base commit's files, no `.git`, made read-only), the verdict file it is asked to write, and
/// its CLI's working files. Nothing in its path names the run or an agent, and since it is
/// neither a git repository nor inside one, the verifier cannot list the candidates' branches.
final class ReviewScratch {
    let directory: String
    var baseTree: String { directory + "/base" }
    var packetFile: String { directory + "/packet.md" }
    func io(attempt: Int) -> String { directory + "/io-\(attempt)" }

    /// libgit2 worktree creation is serialised across verifiers (they share `.git/worktrees`).
    private static let gitLock = NSLock()

    /// Creates a fresh scratch directory: `mkdtemp`, mode 0700, an unpredictable name, so no other
    /// process can prepare it in advance (e.g. plant a verdict) or guess where it is.
    init(seed: UInt64) throws {
        let temp = FileManager.default.temporaryDirectory.path
        let prefix = (temp.hasSuffix("/") ? String(temp.dropLast()) : temp) + "/agon-review-"
        var template = Array((prefix + UUID().uuidString.prefix(8).lowercased() + "XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw WorkError("cannot create a directory in \(temp): \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
    }

    /// Copies the files of commit `base` into `base/` through a short-lived worktree of the run
    /// (`_review/<verifier>`, removed again at once), then makes the copy read-only.
    func exportBase(workspace: Workspace, runID: String, verifierID: String, base: ObjectID) throws {
        let worktrees = WorktreeSet(workspace: workspace, runID: runID, base: base)
        let name = WorktreeSet.scratchName("review", verifierID)
        Self.gitLock.lock()
        defer { Self.gitLock.unlock() }
        try FileManager.default.createDirectory(atPath: worktrees.directory, withIntermediateDirectories: true)
        try WorktreeSet.acrossProcesses(workspace) {
            try worktrees.discard(name)
            try worktrees.addWithRetry(name)
        }
        defer { try? worktrees.discard(name) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: baseTree, withIntermediateDirectories: true)
        for entry in try fm.contentsOfDirectory(atPath: worktrees.path(for: name)) where entry != ".git" {
            try fm.copyItem(atPath: worktrees.path(for: name) + "/" + entry, toPath: baseTree + "/" + entry)
        }
        Self.setWritable(baseTree, false)
    }

    /// Path → "type size mtime mode" for everything under `base/`: cheap, and any edit, creation,
    /// deletion or chmod changes it.
    func fingerprint() -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: baseTree) else { return out }
        while let relative = walker.nextObject() as? String {
            guard let attributes = try? fm.attributesOfItem(atPath: baseTree + "/" + relative) else { continue }
            let type = (attributes[.type] as? FileAttributeType)?.rawValue ?? "?"
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let mtime = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
            out[relative] = "\(type) \(size) \(mtime) \(mode)"
        }
        return out
    }

    /// Paths that differ between two fingerprints, sorted.
    static func changes(from before: [String: String], to after: [String: String]) -> [String] {
        Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
    }

    /// Removes the whole scratch directory (restoring write permission first).
    func remove() { Self.removeTree(directory) }

    private static func removeTree(_ path: String) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        setWritable(path, true)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// chmod u+w / a-w over a tree (symlinks are left alone).
    private static func setWritable(_ root: String, _ writable: Bool) {
        let fm = FileManager.default
        var paths = [root]
        if let walker = fm.enumerator(atPath: root) {
            while let relative = walker.nextObject() as? String { paths.append(root + "/" + relative) }
        }
        // Directories last when locking (so the walk above could still list them), first when unlocking.
        for path in writable ? paths : paths.reversed() {
            guard let attributes = try? fm.attributesOfItem(atPath: path),
                  (attributes[.type] as? FileAttributeType) != .typeSymbolicLink,
                  let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue else { continue }
            let newMode = writable ? mode | 0o200 : mode & ~0o222
            if newMode != mode { try? fm.setAttributes([.posixPermissions: newMode], ofItemAtPath: path) }
        }
    }
}
