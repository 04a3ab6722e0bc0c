import Foundation
import Testing
@testable import AgonGit
import AgonTestSupport

/// Byte-identity of AgonGit patches with `git diff --no-renames --binary`, and `git apply` acceptance.
@Suite struct PatchTests {
    /// One kind of change between a base commit and a target commit.
    enum Change: String, CaseIterable, CustomTestStringConvertible {
        case modified, addedInNewFolder, deleted, binaryModified, binaryAdded, modeChanged
        case nonASCIIName, noNewlineAtEnd, spaceInName, everythingAtOnce

        var testDescription: String { rawValue }

        static let baseFiles: [String: String] = [
            "mod.txt": (1...30).map { "line \($0)\n" }.joined(),
            "del.txt": "to be deleted\nsecond\n",
            "script.sh": "#!/bin/sh\necho hi\n",
            "noeol.txt": "alpha\nbeta\n",
            "with space.txt": "one\ntwo\n",
            "\u{e9}t\u{e9}-old.txt": "caf\u{e9}\n",
        ]

        static let baseBinary = Data((0..<600).map { UInt8(($0 * 7) % 256) })

        func apply(to repo: ScratchRepository) throws {
            switch self {
            case .modified:
                let text = (1...30).map { $0 == 10 ? "line ten changed\n" : "line \($0)\n" }.joined() + "line 31\n"
                try repo.write("mod.txt", text)
            case .addedInNewFolder:
                try repo.write("new/dir/added.txt", "fresh\nfile\n")
            case .deleted:
                try repo.remove("del.txt")
            case .binaryModified:
                var data = Self.baseBinary
                data[100] = 0; data[101] = 0xff
                data.append(contentsOf: [0, 1, 2, 3])
                try repo.write("bin.dat", data)
            case .binaryAdded:
                try repo.write("assets/new.bin", Data([0, 0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3, 0xfe]))
            case .modeChanged:
                try repo.chmod("script.sh", 0o755)
            case .nonASCIIName:
                try repo.write("\u{e9}t\u{e9}.txt", "\u{fc}ber\n")
                try repo.write("\u{e9}t\u{e9}-old.txt", "caf\u{e9} au lait\n")
            case .noNewlineAtEnd:
                try repo.write("noeol.txt", "alpha\nbeta\ngamma")
            case .spaceInName:
                try repo.write("with space.txt", "one\n2\n")
                try repo.write("another file.txt", "x\n")
            case .everythingAtOnce:
                for change in Self.allCases where change != .everythingAtOnce { try change.apply(to: repo) }
            }
        }
    }

    private func makeBase() throws -> (ScratchRepository, ObjectID) {
        let repo = try ScratchRepository()
        for (path, content) in Change.baseFiles { try repo.write(path, content) }
        try repo.write("bin.dat", Change.baseBinary)
        try repo.chmod("script.sh", 0o644)
        return (repo, try repo.commit("base"))
    }

    @Test(arguments: Change.allCases)
    func commitToCommitPatchIsByteIdenticalToGit(_ change: Change) throws {
        let (repo, base) = try makeBase()
        try change.apply(to: repo)
        let target = try repo.commit("change")

        let patch = try repo.open().diff(from: base, to: target)
        let expected = try repo.git.data(["diff", "--no-renames", "--binary", base.hex, target.hex])
        #expect(!patch.data.isEmpty)
        #expect(patch.text == String(decoding: expected, as: UTF8.self))
        #expect(patch.data == expected)

        // Stats agree with git's numstat (binary files count as a file with 0/0).
        let numstat = try repo.git.run("diff", "--no-renames", "--numstat", "-z", base.hex, target.hex)
        let records = numstat.split(separator: "\0").map { $0.split(separator: "\t", maxSplits: 2) }
        #expect(patch.stats.files == records.count)
        #expect(patch.stats.insertions == records.reduce(0) { $0 + (Int($1[0]) ?? 0) })
        #expect(patch.stats.deletions == records.reduce(0) { $0 + (Int($1[1]) ?? 0) })
        #expect(patch.stats.paths.sorted() == records.map { String($0[2]) }.sorted())

        // git accepts the patch on a clean checkout of the base.
        try repo.git.run("checkout", "-q", "--detach", base.hex)
        try repo.git.run("apply", "--check", input: patch.data)
    }

