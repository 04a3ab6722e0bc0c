import Foundation
import Testing
@testable import AgonGit
import AgonTestSupport

/// Parking and recycling worktrees, with `git worktree add` of the same commit as the oracle.
@Suite struct WorktreeReuseTests {
    static let baseFiles: [String: String] = [
        "README.md": "hello world\n",
        ".gitignore": "build/\n*.o\n",
        "src/a.c": "int a(void) { return 1; }\n",
        "src/b.c": "int b(void) { return 2; }\n",
        "src/deep/c.c": "int c(void) { return 3; }\n",
        "docs/guide.md": "# Guide\n",
        "bin/run.sh": "#!/bin/sh\necho run\n",
    ]

    /// A repository at `base1`, with executable bin/run.sh and a symlink, then `base2` several commits later.
    private func makeRepo() throws -> (ScratchRepository, base1: ObjectID, base2: ObjectID) {
        let repo = try ScratchRepository()
        for (path, content) in Self.baseFiles { try repo.write(path, content) }
        try repo.chmod("bin/run.sh", 0o755)
        try FileManager.default.createSymbolicLink(atPath: repo.root + "/link", withDestinationPath: "README.md")
        let base1 = try repo.commit("base 1")
        try repo.write("src/b.c", "int b(void) { return 22; }\n")
        try repo.commit("change b")
        try repo.write("src/new.c", "int n(void) { return 4; }\n")
        try repo.commit("add new")
        try repo.remove("docs/guide.md")
        try repo.write("docs/other.md", "# Other\n")
        try repo.commit("replace guide")
        try repo.chmod("src/a.c", 0o755)
        try repo.commit("a executable")
        for i in 0..<6 { try repo.write("notes/\(i).txt", "note \(i)\n"); try repo.commit("note \(i)") }
        return (repo, base1, try repo.commit("base 2"))
    }

    /// Every path under `root` except its `.git` link: type, permission bits, and content or link target.
    private func tree(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        func walk(_ relative: String) throws {
            let dir = relative.isEmpty ? root : root + "/" + relative
            for name in try fm.contentsOfDirectory(atPath: dir) where !(relative.isEmpty && name == ".git") {
                let rel = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(root + "/" + rel, &st) == 0 else { throw GitError(operation: "lstat", message: rel) }
                let mode = String(st.st_mode, radix: 8)
                switch st.st_mode & S_IFMT {
                case S_IFDIR: result[rel] = "dir \(mode)"; try walk(rel)
                case S_IFLNK: result[rel] = "link " + (try fm.destinationOfSymbolicLink(atPath: root + "/" + rel))
                default: result[rel] = "file \(mode) " + (try String(contentsOfFile: root + "/" + rel, encoding: .utf8))
                }
            }
        }
        try walk("")
        return result
    }

