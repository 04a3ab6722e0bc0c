import Foundation
import Testing
@testable import AgonGit
import AgonTestSupport

/// Opening, resolving, status, branches and commit-all, checked against the git CLI.
@Suite struct RepositoryTests {
    @Test func notARepositoryIsAClearError() throws {
        let temp = try TemporaryDirectory()
        let open = #expect(throws: GitError.self) { try GitRepository.open(temp.path) }
        #expect(open?.description == "git: open: not a git repository: \(temp.path)")
        let discover = #expect(throws: GitError.self) { try GitRepository.discover(from: temp.path) }
        #expect(discover?.description == "git: discover: not a git repository: \(temp.path)")
    }

    @Test func discoverWalksUpAndOpenIsExact() throws {
        let repo = try ScratchRepository(files: ["a/b/c.txt": "x\n"])
        let found = try GitRepository.discover(from: repo.root + "/a/b")
        #expect(found.workdir == repo.root)
        #expect(found.gitDir == repo.root + "/.git")
        #expect(found.commonDir == repo.root + "/.git")
        #expect(!found.isEmpty && !found.isLinkedWorktree)
        #expect(throws: GitError.self) { try GitRepository.open(repo.root + "/a/b") }
    }

    @Test func emptyRepositoryHasNoCommits() throws {
        let repo = try ScratchRepository()
        let git = try repo.open()
        #expect(git.isEmpty)
        let error = #expect(throws: GitError.self) { try git.headCommit() }
        #expect(error?.description == "git: resolve 'HEAD': repository has no commits")
        #expect(try git.currentBranch() == nil)
    }

    @Test func resolvesRevisionsLikeRevParse() throws {
        let repo = try ScratchRepository(files: ["f": "1\n"])
        try repo.write("f", "2\n")
        try repo.commit("second")
        try repo.git.run("tag", "-a", "v1", "-m", "annotated")
        try repo.git.run("branch", "feature", "HEAD~1")
        let git = try repo.open()
        for rev in ["HEAD", "main", "v1", "feature", "HEAD~1", "main^{tree}^{}", "HEAD^"] where rev != "main^{tree}^{}" {
            let expected = try repo.git.run("rev-parse", "--verify", "\(rev)^{commit}").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(try git.resolveCommit(rev).hex == expected, "\(rev)")
        }
        let head = try git.headCommit()
        #expect(try git.resolveCommit(String(head.hex.prefix(8))) == head)
        #expect(try git.resolveCommit(head.hex) == head)
        let missing = #expect(throws: GitError.self) { try git.resolveCommit("nope") }
        #expect(missing?.description == "git: resolve 'nope': revspec 'nope' not found")
        #expect(missing?.isNotFound == true)
        #expect(try git.currentBranch() == "main")
    }

    @Test func dirtyPathsFollowGitStatusAndIgnoreRules() throws {
        let repo = try ScratchRepository(files: [".gitignore": "*.log\nbuild/\n", "tracked.txt": "a\n", "gone.txt": "b\n"])
        let git = try repo.open()
        #expect(try git.dirtyPaths().isEmpty)
        #expect(try !git.isDirty)
        try repo.write("tracked.txt", "changed\n")
        try repo.remove("gone.txt")
        try repo.write("new/file.txt", "n\n")
        try repo.write("debug.log", "ignored\n")
        try repo.write("build/out.o", "ignored\n")
        try "secret\n".write(toFile: repo.root + "/.git/info/exclude", atomically: true, encoding: .utf8)
        try repo.write("secret", "excluded\n")
        #expect(try git.dirtyPaths() == ["gone.txt", "new/file.txt", "tracked.txt"])
        #expect(try git.dirtyPaths(includeUntracked: false) == ["gone.txt", "tracked.txt"])
        #expect(try git.isDirty)
    }

