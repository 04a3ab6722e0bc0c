import CGit2
import Foundation

/// A handle on one git repository (or linked worktree) through libgit2.
///
/// Not thread-safe: use one instance per thread. Separate instances on the same
/// repository may be used concurrently.
public final class GitRepository {
    let handle: OpaquePointer

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit { git_repository_free(handle) }

    /// Opens the repository whose working directory or git directory is exactly `path`.
    public static func open(_ path: String) throws -> GitRepository {
        LibGit2.ensureInitialised()
        var repo: OpaquePointer?
        git_error_clear()
        let rc = git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        if rc == GIT_ENOTFOUND.rawValue {
            throw GitError(operation: "open", code: rc, message: "not a git repository: \(path)")
        }
        try checkResult(rc, "open '\(path)'")
        return GitRepository(handle: repo!)
    }

    /// Opens the repository containing `path`, walking up the directory tree.
    public static func discover(from path: String) throws -> GitRepository {
        LibGit2.ensureInitialised()
        var buf = git_buf()
        defer { git_buf_dispose(&buf) }
        git_error_clear()
        let rc = git_repository_discover(&buf, path, 0, nil)
        if rc == GIT_ENOTFOUND.rawValue {
            throw GitError(operation: "discover", code: rc, message: "not a git repository: \(path)")
        }
        try checkResult(rc, "discover '\(path)'")
        let found = String(cString: buf.ptr)
        var repo: OpaquePointer?
        try check(git_repository_open_ext(&repo, found, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil), "open '\(found)'")
        return GitRepository(handle: repo!)
    }

    /// Working directory without trailing slash; nil for a bare repository.
    public var workdir: String? {
        guard let dir = git_repository_workdir(handle) else { return nil }
        return Self.trimSlash(String(cString: dir))
    }

    /// This repository's own git directory (`.git/worktrees/<name>` for a linked worktree).
    public var gitDir: String { Self.trimSlash(String(cString: git_repository_path(handle))) }

    /// The shared git directory (the main `.git`, even when opened from a linked worktree).
    public var commonDir: String { Self.trimSlash(String(cString: git_repository_commondir(handle))) }

    /// True when the repository has no commits yet (HEAD unborn and no branches).
    /// (`git_repository_is_empty` is not used: it assumes the unborn branch is init.defaultBranch.)
    public var isEmpty: Bool {
        git_repository_head_unborn(handle) == 1 && ((try? branches().isEmpty) ?? true)
    }

    /// True when this handle was opened on a linked worktree.
    public var isLinkedWorktree: Bool { git_repository_is_worktree(handle) == 1 }

    static func trimSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    // MARK: Revisions

