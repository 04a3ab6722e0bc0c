import CGit2
import Foundation

extension GitRepository {
    /// A worktree metadata name derived from `raw`: letters, digits, `.`, `_`, `-` kept, everything else `-`.
    public static func safeWorktreeName(_ raw: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        var name = String(raw.map { allowed.contains($0) ? $0 : "-" })
        while name.hasPrefix(".") { name.removeFirst() }
        if name.hasSuffix(".lock") { name += "-" }
        return name.isEmpty ? "worktree" : name
    }

    /// Creates branch `branch` at `commit` and a linked worktree `name` at `path` checked out on it.
    ///
    /// Fails without leaving anything behind (no branch, no metadata, no directory) when the
    /// path or the branch already exists, or when libgit2 fails midway.
    @discardableResult
    public func addWorktree(name: String, path: String, branch: String, at commit: ObjectID, lock: Bool = false) throws -> WorktreeInfo {
        let operation = "add worktree '\(name)'"
        let fm = FileManager.default
        let target = Self.absolutePath(path)
        try validateNewWorktree(name: name, path: target, branch: branch, operation: operation)
        let worktreesDir = commonDir + "/worktrees"
        let metadataDir = worktreesDir + "/" + name
        // libgit2 creates `worktrees/` with O_EXCL after an exists-check; concurrent adds would race there.
        if mkdir(worktreesDir, 0o755) != 0 && errno != EEXIST {
            throw GitError(operation: operation, message: "cannot create \(worktreesDir): \(String(cString: strerror(errno)))")
        }
        let createdParents = try Self.createMissingParents(of: target, operation: operation)

        let ref: OpaquePointer
        do {
            ref = try createBranchRef(branch, at: commit)
        } catch {
            Self.removeEmptyDirectories(createdParents)
            throw error
        }
        defer { git_reference_free(ref) }

        var opts = git_worktree_add_options()
        git_worktree_add_options_init(&opts, UInt32(GIT_WORKTREE_ADD_OPTIONS_VERSION))
        opts.lock = lock ? 1 : 0
        opts.ref = ref
        // The directory is brand new, so FORCE skips pointless safety comparisons.
        opts.checkout_options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        // Without any attributes or autocrlf, filters are no-ops, but libgit2 would still
        // resolve attributes (a realpath per file, about half of checkout time); skip them.
        opts.checkout_options.disable_filters = needsCheckoutFilters(commit) ? 0 : 1
        var worktree: OpaquePointer?
        git_error_clear()
        let rc = git_worktree_add(&worktree, handle, name, target, &opts)
        if rc < 0 {
            let failure = GitError.last(operation, code: rc)
            // Roll back: our directory (recognised by its .git link), the metadata, the branch.
            if Self.isOurWorktreeDirectory(target, metadataDir: metadataDir) {
                try? fm.removeItem(atPath: target)
            }
            try? fm.removeItem(atPath: metadataDir)
            git_branch_delete(ref)
            Self.removeEmptyDirectories(createdParents)
            throw failure
        }
        git_worktree_free(worktree)
        return try worktreeInfo(name)
    }

    /// All linked worktrees recorded in the repository (the main working tree is not listed).
    public func worktrees() throws -> [WorktreeInfo] {
        var names = git_strarray()
        try check(git_worktree_list(&names, handle), "list worktrees")
        defer { git_strarray_dispose(&names) }
        var result: [WorktreeInfo] = []
        for i in 0..<names.count {
            guard let cName = names.strings[i] else { continue }
            // An entry may vanish (concurrent removal) between listing and lookup.
            if let info = try? worktreeInfo(String(cString: cName)) { result.append(info) }
        }
        return result.sorted { $0.name < $1.name }
    }

    /// Details of the linked worktree `name`.
    public func worktreeInfo(_ name: String) throws -> WorktreeInfo {
        try withWorktree(name, operation: "look up worktree '\(name)'") { wt in
            let path = git_worktree_path(wt).map { String(cString: $0) } ?? ""
            let locked = git_worktree_is_locked(nil, wt) > 0
            let valid = git_worktree_validate(wt) == 0
            let (branch, head) = worktreeHead(name)
            return WorktreeInfo(name: name, path: Self.trimSlash(path), branch: branch, head: head, isLocked: locked, isValid: valid)
        }
    }

    /// Locks worktree `name` so prune leaves it alone (as `git worktree lock`).
    public func lockWorktree(_ name: String, reason: String? = nil) throws {
        let operation = "lock worktree '\(name)'"
        try withWorktree(name, operation: operation) { wt in
            git_error_clear()
            let rc = git_worktree_lock(wt, reason)
            if rc == GIT_ELOCKED.rawValue { return }  // already locked: the goal holds
            try checkResult(rc, operation)
        }
    }

    /// Unlocks worktree `name`; a no-op when it is not locked.
    public func unlockWorktree(_ name: String) throws {
        let operation = "unlock worktree '\(name)'"
        _ = try withWorktree(name, operation: operation) { wt in
            try check(git_worktree_unlock(wt), operation)
        }
    }

    /// Removes worktree `name`: its directory (whatever it contains, locked or not), its
    /// metadata, and optionally the branch it had checked out.
    public func removeWorktree(_ name: String, deleteBranch: Bool) throws {
        let operation = "remove worktree '\(name)'"
        let info = try worktreeInfo(name)
        try withWorktree(name, operation: operation) { wt in
            var opts = git_worktree_prune_options()
            git_worktree_prune_options_init(&opts, UInt32(GIT_WORKTREE_PRUNE_OPTIONS_VERSION))
            opts.flags = GIT_WORKTREE_PRUNE_VALID.rawValue | GIT_WORKTREE_PRUNE_LOCKED.rawValue | GIT_WORKTREE_PRUNE_WORKING_TREE.rawValue
            try check(git_worktree_prune(wt, &opts), operation)
        }
        if deleteBranch, let branch = info.branch, try branchExists(branch) {
            try self.deleteBranch(branch)
        }
    }