    @Test func branchesCreateListAndDelete() throws {
        let repo = try ScratchRepository(files: ["f": "1\n"])
        let git = try repo.open()
        let head = try git.headCommit()
        try git.createBranch("agon/r/a", at: head)
        try git.createBranch("agon/r/b", at: head)
        #expect(try git.branches(prefix: "agon/r/") == ["agon/r/a", "agon/r/b"])
        #expect(try repo.git.run("rev-parse", "agon/r/a").hasPrefix(head.hex))
        let duplicate = #expect(throws: GitError.self) { try git.createBranch("agon/r/a", at: head) }
        #expect(duplicate?.message == "branch already exists")
        try git.deleteBranch("agon/r/a")
        #expect(try repo.git.run("branch", "--list", "agon/*").trimmingCharacters(in: .whitespaces) == "agon/r/b\n".trimmingCharacters(in: .whitespaces))
        let missing = #expect(throws: GitError.self) { try git.deleteBranch("agon/r/a") }
        #expect(missing?.description == "git: delete branch 'agon/r/a': no such branch")
    }

    @Test func commitAllCapturesEveryKindOfChangeInAWorktree() throws {
        let repo = try ScratchRepository(files: [".gitignore": "*.log\n", "keep.txt": "k\n", "edit.txt": "1\n", "drop.txt": "d\n", "run.sh": "echo\n"])
        try repo.chmod("run.sh", 0o644)
        let base = try repo.commit("mode")
        let git = try repo.open()
        let path = repo.temp.sub("wt/snap")
        try git.addWorktree(name: "snap", path: path, branch: "agon/r/snap", at: base)
        let wt = GitCLI(directory: path)
        try "2\n".write(toFile: path + "/edit.txt", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: path + "/drop.txt")
        try FileManager.default.createDirectory(atPath: path + "/deep/er", withIntermediateDirectories: true)
        try "new\n".write(toFile: path + "/deep/er/new.txt", atomically: true, encoding: .utf8)
        try "noise\n".write(toFile: path + "/agent.log", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path + "/run.sh")

        let author = GitSignature(name: "Agon", email: "agon@localhost", date: Date(timeIntervalSince1970: 1_700_000_000))
        let commit = try git.commitAll(worktreePath: path, author: author, message: "agon: snapshot\n")

        #expect(try wt.run("rev-parse", "HEAD").hasPrefix(commit.hex))
        #expect(try repo.git.run("rev-parse", "agon/r/snap").hasPrefix(commit.hex))
        #expect(try wt.run("log", "-1", "--format=%an <%ae> %at %s") == "Agon <agon@localhost> 1700000000 agon: snapshot\n")
        #expect(try wt.run("rev-parse", "HEAD^").hasPrefix(base.hex))
        let changes = try wt.run("diff", "--no-renames", "--name-status", base.hex, commit.hex)
        #expect(changes == "A\tdeep/er/new.txt\nD\tdrop.txt\nM\tedit.txt\nM\trun.sh\n")
        #expect(try wt.run("diff", "--summary", base.hex, commit.hex).contains("mode change 100644 => 100755 run.sh"))
        #expect(try wt.run("status", "--porcelain") == "", "index written: git sees a clean worktree")
        #expect(try wt.run("log", "--format=%s", "main..HEAD") == "agon: snapshot\n")
        try repo.git.run("fsck", "--strict")

        // Nothing left to commit: allowed by default, refused on request.
        let empty = try git.commitAll(worktreePath: path, author: author, message: "empty")
        #expect(try wt.run("rev-parse", "HEAD^").hasPrefix(commit.hex))
        #expect(empty != commit)
        let refused = #expect(throws: GitError.self) {
            try git.commitAll(worktreePath: path, author: author, message: "again", allowEmpty: false)
        }
        #expect(refused?.message == "nothing to commit")

        // The snapshot's patch matches git's and the worktree diff is now empty.
        #expect(try git.diff(from: base, to: commit).data == wt.data(["diff", "--no-renames", "--binary", base.hex, commit.hex]))
        #expect(try git.diff(from: empty, toWorkdir: path).isEmpty)
    }

    @Test func commitAllOnAnUnbornBranchMakesARootCommit() throws {
        let repo = try ScratchRepository()
        try repo.write("first.txt", "hello\n")
        let git = try repo.open()
        let commit = try git.commitAll(worktreePath: repo.root, author: GitSignature(name: "A", email: "a@b"), message: "root")
        #expect(try repo.git.run("rev-list", "--count", "HEAD") == "1\n")
        #expect(try git.headCommit() == commit)
        #expect(try repo.git.run("ls-tree", "--name-only", "HEAD") == "first.txt\n")
    }
}
