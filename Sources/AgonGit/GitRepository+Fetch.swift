import CGit2
import Foundation

/// A worker's local copy of a remote repository: made empty, filled by fetching single commits by SHA.
extension GitRepository {
    /// Opens the repository at `path`, or makes an empty one there (with a work tree, so linked
    /// worktrees can be added; nothing is ever checked out into it).
    public static func openOrInit(_ path: String) throws -> GitRepository {
        if let existing = try? open(path) { return existing }
        LibGit2.ensureInitialised()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var repo: OpaquePointer?
        try check(git_repository_init(&repo, path, 0), "init '\(path)'")
        git_repository_free(repo)
        return try open(path)
    }

    /// Fetches commit `sha` (and its history) from `url` into this repository and pins it under
    /// `refs/agon/fetched/<sha>` so no gc drops it. libgit2 asks for the object id itself: local
    /// and file:// remotes always serve it; a git://, ssh or http server (protocol v0, which
    /// libgit2 1.5 speaks) only with `uploadpack.allowAnySHA1InWant` or
    /// `uploadpack.allowReachableSHA1InWant`.
    public func fetchCommit(_ sha: ObjectID, from url: String) throws {
        var remote: OpaquePointer?
        try check(git_remote_create_anonymous(&remote, handle, url), "open remote '\(url)'")
        defer { git_remote_free(remote) }
        let refspec = "+\(sha.hex):refs/agon/fetched/\(sha.hex)"
        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "fetch options")
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        try refspec.withCString { text in
            var pointer: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(mutating: text)
            try withUnsafeMutablePointer(to: &pointer) { strings in
                var array = git_strarray(strings: strings, count: 1)
                try check(git_remote_fetch(remote, &array, &options, nil), "fetch \(sha.hex) from '\(url)'")
            }
        }
    }
}