    /// Prunes metadata of worktrees whose directory is gone (unless locked); returns their names.
    @discardableResult
    public func pruneWorktrees() throws -> [String] {
        var names = git_strarray()
        try check(git_worktree_list(&names, handle), "list worktrees")
        defer { git_strarray_dispose(&names) }
        var pruned: [String] = []
        for i in 0..<names.count {
            guard let cName = names.strings[i] else { continue }
            let name = String(cString: cName)
            let operation = "prune worktree '\(name)'"
            var wt: OpaquePointer?
            guard git_worktree_lookup(&wt, handle, name) == 0 else { continue }
            defer { git_worktree_free(wt) }
            var opts = git_worktree_prune_options()
            git_worktree_prune_options_init(&opts, UInt32(GIT_WORKTREE_PRUNE_OPTIONS_VERSION))
            guard git_worktree_is_prunable(wt, &opts) == 1 else { continue }
            try check(git_worktree_prune(wt, &opts), operation)
            pruned.append(name)
        }
        return pruned.sorted()
    }

    // MARK: Internals

    /// True when checking out `commit` could convert content: some .gitattributes (in the tree,
    /// info/, global or system) or core.autocrlf. Unsure answers say true.
    func needsCheckoutFilters(_ commit: ObjectID) -> Bool {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, handle) == 0 else { return true }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        if git_config_get_string(&value, config, "core.autocrlf") == 0, let value,
           !["false", "no", "off", "0", ""].contains(String(cString: value).lowercased()) { return true }
        if git_config_get_string(&value, config, "core.attributesfile") == 0 { return true }
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"] ?? NSHomeDirectory()
        let xdg = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        for file in [commonDir + "/info/attributes", xdg + "/git/attributes", "/etc/gitattributes", "/usr/local/etc/gitattributes"]
        where Self.pathExists(file) { return true }
        guard let tree = try? tree(of: commit, operation: "inspect tree") else { return true }
        defer { git_tree_free(tree) }
        var found = false
        let rc = withUnsafeMutablePointer(to: &found) { flag in
            git_tree_walk(tree, GIT_TREEWALK_PRE, { _, entry, payload in
                guard let entry, let name = git_tree_entry_name(entry) else { return 0 }
                if strcmp(name, ".gitattributes") == 0 {
                    payload!.assumingMemoryBound(to: Bool.self).pointee = true
                    return -1  // stop the walk
                }
                return 0
            }, flag)
        }
        return found || (rc < 0 && rc != GIT_EUSER.rawValue && rc != -1)
    }

    private func withWorktree<T>(_ name: String, operation: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        var wt: OpaquePointer?
        git_error_clear()
        let rc = git_worktree_lookup(&wt, handle, name)
        // libgit2 reports a missing entry as a generic error without a message.
        if rc == GIT_ENOTFOUND.rawValue || (rc < 0 && !Self.pathExists(commonDir + "/worktrees/" + name)) {
            throw GitError(operation: operation, code: rc, message: "no such worktree")
        }
        try checkResult(rc, operation)
        defer { git_worktree_free(wt) }
        return try body(wt!)
    }

    /// Reads `worktrees/<name>/HEAD` directly: cheaper than opening the worktree and works when unborn.
    private func worktreeHead(_ name: String) -> (branch: String?, head: ObjectID?) {
        let headFile = commonDir + "/worktrees/" + name + "/HEAD"
        guard let text = try? String(contentsOfFile: headFile, encoding: .utf8) else { return (nil, nil) }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("ref: ") {
            let refName = String(line.dropFirst(5))
            let branch = refName.hasPrefix("refs/heads/") ? String(refName.dropFirst(11)) : nil
            var oid = git_oid()
            let head = git_reference_name_to_id(&oid, handle, refName) == 0 ? ObjectID(oid) : nil
            return (branch, head)
        }
        return (nil, ObjectID(hex: line))
    }

    static func absolutePath(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return trimSlash(url.standardizedFileURL.path)
    }

    static func pathExists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Creates the missing ancestors of `path`, returning them deepest first (for rollback).
    static func createMissingParents(of path: String, operation: String) throws -> [String] {
        var missing: [String] = []
        var dir = (path as NSString).deletingLastPathComponent
        while !dir.isEmpty, dir != "/", !pathExists(dir) {
            missing.append(dir)
            dir = (dir as NSString).deletingLastPathComponent
        }
        for dir in missing.reversed() where mkdir(dir, 0o755) != 0 && errno != EEXIST {
            let reason = String(cString: strerror(errno))
            removeEmptyDirectories(missing)
            throw GitError(operation: operation, message: "cannot create \(dir): \(reason)")
        }
        return missing
    }

    static func removeEmptyDirectories(_ dirs: [String]) {
        for dir in dirs { rmdir(dir) }  // fails harmlessly when not empty (e.g. a sibling worktree)
    }

    private static func isOurWorktreeDirectory(_ path: String, metadataDir: String) -> Bool {
        guard pathExists(path) else { return false }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if entries.isEmpty { return true }
        guard let link = try? String(contentsOfFile: path + "/.git", encoding: .utf8) else { return false }
        return link.contains("worktrees/" + (metadataDir as NSString).lastPathComponent)
    }
}
