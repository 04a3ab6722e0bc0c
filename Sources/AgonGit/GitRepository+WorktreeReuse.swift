import CGit2
import Foundation

/// What was true when a worktree was handed to its user: the commit it held, and the filesystem's
/// clock at that moment. A file whose status-change time (ctime) is earlier has not been written,
/// replaced, renamed or chmod-ed since: unlike mtime, no unprivileged process can set ctime.
public struct WorktreeHandover: Codable, Equatable, Sendable {
    /// The commit whose tree the worktree held (and its index described) at handover.
    public var commit: ObjectID
    /// Seconds part of the filesystem time of the handover (ctime of a probe file).
    public var seconds: Int64
    /// Nanoseconds part of the same time.
    public var nanoseconds: Int64

    public init(commit: ObjectID, seconds: Int64, nanoseconds: Int64) {
        self.commit = commit
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// A handover of `commit` now, by the clock of the filesystem holding `directory`: the ctime of a
    /// probe file created there (the kernel's coarse clock, which later writes cannot precede).
    public static func now(commit: ObjectID, directory: String) throws -> WorktreeHandover {
        var template = Array((directory + "/.agon-handover-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw GitError(operation: "record worktree handover", message: "cannot create a file in \(directory): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        let rc = fstat(fd, &st)
        close(fd)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        guard rc == 0 else { throw GitError(operation: "record worktree handover", message: String(cString: strerror(errno))) }
        return WorktreeHandover(commit: commit, seconds: Int64(st.st_ctim.tv_sec), nanoseconds: Int64(st.st_ctim.tv_nsec))
    }

    /// True when a file with this ctime has certainly not been touched since the handover. A tie
    /// (same clock tick) is not trusted.
    func predates(_ ctime: timespec) -> Bool {
        (Int64(ctime.tv_sec), Int64(ctime.tv_nsec)) < (seconds, nanoseconds)
    }
}

extension GitRepository {
    /// Moves linked worktree `name` to `path` under the metadata name `parkedName`, HEAD detached at
    /// `commit`, for later reuse by `recycleWorktree`. Its files are left as they are (no checkout);
    /// its metadata is rebuilt from nothing, so logs, rebase or bisect state, per-worktree config
    /// and the index its user left behind are gone.
    public func parkWorktree(_ name: String, as parkedName: String, path: String, commit: ObjectID) throws {
        let operation = "park worktree '\(name)'"
        guard Self.safeWorktreeName(parkedName) == parkedName else {
            throw GitError(operation: operation, message: "invalid worktree name '\(parkedName)'")
        }
        let info = try worktreeInfo(name)
        try relocateWorktree(name, from: info.path, to: parkedName, path: Self.absolutePath(path), head: commit.hex, operation: operation)
    }

    /// Turns parked worktree `parked` (at `parkedPath`, handed over as `handover` says) into worktree
    /// `name` at `path` on the new branch `branch` at `commit`, writing only what differs.
    ///
    /// The worktree's own index is not trusted (its user could have rewritten it): an index of the
    /// handed-over tree is rebuilt, with stat data only for files whose ctime predates the handover;
    /// every other file is compared by content. libgit2 then checks out `commit`'s tree over it with
    /// that tree as baseline, removing untracked files and, unless `keepIgnored`, ignored ones.
    /// Finally git's own status must be empty (ignored files aside when kept). On any failure after
    /// validation the entry is deleted, and the branch: nothing half-made is left, and an entry that
    /// failed once is never reused.
    @discardableResult
    public func recycleWorktree(_ parked: String, path parkedPath: String, handover: WorktreeHandover,
                                as name: String, path: String, branch: String, at commit: ObjectID,
                                keepIgnored: Bool = false) throws -> WorktreeInfo {
        let operation = "reuse worktree '\(parked)' as '\(name)'"
        let target = Self.absolutePath(path)
        try validateNewWorktree(name: name, path: target, branch: branch, operation: operation)
        // Damage is found before the branch exists: deleting a branch prunes empty reflog
        // directories, which races with other threads creating their branches there.
        do {
            try checkMovable(parked, path: Self.absolutePath(parkedPath), operation: operation)
            git_tree_free(try tree(of: handover.commit, operation: operation))
        } catch {
            deleteWorktreeEntry(name: parked, path: parkedPath)
            throw error
        }
        let ref = try createBranchRef(branch, at: commit)
        defer { git_reference_free(ref) }
        do {
            try relocateWorktree(parked, from: Self.absolutePath(parkedPath), to: name, path: target,
                                 head: "ref: refs/heads/" + branch, operation: operation)
        } catch {
            git_branch_delete(ref)
            deleteWorktreeEntry(name: parked, path: parkedPath)
            throw error
        }
        // From here the entry is worktree `name`: a failure removes it under that name.
        do {
            let worktree = try GitRepository.open(target)
            let previousTree = try worktree.tree(of: handover.commit, operation: operation)
            defer { git_tree_free(previousTree) }
            let targetTree = try worktree.tree(of: commit, operation: operation)
            defer { git_tree_free(targetTree) }
            try worktree.clearWay(previous: previousTree, target: targetTree, under: target)
            try worktree.writeIndex(of: previousTree, trustingFilesUntouchedSince: handover, workdir: target, operation: operation)

            var opts = git_checkout_options()
            git_checkout_options_init(&opts, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
            var strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue
            if !keepIgnored { strategy |= GIT_CHECKOUT_REMOVE_IGNORED.rawValue }
            opts.checkout_strategy = strategy
            opts.baseline = previousTree
            opts.disable_filters = needsCheckoutFilters(commit) ? 0 : 1
            try check(git_checkout_tree(worktree.handle, targetTree, &opts), operation)
            try worktree.requireClean(includeIgnored: !keepIgnored, operation: operation)
        } catch {
            try? removeWorktree(name, deleteBranch: true)
            throw error
        }
        return try worktreeInfo(name)
    }

    /// Deletes a parked or damaged worktree entry: its directory and metadata, whichever exist.
    public func deleteWorktreeEntry(name: String, path: String) {
        guard Self.safeWorktreeName(name) == name else { return }   // never a path outside worktrees/
        let fm = FileManager.default
        let metadata = commonDir + "/worktrees/" + name
        if Self.pathExists(path) { try? fm.removeItem(atPath: Self.absolutePath(path)) }
        if Self.pathExists(metadata) { try? fm.removeItem(atPath: metadata) }
    }

    // MARK: Internals

    /// Refuses a new worktree whose name is unsafe, branch invalid, or path, metadata or branch exist.
    func validateNewWorktree(name: String, path: String, branch: String, operation: String) throws {
        guard Self.safeWorktreeName(name) == name else {
            throw GitError(operation: operation, message: "invalid worktree name (use letters, digits, '.', '_', '-')")
        }
        var valid: Int32 = 0
        try check(git_branch_name_is_valid(&valid, branch), operation)
        guard valid == 1 else { throw GitError(operation: operation, message: "invalid branch name '\(branch)'") }
        if Self.pathExists(path) {
            throw GitError(operation: operation, code: GIT_EEXISTS.rawValue, message: "worktree path already exists: \(path)")
        }
        if Self.pathExists(commonDir + "/worktrees/" + name) {
            throw GitError(operation: operation, code: GIT_EEXISTS.rawValue, message: "a worktree named '\(name)' already exists")
        }
        if try branchExists(branch) {
            throw GitError(operation: operation, code: GIT_EEXISTS.rawValue, message: "branch '\(branch)' already exists")
        }
    }

    /// Moves worktree `name` from `oldPath` to `newPath` as `newName`, with metadata written afresh
    /// (`commondir`, `gitdir`, `HEAD` = `head`; no index) and the old metadata deleted.
    private func relocateWorktree(_ name: String, from oldPath: String, to newName: String, path newPath: String,
                                  head: String, operation: String) throws {
        let fm = FileManager.default
        let oldMetadata = commonDir + "/worktrees/" + name
        let newMetadata = commonDir + "/worktrees/" + newName
        try checkMovable(name, path: oldPath, operation: operation)
        if Self.pathExists(newPath) {
            throw GitError(operation: operation, code: GIT_EEXISTS.rawValue, message: "worktree path already exists: \(newPath)")
        }
        if Self.pathExists(newMetadata) {
            throw GitError(operation: operation, code: GIT_EEXISTS.rawValue, message: "a worktree named '\(newName)' already exists")
        }
        let createdParents = try Self.createMissingParents(of: newPath, operation: operation)
        do {
            try fm.createDirectory(atPath: newMetadata, withIntermediateDirectories: false)
            try "../..\n".write(toFile: newMetadata + "/commondir", atomically: false, encoding: .utf8)
            try (newPath + "/.git\n").write(toFile: newMetadata + "/gitdir", atomically: false, encoding: .utf8)
            try (head + "\n").write(toFile: newMetadata + "/HEAD", atomically: false, encoding: .utf8)
        } catch {
            try? fm.removeItem(atPath: newMetadata)
            Self.removeEmptyDirectories(createdParents)
            throw GitError(operation: operation, message: "cannot write metadata \(newMetadata): \(error.localizedDescription)")
        }
        if rename(oldPath, newPath) != 0 {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(atPath: newMetadata)
            Self.removeEmptyDirectories(createdParents)
            throw GitError(operation: operation, message: "cannot move \(oldPath) to \(newPath): \(reason)")
        }
        // The link back may have been replaced by its user (even by a whole repository): rewrite it.
        let link = newPath + "/.git"
        if Self.pathExists(link) { try? fm.removeItem(atPath: link) }
        do {
            try ("gitdir: " + newMetadata + "\n").write(toFile: link, atomically: false, encoding: .utf8)
        } catch {
            throw GitError(operation: operation, message: "cannot write \(link): \(error.localizedDescription)")
        }
        try? fm.removeItem(atPath: oldMetadata)
    }

    /// Every directory path of `trees` (relative).
    private func directories(in trees: [OpaquePointer]) throws -> Set<String> {
        final class Collector { var paths = Set<String>() }
        let collector = Collector()
        for tree in trees {
            let rc = git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
                guard let entry, let name = git_tree_entry_name(entry), git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return 0 }
                let collector = Unmanaged<Collector>.fromOpaque(payload!).takeUnretainedValue()
                collector.paths.insert((root.map { String(cString: $0) } ?? "") + String(cString: name))
                return 0
            }, Unmanaged.passUnretained(collector).toOpaque())
            try checkResult(rc, "list directories")
        }
        return collector.paths
    }

    /// The files `target` adds over `previous` (or gives another type), with their modes; a tree
    /// diff skips unchanged subtrees, so this costs what changed, not the whole tree.
    private func filesAdded(from previous: OpaquePointer, to target: OpaquePointer) throws -> [(path: String, mode: UInt32)] {
        var diff: OpaquePointer?
        try check(git_diff_tree_to_tree(&diff, handle, previous, target, nil), "compare trees")
        defer { git_diff_free(diff) }
        var added: [(path: String, mode: UInt32)] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee,
                  delta.status == GIT_DELTA_ADDED || delta.status == GIT_DELTA_TYPECHANGE,
                  let path = delta.new_file.path else { continue }
            added.append((String(cString: path), UInt32(delta.new_file.mode)))
        }
        return added
    }