    @Test func aCappedDiffIsTheSamePatchUnderTheCapAndOnlyItsSizeOver() throws {
        let (repo, base) = try makeBase()
        try Change.everythingAtOnce.apply(to: repo)
        let target = try repo.commit("change")
        let expected = try repo.git.data(["diff", "--no-renames", "--binary", base.hex, target.hex])
        let under = try repo.open().diff(from: base, to: target, maxBytes: expected.count)
        #expect(under.patch?.data == expected && under.bytes == expected.count)
        let over = try repo.open().diff(from: base, to: target, maxBytes: expected.count - 1)
        #expect(over.patch == nil)
        #expect(over.bytes == expected.count)   // counted file by file, exactly git's size
        #expect(over.stats == under.stats)
    }

    @Test func workdirPatchIncludesUntrackedAndMatchesGitAfterStaging() throws {
        let (repo, base) = try makeBase()
        try repo.write(".gitignore", "*.log\n")
        try repo.write("build.log", "ignored output\n")
        try Change.everythingAtOnce.apply(to: repo)

        let patch = try repo.open().diff(from: base, toWorkdir: repo.root)
        try repo.git.run("add", "-A")
        let expected = try repo.git.data(["diff", "--cached", "--no-renames", "--binary", base.hex])
        #expect(patch.text == String(decoding: expected, as: UTF8.self))
        #expect(patch.data == expected)
        #expect(patch.stats.paths.contains("new/dir/added.txt"))
        #expect(!patch.stats.paths.contains("build.log"))
    }

    @Test func identicalCommitsGiveAnEmptyPatch() throws {
        let (repo, base) = try makeBase()
        let patch = try repo.open().diff(from: base, to: base)
        #expect(patch.isEmpty)
        #expect(patch.stats == DiffStats())
    }

    @Test func applyWritesThePatchAndRejectsAConflictingOne() throws {
        let (repo, base) = try makeBase()
        try Change.everythingAtOnce.apply(to: repo)
        let target = try repo.commit("change")
        let patch = try repo.open().diff(from: base, to: target)

        try repo.git.run("checkout", "-q", "--detach", base.hex)
        let git = try repo.open()
        try git.apply(patch.data, toWorktree: repo.root, check: true)
        #expect(try repo.git.run("status", "--porcelain").isEmpty, "check-only apply must not write")
        try git.apply(patch.data, toWorktree: repo.root)
        // The working tree now matches the target commit exactly.
        try repo.git.run("add", "-A")
        #expect(try repo.git.run("diff", "--cached", "--stat", target.hex).isEmpty)

        // Applying the same patch again conflicts: the preimage is gone.
        #expect(throws: GitError.self) { try git.apply(patch.data, toWorktree: repo.root, check: true) }
        let error = #expect(throws: GitError.self) { try git.apply(patch.data, toWorktree: repo.root) }
        #expect(error?.description.hasPrefix("git: apply patch to") == true)
    }

    @Test func abbreviationGrowsWithPackedObjectCountLikeGit() throws {
        let repo = try ScratchRepository(files: ["a.txt": "a\n"])
        let base = try repo.git.run("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        // 17,000 distinct blobs in one pack push git's automatic abbreviation from 7 to 8 digits.
        var stream = "blob\nmark :1\ndata 2\nb\n"
        for i in 2...17_000 { stream += "blob\ndata \(String(i).utf8.count)\n\(i)\n" }
        try repo.git.run("fast-import", "--quiet", input: Data(stream.utf8))
        try repo.write("a.txt", "a\nchanged\n")
        let target = try repo.commit("change")

        let patch = try repo.open().diff(from: ObjectID(hex: base)!, to: target)
        let expected = try repo.git.data(["diff", "--no-renames", "--binary", base, target.hex])
        #expect(patch.text.contains("\nindex ") && patch.text.range(of: #"index [0-9a-f]{8}\.\."#, options: .regularExpression) != nil)
        #expect(patch.data == expected)
    }
}