    /// What a candidate might leave: edits, deletions, mode changes, untracked and ignored files,
    /// an edit disguised by restoring size and mtime, a commit, bisect state, a rewritten index.
    private func actLikeACandidate(in worktree: String) throws {
        let fm = FileManager.default
        let git = GitCLI(directory: worktree)
        try "int a(void) { return 666; }\n".write(toFile: worktree + "/src/a.c", atomically: false, encoding: .utf8)
        try fm.removeItem(atPath: worktree + "/docs/guide.md")
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: worktree + "/bin/run.sh")
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: worktree + "/src/b.c")
        try fm.createDirectory(atPath: worktree + "/tmp/x", withIntermediateDirectories: true)
        try "left over\n".write(toFile: worktree + "/tmp/x/y.txt", atomically: false, encoding: .utf8)
        try "untracked\n".write(toFile: worktree + "/new.txt", atomically: false, encoding: .utf8)
        try fm.createDirectory(atPath: worktree + "/empty/dir", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: worktree + "/build/cache", withIntermediateDirectories: true)
        try "object\n".write(toFile: worktree + "/build/cache/out.bin", atomically: false, encoding: .utf8)
        try "object\n".write(toFile: worktree + "/src/a.o", atomically: false, encoding: .utf8)
        try fm.removeItem(atPath: worktree + "/link")
        try fm.createSymbolicLink(atPath: worktree + "/link", withDestinationPath: "src/a.c")
        // Same size, mtime put back: stat-based change detection (mtime + size) cannot see this edit.
        let readme = worktree + "/README.md"
        var before = stat()
        _ = lstat(readme, &before)
        try "HELLO WORLD\n".write(toFile: readme, atomically: false, encoding: .utf8)
        var times = [before.st_atim, before.st_mtim]
        _ = utimensat(AT_FDCWD, readme, &times, 0)
        try git.run("add", "-A")
        try git.run("commit", "-q", "-m", "candidate snapshot")
        try git.run("bisect", "start")
        // An index the next user must not trust.
        let gitDir = try git.run("rev-parse", "--git-dir").trimmingCharacters(in: .whitespacesAndNewlines)
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: gitDir.hasPrefix("/") ? gitDir + "/index" : worktree + "/" + gitDir + "/index"))
    }

    @Test func recycledWorktreeIsIndistinguishableFromAFreshOne() throws {
        let (repo, base1, base2) = try makeRepo()
        let git = try repo.open()
        let first = repo.temp.sub("worktrees/run1/alpha")
        try git.addWorktree(name: "agon-run1-alpha", path: first, branch: "agon/run1/alpha", at: base1)
        let handover = try WorktreeHandover.now(commit: base1, directory: repo.temp.sub("worktrees/run1"))
        try actLikeACandidate(in: first)

        let parked = repo.temp.sub("worktrees/_pool/p1")
        try git.parkWorktree("agon-run1-alpha", as: "agon-pool-p1", path: parked, commit: base1)
        #expect(!FileManager.default.fileExists(atPath: first))
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/.git/worktrees/agon-run1-alpha"))
        try git.deleteBranch("agon/run1/alpha")

        let second = repo.temp.sub("worktrees/run2/beta")
        let info = try git.recycleWorktree("agon-pool-p1", path: parked, handover: handover,
                                           as: "agon-run2-beta", path: second, branch: "agon/run2/beta", at: base2)
        #expect(info.branch == "agon/run2/beta" && info.head == base2 && info.path == second && info.isValid)
        #expect(!FileManager.default.fileExists(atPath: parked))
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/.git/worktrees/agon-pool-p1"))

        let fresh = repo.temp.sub("fresh")
        try repo.git.run("worktree", "add", "-q", "-b", "fresh", fresh, base2.hex)
        let ours = GitCLI(directory: second), theirs = GitCLI(directory: fresh)
        #expect(try ours.run("ls-files", "-s") == theirs.run("ls-files", "-s"))
        #expect(try ours.run("status", "--porcelain", "--ignored", "--untracked-files=all") == "")
        #expect(try theirs.run("status", "--porcelain", "--ignored", "--untracked-files=all") == "")
        #expect(try tree(second) == tree(fresh))
        #expect(try ours.run("symbolic-ref", "HEAD") == "refs/heads/agon/run2/beta\n")
        #expect(try ours.run("rev-parse", "HEAD") == base2.hex + "\n")
        // No state of the previous user's git session survives: bisect is not in progress.
        #expect(try GitCLI.execute(["bisect", "log"], in: second).status != 0)
        try repo.git.run("fsck", "--strict", "--no-progress")
        try repo.git.run("worktree", "prune")
        #expect(try repo.git.run("worktree", "list", "--porcelain").contains("worktree \(second)\nHEAD \(base2.hex)\nbranch refs/heads/agon/run2/beta\n"))
    }

    @Test func keptIgnoredFilesStayAndEverythingElseMatches() throws {
        let (repo, base1, base2) = try makeRepo()
        let git = try repo.open()
        let first = repo.temp.sub("wt/one")
        try git.addWorktree(name: "one", path: first, branch: "one", at: base1)
        let handover = try WorktreeHandover.now(commit: base1, directory: repo.temp.sub("wt"))
        try actLikeACandidate(in: first)
        try git.parkWorktree("one", as: "parked", path: repo.temp.sub("pool/parked"), commit: base1)
        try git.recycleWorktree("parked", path: repo.temp.sub("pool/parked"), handover: handover,
                                as: "two", path: repo.temp.sub("wt/two"), branch: "two", at: base2, keepIgnored: true)
        let fresh = repo.temp.sub("fresh")
        try repo.git.run("worktree", "add", "-q", "-b", "fresh", fresh, base2.hex)
        let second = repo.temp.sub("wt/two")
        #expect(try GitCLI(directory: second).run("status", "--porcelain", "--untracked-files=all") == "")
        #expect(try GitCLI(directory: second).run("status", "--porcelain", "--ignored").split(separator: "\n").sorted()
            == ["!! build/", "!! src/a.o"])
        var ours = try tree(second)
        for kept in ["build", "build/cache", "build/cache/out.bin", "src/a.o"] { #expect(ours.removeValue(forKey: kept) != nil) }
        #expect(try ours == tree(fresh))
    }

    @Test func directorySwappedForASymlinkIsRestoredWithoutTouchingItsTarget() throws {
        let (repo, base1, base2) = try makeRepo()
        let git = try repo.open()
        let first = repo.temp.sub("wt/one")
        try git.addWorktree(name: "one", path: first, branch: "one", at: base1)
        let handover = try WorktreeHandover.now(commit: base1, directory: repo.temp.sub("wt"))
        // The candidate moves src/ outside and leaves a symlink to it, plus one to a directory outside.
        let outside = repo.temp.sub("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: first + "/src", toPath: outside + "/src")
        try FileManager.default.createSymbolicLink(atPath: first + "/src", withDestinationPath: outside + "/src")
        try "precious\n".write(toFile: outside + "/precious.txt", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: first + "/escape", withDestinationPath: outside)
        // Tracked files the new base leaves unchanged, swapped for symlinks to a file outside; and
        // inside the moved src/, b.c (which the new base changes) swapped the same way.
        try "outside file\n".write(toFile: outside + "/target.txt", atomically: false, encoding: .utf8)
        for file in ["README.md", "bin/run.sh"] {
            try FileManager.default.removeItem(atPath: first + "/" + file)
            try FileManager.default.createSymbolicLink(atPath: first + "/" + file, withDestinationPath: outside + "/target.txt")
        }
        // An untracked link where the new base adds a file (notes/0.txt).
        try FileManager.default.createDirectory(atPath: first + "/notes", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: first + "/notes/0.txt", withDestinationPath: outside + "/target.txt")
        try FileManager.default.removeItem(atPath: outside + "/src/b.c")
        try FileManager.default.createSymbolicLink(atPath: outside + "/src/b.c", withDestinationPath: outside + "/target.txt")
        let outsideBefore = try tree(outside)

        try git.parkWorktree("one", as: "parked", path: repo.temp.sub("pool/parked"), commit: base1)
        let second = repo.temp.sub("wt/two")
        try git.recycleWorktree("parked", path: repo.temp.sub("pool/parked"), handover: handover,
                                as: "two", path: second, branch: "two", at: base2)
        let fresh = repo.temp.sub("fresh")
        try repo.git.run("worktree", "add", "-q", "-b", "fresh", fresh, base2.hex)
        #expect(try tree(second) == tree(fresh))
        #expect(try tree(outside) == outsideBefore)
        #expect(try GitCLI(directory: second).run("status", "--porcelain", "--ignored") == "")
    }

    @Test func damagedEntriesAreRefusedAndLeaveNothingBehind() throws {
        let (repo, base1, base2) = try makeRepo()
        let git = try repo.open()
        let fm = FileManager.default
        func park(_ name: String) throws -> (String, WorktreeHandover) {
            try git.addWorktree(name: name, path: repo.temp.sub("wt/\(name)"), branch: name, at: base1)
            let handover = try WorktreeHandover.now(commit: base1, directory: repo.temp.sub("wt"))
            try git.parkWorktree(name, as: "parked-\(name)", path: repo.temp.sub("pool/\(name)"), commit: base1)
            try git.deleteBranch(name)
            return (repo.temp.sub("pool/\(name)"), handover)
        }
        // Metadata pointing elsewhere: refused before anything moves, no branch made.
        let (pathA, handoverA) = try park("a")
        try "/elsewhere/.git\n".write(toFile: repo.root + "/.git/worktrees/parked-a/gitdir", atomically: false, encoding: .utf8)
        #expect(throws: GitError.self) {
            try git.recycleWorktree("parked-a", path: pathA, handover: handoverA, as: "new-a", path: repo.temp.sub("wt/new-a"), branch: "new-a", at: base2)
        }
        #expect(!fm.fileExists(atPath: repo.temp.sub("wt/new-a")))
        #expect(try !git.branchExists("new-a"))
        #expect(!fm.fileExists(atPath: pathA) && !fm.fileExists(atPath: repo.root + "/.git/worktrees/parked-a"))
        // Metadata gone altogether.
        let (pathB, handoverB) = try park("b")
        try fm.removeItem(atPath: repo.root + "/.git/worktrees/parked-b")
        #expect(throws: GitError.self) {
            try git.recycleWorktree("parked-b", path: pathB, handover: handoverB, as: "new-b", path: repo.temp.sub("wt/new-b"), branch: "new-b", at: base2)
        }
        #expect(try !git.branchExists("new-b"))
        // A handover naming a commit the repository lacks: the entry is consumed and removed, with its branch.
        let (pathC, _) = try park("c")
        let bogus = WorktreeHandover(commit: ObjectID(hex: String(repeating: "ab", count: 20))!, seconds: 0, nanoseconds: 0)
        #expect(throws: GitError.self) {
            try git.recycleWorktree("parked-c", path: pathC, handover: bogus, as: "new-c", path: repo.temp.sub("wt/new-c"), branch: "new-c", at: base2)
        }
        #expect(!fm.fileExists(atPath: repo.temp.sub("wt/new-c")) && !fm.fileExists(atPath: pathC))
        #expect(try !git.branchExists("new-c"))
        // Every refused entry is gone, directory and metadata: git knows of no worktree.
        #expect(try git.worktrees().isEmpty)
        #expect(!fm.fileExists(atPath: pathB))
        try repo.git.run("fsck", "--strict", "--no-progress")
    }
}