    /// Clears the way for the checkout of `target` over `previous`: whatever stands where either tree
    /// has a directory but is not a real directory (a symlink out of the worktree, say), and whatever
    /// stands where `target` adds a file but is of another type, is removed, never followed:
    /// libgit2 would otherwise read or write through it. (Files of `previous` get the same
    /// treatment in `writeIndex`, which looks at each of them anyway.)
    private func clearWay(previous: OpaquePointer, target: OpaquePointer, under root: String) throws {
        var st = stat()
        for directory in try directories(in: [previous, target]).sorted(by: { $0.count < $1.count }) {
            let path = root + "/" + directory
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT != S_IFDIR else { continue }
            try Self.removeItem(path)
        }
        for (file, mode) in try filesAdded(from: previous, to: target) {
            let path = root + "/" + file
            guard lstat(path, &st) == 0, !Self.hasType(st.st_mode, of: mode) else { continue }
            try Self.removeItem(path)
        }
    }

    /// True when a file with `st_mode` has the type a tree entry of `mode` describes (file or link).
    private static func hasType(_ stMode: mode_t, of mode: UInt32) -> Bool {
        let type = stMode & S_IFMT
        return mode == GIT_FILEMODE_LINK.rawValue ? type == S_IFLNK : type == S_IFREG
    }

