import Foundation
import Testing
@testable import AgonGit
import AgonTestSupport

/// A process killed in the middle of `addWorktree` leaves a metadata directory libgit2 cannot
/// read; it blocks every later add of that name until `removeHalfMadeWorktree` clears it.
@Suite struct HalfMadeWorktreeTests {
    @Test func halfMadeMetadataIsRemovedAndTheNameCanBeAddedAgain() throws {
        let repo = try ScratchRepository(files: ["README.md": "hello\n"])
        let git = try repo.open()
        let base = try git.headCommit()
        // What libgit2 has written when the kill comes before the `gitdir` file: the directory and `commondir`.
        let metadata = repo.root + "/.git/worktrees/agon-run1-alpha"
        try FileManager.default.createDirectory(atPath: metadata, withIntermediateDirectories: true)
        try "../..\n".write(toFile: metadata + "/commondir", atomically: true, encoding: .utf8)
        let path = repo.temp.sub("worktrees/run1/alpha")
        #expect(throws: GitError.self) { try git.addWorktree(name: "agon-run1-alpha", path: path, branch: "agon/run1/alpha", at: base) }

        #expect(try git.removeHalfMadeWorktree("agon-run1-alpha"))
        #expect(!FileManager.default.fileExists(atPath: metadata))
        let info = try git.addWorktree(name: "agon-run1-alpha", path: path, branch: "agon/run1/alpha", at: base)
        #expect(info.isValid)
        // A whole worktree is never taken for a half-made one, nor is an unsafe name followed.
        #expect(try !git.removeHalfMadeWorktree("agon-run1-alpha"))
        #expect(try git.worktreeInfo("agon-run1-alpha") == info)
        #expect(try !git.removeHalfMadeWorktree("../../hooks"))
        try repo.git.run("fsck", "--strict")
    }
}