/// The ctime boundary is what catches an edit disguised by restoring size and mtime.
@Suite struct WorktreeHandoverTests {
    @Test func onlyFilesUntouchedBeforeTheHandoverAreTrusted() throws {
        let repo = try ScratchRepository(files: ["README.md": "hello world\n", "other.txt": "x\n"])
        let git = try repo.open()
        let base = try git.headCommit()
        let first = repo.temp.sub("wt/one")
        try git.addWorktree(name: "one", path: first, branch: "one", at: base)
        let handover = try WorktreeHandover.now(commit: base, directory: repo.temp.sub("wt"))
        func disguisedEdit(_ root: String) throws {
            let readme = root + "/README.md"
            var before = stat()
            _ = lstat(readme, &before)
            try "HELLO WORLD\n".write(toFile: readme, atomically: false, encoding: .utf8)
            var times = [before.st_atim, before.st_mtim]
            _ = utimensat(AT_FDCWD, readme, &times, 0)
        }
        var untouched = stat()
        _ = lstat(first + "/other.txt", &untouched)
        try disguisedEdit(first)
        // A handover dated after the edit (as a forged record would be) trusts the edited file…
        var late = handover
        late.seconds += 3600
        try git.parkWorktree("one", as: "p1", path: repo.temp.sub("pool/p1"), commit: base)
        try git.recycleWorktree("p1", path: repo.temp.sub("pool/p1"), handover: late, as: "two", path: repo.temp.sub("wt/two"), branch: "two", at: base)
        #expect(try String(contentsOfFile: repo.temp.sub("wt/two/README.md"), encoding: .utf8) == "HELLO WORLD\n")
        // …the true one does not, and the file is put back.
        try git.parkWorktree("two", as: "p2", path: repo.temp.sub("pool/p2"), commit: base)
        try git.recycleWorktree("p2", path: repo.temp.sub("pool/p2"), handover: handover, as: "three", path: repo.temp.sub("wt/three"), branch: "three", at: base)
        #expect(try String(contentsOfFile: repo.temp.sub("wt/three/README.md"), encoding: .utf8) == "hello world\n")
        // The untouched file was not rewritten (same inode), and the index caches its stat data.
        var after = stat()
        _ = lstat(repo.temp.sub("wt/three/other.txt"), &after)
        #expect(after.st_ino == untouched.st_ino && after.st_ctim.tv_nsec == untouched.st_ctim.tv_nsec)
        let debug = try GitCLI(directory: repo.temp.sub("wt/three")).run("ls-files", "--debug", "other.txt")
        #expect(debug.contains("ino: \(after.st_ino)"), "\(debug)")
        #expect(try GitCLI(directory: repo.temp.sub("wt/three")).run("status", "--porcelain", "--ignored") == "")
    }
}