    /// Removes `path` itself: a link is unlinked (its target untouched), a directory deleted whole.
    private static func removeItem(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR {
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw GitError(operation: "reuse worktree", message: "cannot remove \(path): \(error.localizedDescription)")
            }
        } else if unlink(path) != 0 {
            throw GitError(operation: "reuse worktree", message: "cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Throws unless worktree `name` has metadata pointing at `path`, a real directory (never a
    /// symlink): only then is it ours to move.
    private func checkMovable(_ name: String, path: String, operation: String) throws {
        let metadata = commonDir + "/worktrees/" + name
        guard Self.isRealDirectory(metadata) else {
            throw GitError(operation: operation, message: "no metadata for worktree '\(name)'")
        }
        let recorded = (try? String(contentsOfFile: metadata + "/gitdir", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard Self.isRealDirectory(path), recorded == path + "/.git" else {
            throw GitError(operation: operation, message: "worktree '\(name)' is damaged: its metadata does not point at \(path)")
        }
    }

    /// Writes this worktree's index as `tree`, with the stat data of every file that exists with the
    /// right type and predates `handover`; the others get none, so checkout compares their content.
    private func writeIndex(of tree: OpaquePointer, trustingFilesUntouchedSince handover: WorktreeHandover,
                            workdir: String, operation: String) throws {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), operation)
        defer { git_index_free(index) }
        try check(git_index_read_tree(index, tree), operation)
        var st = stat()
        var path = Array(workdir.utf8CString.dropLast()) + [CChar(0x2F)]
        let prefix = path.count
        for position in 0..<git_index_entrycount(index) {
            guard let stored = git_index_get_byindex(index, position) else { continue }
            path.removeSubrange(prefix...)
            var cursor = stored.pointee.path!
            while cursor.pointee != 0 { path.append(cursor.pointee); cursor += 1 }
            path.append(0)
            guard lstat(path, &st) == 0 else { continue }
            guard Self.hasType(st.st_mode, of: stored.pointee.mode) else {
                // A link where a file belongs (or the reverse, or a directory): gone before checkout.
                try path.withUnsafeBufferPointer { try Self.removeItem(String(cString: $0.baseAddress!)) }
                continue
            }
            guard handover.predates(st.st_ctim) else { continue }
            // Stat fields are not part of the index's ordering or lookup, so they are filled in
            // place: git_index_add per entry would redo path checks and cost more than the checkout.
            let entry = UnsafeMutablePointer(mutating: stored)
            entry.pointee.ctime = git_index_time(seconds: Int32(truncatingIfNeeded: st.st_ctim.tv_sec), nanoseconds: UInt32(truncatingIfNeeded: st.st_ctim.tv_nsec))
            entry.pointee.mtime = git_index_time(seconds: Int32(truncatingIfNeeded: st.st_mtim.tv_sec), nanoseconds: UInt32(truncatingIfNeeded: st.st_mtim.tv_nsec))
            entry.pointee.dev = UInt32(truncatingIfNeeded: st.st_dev)
            entry.pointee.ino = UInt32(truncatingIfNeeded: st.st_ino)
            entry.pointee.uid = st.st_uid
            entry.pointee.gid = st.st_gid
            entry.pointee.file_size = UInt32(truncatingIfNeeded: st.st_size)
        }
        try check(git_index_write(index), operation)
    }

    /// Throws unless git's status of this worktree is empty (untracked files included, and ignored
    /// ones when `includeIgnored`), naming the first offending path.
    private func requireClean(includeIgnored: Bool, operation: String) throws {
        var opts = git_status_options()
        try check(git_status_options_init(&opts, UInt32(GIT_STATUS_OPTIONS_VERSION)), operation)
        opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        // UPDATE_INDEX stores the stat data of files compared by content, as a fresh checkout's index has.
        var flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_UPDATE_INDEX.rawValue
        if includeIgnored { flags |= GIT_STATUS_OPT_INCLUDE_IGNORED.rawValue | GIT_STATUS_OPT_RECURSE_IGNORED_DIRS.rawValue }
        opts.flags = flags
        var list: OpaquePointer?
        try check(git_status_list_new(&list, handle, &opts), operation)
        defer { git_status_list_free(list) }
        let count = git_status_list_entrycount(list)
        guard count > 0 else { return }
        let first = git_status_byindex(list, 0).flatMap { entry -> String? in
            guard let delta = entry.pointee.index_to_workdir ?? entry.pointee.head_to_index else { return nil }
            return Self.deltaPath(delta.pointee)
        } ?? "?"
        throw GitError(operation: operation, message: "worktree not clean after checkout (\(count) paths, first: \(first))")
    }

    static func isRealDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }
}
