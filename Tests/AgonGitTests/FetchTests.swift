import Foundation
import Testing
@testable import AgonGit
import AgonTestSupport

/// A worker's copy of a remote: made empty, filled by fetching one commit by SHA; the git CLI
/// checks what arrived.
@Suite struct FetchTests {
    /// A repository with two commits and a bare clone of it (the "remote"); returns the first commit.
    static func remote() throws -> (source: ScratchRepository, bare: String, first: String, second: String) {
        let source = try ScratchRepository(files: ["a.txt": "one\n", "dir/b.txt": "two\n"])
        let first = try source.git.run("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try source.write("a.txt", "changed\n")
        _ = try source.commit("second")
        let second = try source.git.run("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let bare = source.temp.path + "/remote.git"
        try source.git.run("clone", "-q", "--bare", source.root, bare)
        return (source, bare, first, second)
    }

    @Test func fetchesOneCommitBySHAIntoAFreshCopy() throws {
        let (source, bare, first, second) = try Self.remote()
        let cache = try TemporaryDirectory()
        let copyPath = cache.path + "/copy"
        let copy = try GitRepository.openOrInit(copyPath)
        #expect(copy.isEmpty)
        try copy.fetchCommit(try #require(ObjectID(hex: first)), from: "file://" + bare)
        let git = GitCLI(directory: copyPath)
        // The commit, its tree and blobs arrived, pinned by a ref; the later commit did not.
        #expect(try git.run("rev-parse", "refs/agon/fetched/\(first)").trimmingCharacters(in: .whitespacesAndNewlines) == first)
        #expect(try git.run("rev-parse", "\(first)^{tree}") == (try source.git.run("rev-parse", "\(first)^{tree}")))
        #expect(try git.run("show", "\(first):dir/b.txt") == "two\n")
        // Only the fetched commit is pinned (libgit2's local transport may copy more objects).
        #expect(try git.run("for-each-ref", "--format=%(refname)") == "refs/agon/fetched/\(first)\n")
        #expect(first != second)
        _ = try git.run("fsck", "--no-dangling")
        // Opening it again reuses the copy.
        let reopened = try GitRepository.openOrInit(copyPath)
        #expect(try reopened.resolveCommit(first).hex == first)
    }

    @Test func aSHATheRemoteLacksIsAGitError() throws {
        let (source, bare, _, _) = try Self.remote()
        let cache = try TemporaryDirectory()
        let copy = try GitRepository.openOrInit(cache.path + "/copy")
        let missing = try #require(ObjectID(hex: String(repeating: "1", count: 40)))
        let error = #expect(throws: GitError.self) { try copy.fetchCommit(missing, from: "file://" + bare) }
        #expect(error?.operation == "fetch \(missing.hex) from 'file://\(bare)'")
        #expect(error?.message.isEmpty == false)
        #expect(try GitCLI(directory: cache.path + "/copy").run("for-each-ref") == "")
        withExtendedLifetime(source) {}   // its temporary directory holds the remote
    }
}

extension FetchTests {
    /// Over the git protocol the server decides: `git daemon` refuses a want by SHA unless the
    /// repository allows it (libgit2 1.5 speaks protocol v0).
    @Test func gitDaemonServesASHAOnlyWhenAllowed() throws {
        let (source, bare, first, _) = try Self.remote()
        let base = (bare as NSString).deletingLastPathComponent
        let port = Int.random(in: 20000...40000)
        let daemon = Process()
        // git-daemon itself, not the `git` wrapper, so the kill below reaches the daemon.
        let execPath = try GitCLI(directory: bare).run("--exec-path").trimmingCharacters(in: .whitespacesAndNewlines)
        daemon.executableURL = URL(fileURLWithPath: execPath + "/git-daemon")
        daemon.arguments = ["--reuseaddr", "--export-all", "--listen=127.0.0.1", "--port=\(port)", "--base-path=" + base, base]
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        // SIGKILL: the test process may ignore SIGTERM, and its children inherit that.
        defer { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        let url = "git://127.0.0.1:\(port)/remote.git"
        var up = false
        for _ in 0..<50 where !up {
            up = (try? GitCLI.execute(["ls-remote", url], in: bare).status) == 0
            if !up { Thread.sleep(forTimeInterval: 0.1) }
        }
        try #require(up, "git daemon did not serve on port \(port)")
        let sha = try #require(ObjectID(hex: first))
        let cache = try TemporaryDirectory()
        let refused = try GitRepository.openOrInit(cache.path + "/refused")
        let error = #expect(throws: GitError.self) { try refused.fetchCommit(sha, from: url) }
        #expect(error?.message == "cannot fetch a specific object from the remote repository")
        try GitCLI(directory: bare).run("config", "uploadpack.allowAnySHA1InWant", "true")
        let allowed = try GitRepository.openOrInit(cache.path + "/allowed")
        try allowed.fetchCommit(sha, from: url)
        #expect(try GitCLI(directory: cache.path + "/allowed").run("cat-file", "-t", first) == "commit\n")
        withExtendedLifetime(source) {}   // its temporary directory holds the remote
    }
}
