import Foundation

/// Without a sandbox, a candidate can write into the shared git dir: hooks that run on the user's
/// next `git commit` or `agon apply --commit`, `core.fsmonitor` in `config` (runs on `git
/// status`), `info/`, refs. This takes a copy of those files before an agent or check runs and,
/// after, names what changed and puts the originals back.
///
/// Excluded: Agon's own `refs/heads/agon/` branches and every worktree's admin dir (Agon changes
/// both while candidates run), so a write into a rival's admin dir is not detected.
struct GitDirGuard {
    let commonDir: String
    /// Relative path → content, for every guarded file.
    let files: [String: Data]

    /// Files larger than this are compared by size only (hooks and config are small).
    static let contentLimit = 1 << 20

    static func take(_ commonDir: String) -> GitDirGuard {
        var files: [String: Data] = [:]
        let fm = FileManager.default
        for top in ["config", "HEAD", "packed-refs", "hooks", "info", "refs"] {
            let path = commonDir + "/" + top
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                files[top] = fm.contents(atPath: path) ?? Data()
                continue
            }
            guard let walker = fm.enumerator(atPath: path) else { continue }
            while let relative = walker.nextObject() as? String {
                let name = top + "/" + relative
                if name.hasPrefix("refs/heads/agon/") || name == "refs/heads/agon" { walker.skipDescendants(); continue }
                guard let attributes = try? fm.attributesOfItem(atPath: path + "/" + relative),
                      let type = attributes[.type] as? FileAttributeType, type != .typeDirectory else { continue }
                if type == .typeSymbolicLink {
                    files[name] = Data(("symlink:" + ((try? fm.destinationOfSymbolicLink(atPath: path + "/" + relative)) ?? "")).utf8)
                    continue
                }
                let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
                var content = size <= contentLimit ? (fm.contents(atPath: path + "/" + relative) ?? Data()) : Data("size:\(size)".utf8)
                content.append(Data("\u{0}mode:\(mode)".utf8))
                files[name] = content
            }
        }
        return GitDirGuard(commonDir: commonDir, files: files)
    }

    /// Paths created, changed or deleted since `self`, sorted.
    func changes(since later: GitDirGuard) -> [String] {
        Set(files.keys).union(later.files.keys).filter { files[$0] != later.files[$0] }.sorted()
    }

    /// Puts back what `changes` lists: removes new files, rewrites changed and deleted ones.
    func restore(_ paths: [String]) {
        let fm = FileManager.default
        for relative in paths {
            let path = commonDir + "/" + relative
            try? fm.removeItem(atPath: path)
            guard var content = files[relative], !content.starts(with: Data("symlink:".utf8)),
                  !content.starts(with: Data("size:".utf8)) else { continue }
            var mode = 0o644
            if let marker = content.lastRange(of: Data("\u{0}mode:".utf8)) {
                mode = Int(String(decoding: content[marker.upperBound...], as: UTF8.self)) ?? mode
                content = content[..<marker.lowerBound]
            }
            try? fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            fm.createFile(atPath: path, contents: content, attributes: [.posixPermissions: mode])
        }
    }
}

/// One run's watch over the shared git dir when candidates run unsandboxed. A change cannot be
/// pinned on one process, so it is put on every candidate running (agent or checks) when it is
/// found; the guarded files are restored to how they were when the run started.
final class TamperWatch: @unchecked Sendable {
    private let lock = NSLock()
    private let baseline: GitDirGuard
    private var active: [String: Int] = [:]
    private var flags: [String: [String]] = [:]

    init(commonDir: String) { baseline = GitDirGuard.take(commonDir) }

    /// `agent` (or its checks) starts running unsandboxed.
    func begin(_ agent: String) {
        lock.lock(); active[agent, default: 0] += 1; lock.unlock()
    }

    /// `agent` stops; returns every change found while it ran (each with who was running).
    func end(_ agent: String) -> [String] {
        lock.lock(); defer { lock.unlock() }
        let changed = baseline.changes(since: GitDirGuard.take(baseline.commonDir))
        if !changed.isEmpty {
            baseline.restore(changed)
            let running = active.keys.sorted().joined(separator: ", ")
            for suspect in active.keys {
                flags[suspect, default: []] += changed.map { "\($0) (changed while \(running) ran; restored)" }
            }
        }
        active[agent, default: 1] -= 1
        if active[agent] == 0 { active[agent] = nil }
        return active[agent] == nil ? (flags.removeValue(forKey: agent) ?? []) : []
    }
}
