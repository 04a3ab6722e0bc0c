import Foundation
import Testing
@testable import AgonGit
import AgonTestSupport

/// Worktree lifecycle checked against `git worktree list --porcelain`, `git fsck` and prune.
@Suite struct WorktreeTests {
    private func makeRepo() throws -> ScratchRepository {
        try ScratchRepository(files: ["README.md": "hello\n", "src/main.c": "int main(void) { return 0; }\n"])
    }

    /// Parses `git worktree list --porcelain` into path → (branch ref, HEAD sha, locked).
    private func porcelainWorktrees(_ repo: ScratchRepository) throws -> [String: (branch: String?, head: String?, locked: Bool)] {
        var result: [String: (branch: String?, head: String?, locked: Bool)] = [:]
        for block in try repo.git.run("worktree", "list", "--porcelain").components(separatedBy: "\n\n") {
            var path: String?, branch: String?, head: String?, locked = false
            for line in block.split(separator: "\n") {
                if line.hasPrefix("worktree ") { path = String(line.dropFirst(9)) }
                if line.hasPrefix("branch ") { branch = String(line.dropFirst(7)) }
                if line.hasPrefix("HEAD ") { head = String(line.dropFirst(5)) }
                if line == "locked" || line.hasPrefix("locked ") { locked = true }
            }
            if let path { result[path] = (branch, head, locked) }
        }
        return result
    }

    @Test func addedWorktreesAreWhatGitSees() throws {
        let repo = try makeRepo()
        let git = try repo.open()
        let base = try git.headCommit()
        let path = repo.temp.sub("worktrees/run1/alpha")
        let info = try git.addWorktree(name: "agon-run1-alpha", path: path, branch: "agon/run1/alpha", at: base)

        #expect(info.name == "agon-run1-alpha")
        #expect(info.path == path)
        #expect(info.branch == "agon/run1/alpha")
        #expect(info.head == base)
        #expect(info.isValid && !info.isLocked)
        let listed = try porcelainWorktrees(repo)
        #expect(listed[path]?.branch == "refs/heads/agon/run1/alpha")
        #expect(listed[path]?.head == base.hex)
        // Files are checked out and the worktree is clean in git's eyes.
        #expect(try String(contentsOfFile: path + "/src/main.c", encoding: .utf8) == "int main(void) { return 0; }\n")
        #expect(try GitCLI(directory: path).run("status", "--porcelain").isEmpty)
        try repo.git.run("fsck", "--strict")
        #expect(try git.worktrees() == [info])
        #expect(try git.branches(prefix: "agon/") == ["agon/run1/alpha"])
        // A handle opened on the worktree knows where the shared repository is.
        let inside = try GitRepository.discover(from: path + "/src")
        #expect(inside.workdir == path)
        #expect(inside.isLinkedWorktree)
        #expect(inside.commonDir == repo.root + "/.git")
        #expect(try inside.currentBranch() == "agon/run1/alpha")
    }

