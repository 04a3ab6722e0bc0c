import AgonTestSupport
import Foundation
import Testing
@testable import AgonGit

/// The worktree-metadata lock excludes other processes (util-linux `flock` as the other process).
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "needs util-linux flock"))
struct WorktreeLockTests {
    /// Exit status of `flock -n LOCKFILE true`: 0 when the lock was free, 1 when another holder has it.
    static func tryLock(_ path: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        process.arguments = ["-n", path, "true"]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func anotherProcessWaitsWhileTheLockIsHeld() throws {
        let scratch = try ScratchRepository(files: ["a.txt": "a\n"])
        let repository = try scratch.open()
        let path = repository.worktreeMetadataLockPath
        #expect(path.hasPrefix(scratch.root + "/.git/"))
        let whileHeld = try repository.withWorktreeMetadataLock { try Self.tryLock(path) }
        #expect(whileHeld == 1)
        #expect(try Self.tryLock(path) == 0)   // released on return
        struct Boom: Error {}
        #expect(throws: Boom.self) { try repository.withWorktreeMetadataLock { throw Boom() } }
        #expect(try Self.tryLock(path) == 0)   // and when the body throws
    }
}
