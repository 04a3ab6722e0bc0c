import CGit2
import Foundation

extension GitRepository {
    /// Stages everything in the worktree at `worktreePath` (new, modified, deleted, mode changes;
    /// ignored files excluded) and commits it on that worktree's HEAD branch.
    ///
    /// With `allowEmpty: false`, a commit that would change nothing throws instead.
    @discardableResult
    ///
    /// `rehashingFrom`: first replace the index with that commit's tree and no cached file stats, so
    /// every file is hashed from disk. An index someone else wrote can claim a file is unchanged
    /// (matching stat data) while naming other content; this makes the commit what the files hold.
    public func commitAll(worktreePath: String, author: GitSignature, message: String, allowEmpty: Bool = true,
                          rehashingFrom base: ObjectID? = nil) throws -> ObjectID {
        let operation = "commit all in '\(worktreePath)'"
        let worktree = try GitRepository.open(worktreePath)
        let repo = worktree.handle

        var index: OpaquePointer?
        try check(git_repository_index(&index, repo), operation)
        defer { git_index_free(index) }
        if let base {
            let baseTree = try worktree.tree(of: base, operation: operation)
            defer { git_tree_free(baseTree) }
            try check(git_index_read_tree(index, baseTree), operation)
        }
        var everything = git_strarray()
        try check(git_index_add_all(index, &everything, GIT_INDEX_ADD_DEFAULT.rawValue, nil, nil), operation)
        try check(git_index_update_all(index, &everything, nil, nil), operation)  // drops deleted files
        try check(git_index_write(index), operation)
        var treeID = git_oid()
        try check(git_index_write_tree(&treeID, index), operation)
        var tree: OpaquePointer?
        try check(git_tree_lookup(&tree, repo, &treeID), operation)
        defer { git_tree_free(tree) }

        var parent: OpaquePointer?
        var parentID = git_oid()
        git_error_clear()
        let headRC = git_reference_name_to_id(&parentID, repo, "HEAD")
        if headRC == 0 {
            try check(git_commit_lookup(&parent, repo, &parentID), operation)
        } else if headRC != GIT_ENOTFOUND.rawValue && headRC != GIT_EUNBORNBRANCH.rawValue {
            try checkResult(headRC, operation)
        }
        defer { git_commit_free(parent) }
        if !allowEmpty {
            let unchanged = parent.map { git_oid_equal(git_commit_tree_id($0), &treeID) == 1 } ?? false
            if unchanged { throw GitError(operation: operation, message: "nothing to commit") }
        }

        let signature = try Self.makeSignature(author, operation: operation)
        defer { git_signature_free(signature) }
        var commitID = git_oid()
        var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
        git_error_clear()
        let rc = parents.withUnsafeMutableBufferPointer { buffer in
            git_commit_create(&commitID, repo, "HEAD", signature, signature, nil, message, tree, buffer.count, buffer.baseAddress)
        }
        try checkResult(rc, operation)
        return ObjectID(commitID)
    }

    private static func makeSignature(_ author: GitSignature, operation: String) throws -> UnsafeMutablePointer<git_signature> {
        var signature: UnsafeMutablePointer<git_signature>?
        let seconds = git_time_t(author.date.timeIntervalSince1970.rounded(.down))
        let offsetMinutes = Int32(TimeZone.current.secondsFromGMT(for: author.date) / 60)
        try check(git_signature_new(&signature, author.name, author.email, seconds, offsetMinutes), operation)
        return signature!
    }
}