    @Test func checkoutAppliesAttributeFiltersWhenTheTreeHasThem() throws {
        let repo = try ScratchRepository(files: [".gitattributes": "*.txt text eol=crlf\n", "sub/a.txt": "one\ntwo\n", "b.bin": "x\ny\n"])
        let git = try repo.open()
        #expect(git.needsCheckoutFilters(try git.headCommit()))
        let path = repo.temp.sub("wt/crlf")
        try git.addWorktree(name: "crlf", path: path, branch: "agon/crlf", at: try git.headCommit())
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + "/sub/a.txt")) == Data("one\r\ntwo\r\n".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + "/b.bin")) == Data("x\ny\n".utf8))
        #expect(try GitCLI(directory: path).run("status", "--porcelain").isEmpty)

        let plain = try ScratchRepository(files: ["a.txt": "one\n"])
        let home = NSHomeDirectory()
        let machineHasAttributes = ["/etc/gitattributes", home + "/.config/git/attributes"].contains { FileManager.default.fileExists(atPath: $0) }
        if !machineHasAttributes {
            #expect(try !plain.open().needsCheckoutFilters(try plain.open().headCommit()))
        }
        try plain.git.run("config", "core.autocrlf", "true")
        #expect(try plain.open().needsCheckoutFilters(try plain.open().headCommit()))
    }

    @Test func eightConcurrentWorktreesFromSeparateHandles() throws {
        let repo = try makeRepo()
        for i in 0..<40 { try repo.write("pkg\(i % 5)/file\(i).txt", String(repeating: "line \(i)\n", count: 50)) }
        let base = try repo.commit("more files")
        let agents = (0..<8).map { "agent\($0)" }
        let errors = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: agents.count) { i in
            do {
                let git = try repo.open()
                try git.addWorktree(name: "agon-r2-\(agents[i])", path: repo.temp.sub("wt/r2/\(agents[i])"), branch: "agon/r2/\(agents[i])", at: base)
            } catch {
                errors.append("\(agents[i]): \(error)")
            }
        }
        #expect(errors.items.isEmpty, "\(errors.items)")
        let listed = try porcelainWorktrees(repo)
        for agent in agents {
            let path = repo.temp.sub("wt/r2/\(agent)")
            #expect(listed[path]?.branch == "refs/heads/agon/r2/\(agent)")
            #expect(listed[path]?.head == base.hex)
            #expect(try GitCLI(directory: path).run("status", "--porcelain").isEmpty)
        }
        try repo.git.run("fsck", "--strict")
        #expect(try repo.open().worktrees().count == 8)
    }

    @Test func removeDeletesDirectoryMetadataAndBranchEvenWhenDirtyAndLocked() throws {
        let repo = try makeRepo()
        let git = try repo.open()
        let path = repo.temp.sub("wt/gone")
        try git.addWorktree(name: "gone", path: path, branch: "agon/r3/gone", at: try git.headCommit(), lock: true)
        #expect(try porcelainWorktrees(repo)[path]?.locked == true)
        try "scribble".write(toFile: path + "/untracked.txt", atomically: true, encoding: .utf8)
        try "changed".write(toFile: path + "/README.md", atomically: true, encoding: .utf8)

        try git.removeWorktree("gone", deleteBranch: true)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try porcelainWorktrees(repo)[path] == nil)
        #expect(try git.branches(prefix: "agon/").isEmpty)
        #expect(try repo.git.run("branch", "--list", "agon/*").isEmpty)
        #expect(try repo.git.run("worktree", "prune", "--dry-run", "-v").isEmpty)
        try repo.git.run("fsck", "--strict")
    }

    @Test func lockUnlockAndPruneOfVanishedDirectories() throws {
        let repo = try makeRepo()
        let git = try repo.open()
        let head = try git.headCommit()
        let keptPath = repo.temp.sub("wt/kept"), lostPath = repo.temp.sub("wt/lost")
        try git.addWorktree(name: "kept", path: keptPath, branch: "agon/r4/kept", at: head)
        try git.addWorktree(name: "lost", path: lostPath, branch: "agon/r4/lost", at: head)
        try git.lockWorktree("kept", reason: "agent running")
        #expect(try git.worktreeInfo("kept").isLocked)
        #expect(try porcelainWorktrees(repo)[keptPath]?.locked == true)

        // Both directories vanish; only the unlocked one is pruned.
        try FileManager.default.removeItem(atPath: keptPath)
        try FileManager.default.removeItem(atPath: lostPath)
        #expect(try git.worktreeInfo("lost").isValid == false)
        #expect(try git.pruneWorktrees() == ["lost"])
        #expect(try git.worktrees().map(\.name) == ["kept"])
        try git.unlockWorktree("kept")
        #expect(try git.worktreeInfo("kept").isLocked == false)
        #expect(try git.pruneWorktrees() == ["kept"])
        #expect(try repo.git.run("worktree", "prune", "--dry-run", "-v").isEmpty)
        // Branches survive pruning (git behaves the same); deleteBranch removes them.
        try git.deleteBranch("agon/r4/kept")
        try git.deleteBranch("agon/r4/lost")
        #expect(try repo.git.run("branch", "--list", "agon/*").isEmpty)
    }

    @Test func existingPathFailsWithoutLeavingAnything() throws {
        let repo = try makeRepo()
        let git = try repo.open()
        let path = repo.temp.sub("occupied")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "mine".write(toFile: path + "/keep.txt", atomically: true, encoding: .utf8)

        let error = #expect(throws: GitError.self) {
            try git.addWorktree(name: "occupied", path: path, branch: "agon/r5/occupied", at: try git.headCommit())
        }
        #expect(error?.description == "git: add worktree 'occupied': worktree path already exists: \(path)")
        #expect(try repo.git.run("branch", "--list", "agon/*").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/.git/worktrees/occupied"))
        #expect(try String(contentsOfFile: path + "/keep.txt", encoding: .utf8) == "mine")
        #expect(try repo.git.run("worktree", "list", "--porcelain").components(separatedBy: "\n\n").filter { !$0.isEmpty }.count == 1)
    }

    @Test func existingBranchFailsWithoutCreatingTheDirectory() throws {
        let repo = try makeRepo()
        try repo.git.run("branch", "agon/r6/taken")
        let git = try repo.open()
        let path = repo.temp.sub("wt/r6/taken")
        let error = #expect(throws: GitError.self) {
            try git.addWorktree(name: "taken", path: path, branch: "agon/r6/taken", at: try git.headCommit())
        }
        #expect(error?.message == "branch 'agon/r6/taken' already exists")
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: repo.temp.sub("wt")), "created parent directories are rolled back")
        #expect(try git.worktrees().isEmpty)
    }

    @Test func checkoutFailureMidwayIsRolledBack() throws {
        let repo = try makeRepo()
        let git = try repo.open()
        // A commit whose tree names a blob that does not exist: checkout fails after libgit2
        // has made the branch, the metadata and the directory.
        let missingBlob = String(repeating: "ab", count: 20)
        let tree = try repo.git.run("mktree", "--missing", input: Data("100644 blob \(missingBlob)\tghost.txt\n".utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let broken = try repo.git.run("commit-tree", tree, "-m", "broken").trimmingCharacters(in: .whitespacesAndNewlines)
        let path = repo.temp.sub("wt/r7/broken")

        let error = #expect(throws: GitError.self) {
            try git.addWorktree(name: "broken", path: path, branch: "agon/r7/broken", at: ObjectID(hex: broken)!)
        }
        #expect(error?.operation == "add worktree 'broken'")
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: repo.temp.sub("wt")))
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/.git/worktrees/broken"))
        #expect(try git.branches(prefix: "agon/").isEmpty)
        #expect(try git.worktrees().isEmpty)
    }

    @Test func reusedWorktreeNameIsRefusedBeforeAnythingIsMade() throws {
        let repo = try makeRepo()
        let git = try repo.open()
        let head = try git.headCommit()
        try git.addWorktree(name: "first", path: repo.temp.sub("wt/first"), branch: "agon/r8/first", at: head)
        let error = #expect(throws: GitError.self) {
            try git.addWorktree(name: "first", path: repo.temp.sub("wt/second"), branch: "agon/r8/second", at: head)
        }
        #expect(error?.message == "a worktree named 'first' already exists")
        #expect(!FileManager.default.fileExists(atPath: repo.temp.sub("wt/second")))
        #expect(try git.branches(prefix: "agon/r8/") == ["agon/r8/first"])
    }

    @Test func invalidNamesAreRejected() throws {
        let repo = try makeRepo()
        let git = try repo.open()
        let head = try git.headCommit()
        #expect(throws: GitError.self) { try git.addWorktree(name: "a/b", path: repo.temp.sub("x"), branch: "agon/x", at: head) }
        #expect(throws: GitError.self) { try git.addWorktree(name: "ok", path: repo.temp.sub("y"), branch: "bad..branch", at: head) }
        #expect(GitRepository.safeWorktreeName("agon/2024-01-01T00:00Z/claude sonnet") == "agon-2024-01-01T00-00Z-claude-sonnet")
        #expect(try git.branches().sorted() == ["main"])
    }

    @Test func removingAnUnknownWorktreeSaysSo() throws {
        let repo = try makeRepo()
        let error = #expect(throws: GitError.self) { try repo.open().removeWorktree("nope", deleteBranch: true) }
        #expect(error?.description == "git: look up worktree 'nope': no such worktree")
    }
}

/// Collects errors from concurrent work.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ item: String) { lock.lock(); storage.append(item); lock.unlock() }
    var items: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