    /// Resolves a revision (HEAD, branch, tag, full/short sha, `main~2`, …) to the commit it names.
    public func resolveCommit(_ rev: String) throws -> ObjectID {
        let operation = "resolve '\(rev)'"
        var object: OpaquePointer?
        git_error_clear()
        let rc = git_revparse_single(&object, handle, rev)
        if rc < 0 {
            if rc == GIT_EUNBORNBRANCH.rawValue || isEmpty {
                throw GitError(operation: operation, code: rc, message: "repository has no commits")
            }
            if rc == GIT_ENOTFOUND.rawValue {
                throw GitError(operation: operation, code: rc, message: "revspec '\(rev)' not found")
            }
            throw GitError.last(operation, code: rc)
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), operation)
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }

    /// The commit HEAD points at.
    public func headCommit() throws -> ObjectID { try resolveCommit("HEAD") }

    /// Short name of the branch HEAD points at; nil when detached.
    public func currentBranch() throws -> String? {
        var ref: OpaquePointer?
        git_error_clear()
        let rc = git_repository_head(&ref, handle)
        if rc == GIT_EUNBORNBRANCH.rawValue || rc == GIT_ENOTFOUND.rawValue { return nil }
        try checkResult(rc, "read HEAD")
        defer { git_reference_free(ref) }
        guard git_reference_is_branch(ref) == 1 else { return nil }
        return String(cString: git_reference_shorthand(ref))
    }

    // MARK: Status

    /// Paths that differ from HEAD in the index or working directory (ignored files excluded).
    public func dirtyPaths(includeUntracked: Bool = true) throws -> [String] {
        var opts = git_status_options()
        try check(git_status_options_init(&opts, UInt32(GIT_STATUS_OPTIONS_VERSION)), "status")
        opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        var flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        if includeUntracked {
            flags |= GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        }
        opts.flags = flags
        var list: OpaquePointer?
        try check(git_status_list_new(&list, handle, &opts), "status")
        defer { git_status_list_free(list) }
        var paths: [String] = []
        var seen = Set<String>()
        for i in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, i) else { continue }
            let delta = entry.pointee.index_to_workdir ?? entry.pointee.head_to_index
            guard let delta, let path = Self.deltaPath(delta.pointee) else { continue }
            if seen.insert(path).inserted { paths.append(path) }
        }
        return paths.sorted()
    }

    /// True when `dirtyPaths()` is non-empty.
    public var isDirty: Bool {
        get throws { try !dirtyPaths().isEmpty }
    }

    static func deltaPath(_ delta: git_diff_delta) -> String? {
        let file = delta.status == GIT_DELTA_DELETED ? delta.old_file : delta.new_file
        guard let path = file.path ?? delta.old_file.path else { return nil }
        return String(cString: path)
    }

    // MARK: Branches

    /// Local branch short names starting with `prefix`, sorted.
    public func branches(prefix: String = "") throws -> [String] {
        var iterator: OpaquePointer?
        try check(git_branch_iterator_new(&iterator, handle, GIT_BRANCH_LOCAL), "list branches")
        defer { git_branch_iterator_free(iterator) }
        var names: [String] = []
        while true {
            var ref: OpaquePointer?
            var type = GIT_BRANCH_LOCAL
            git_error_clear()
            let rc = git_branch_next(&ref, &type, iterator)
            if rc == GIT_ITEROVER.rawValue { break }
            try checkResult(rc, "list branches")
            defer { git_reference_free(ref) }
            let name = String(cString: git_reference_shorthand(ref))
            if name.hasPrefix(prefix) { names.append(name) }
        }
        return names.sorted()
    }

    /// True when the local branch exists.
    public func branchExists(_ name: String) throws -> Bool {
        var ref: OpaquePointer?
        git_error_clear()
        let rc = git_branch_lookup(&ref, handle, name, GIT_BRANCH_LOCAL)
        if rc == GIT_ENOTFOUND.rawValue { return false }
        try checkResult(rc, "look up branch '\(name)'")
        git_reference_free(ref)
        return true
    }

    /// Deletes a local branch (fails if it is checked out in some worktree).
    public func deleteBranch(_ name: String) throws {
        let operation = "delete branch '\(name)'"
        var ref: OpaquePointer?
        git_error_clear()
        let rc = git_branch_lookup(&ref, handle, name, GIT_BRANCH_LOCAL)
        if rc == GIT_ENOTFOUND.rawValue {
            throw GitError(operation: operation, code: rc, message: "no such branch")
        }
        try checkResult(rc, operation)
        defer { git_reference_free(ref) }
        try check(git_branch_delete(ref), operation)
    }

    /// Creates local branch `name` at `commit`; fails if it exists.
    public func createBranch(_ name: String, at commit: ObjectID) throws {
        let ref = try createBranchRef(name, at: commit)
        git_reference_free(ref)
    }

    func createBranchRef(_ name: String, at commit: ObjectID) throws -> OpaquePointer {
        let operation = "create branch '\(name)'"
        var oid = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, handle, &oid), operation)
        defer { git_commit_free(commitObject) }
        var ref: OpaquePointer?
        git_error_clear()
        let rc = git_branch_create(&ref, handle, name, commitObject, 0)
        if rc == GIT_EEXISTS.rawValue {
            throw GitError(operation: operation, code: rc, message: "branch already exists")
        }
        try checkResult(rc, operation)
        return ref!
    }
}
