import Foundation
import AgonCore
import AgonGit
import AgonTournament

/// Runs the real `git` CLI: the oracle every AgonGit test checks against.
public struct GitCLI {
    /// git exited non-zero.
    public struct Failure: Error, CustomStringConvertible {
        public let arguments: [String]
        public let status: Int32
        public let stderr: String
        public var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
    }

    public let directory: String

    public init(directory: String) { self.directory = directory }

    @discardableResult
    public func run(_ arguments: String..., input: Data? = nil) throws -> String {
        String(decoding: try data(arguments, input: input), as: UTF8.self)
    }

    public func data(_ arguments: [String], input: Data? = nil) throws -> Data {
        let result = try Self.execute(arguments, in: directory, input: input)
        guard result.status == 0 else {
            throw Failure(arguments: arguments, status: result.status, stderr: String(decoding: result.stderr, as: UTF8.self))
        }
        return result.stdout
    }

    /// Runs git and returns status and both streams without throwing on failure.
    public static func execute(_ arguments: [String], in directory: String, input: Data? = nil) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_AUTHOR_NAME"] = "Tester"
        env["GIT_AUTHOR_EMAIL"] = "tester@example.com"
        env["GIT_COMMITTER_NAME"] = "Tester"
        env["GIT_COMMITTER_EMAIL"] = "tester@example.com"
        env["LC_ALL"] = "C"
        process.environment = env
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(input) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so a large stderr cannot block a large stdout.
        final class Box: @unchecked Sendable { var data = Data() }
        let stderrBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, stdoutData, stderrBox.data)
    }
}

/// A temporary directory removed when the value is released.
public final class TemporaryDirectory {
    public let path: String
    public var url: URL { URL(fileURLWithPath: path) }

    public init() throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agongit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        // Resolve symlinks so paths compare equal to what git prints.
        path = base.resolvingSymlinksInPath().path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func sub(_ name: String) -> String { path + "/" + name }
}

/// A scratch repository built with the git CLI (and, through `workspace()`, an Agon workspace).
public final class ScratchRepository {
    public let temp: TemporaryDirectory
    public let root: String
    public let git: GitCLI

    /// An empty repository (no commits) on branch `main`.
    public init() throws {
        temp = try TemporaryDirectory()
        root = temp.sub("repo")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        git = GitCLI(directory: root)
        try git.run("init", "-q", "-b", "main")
        try git.run("config", "user.name", "Tester")
        try git.run("config", "user.email", "tester@example.com")
    }

    /// A repository with one commit holding `files`.
    public convenience init(files: [String: String]) throws {
        try self.init()
        for (path, content) in files { try write(path, content) }
        try commit("initial")
    }

    public func write(_ path: String, _ content: String) throws { try write(path, Data(content.utf8)) }

    public func write(_ path: String, _ data: Data) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    public func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: root + "/" + path) }

    public func chmod(_ path: String, _ mode: Int) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: root + "/" + path)
    }

    @discardableResult
    public func commit(_ message: String) throws -> ObjectID {
        try git.run("add", "-A")
        try git.run("commit", "-q", "--allow-empty", "-m", message)
        return ObjectID(hex: try git.run("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    public func open() throws -> GitRepository { try GitRepository.open(root) }

    /// An Agon workspace on this repository.
    public func workspace() throws -> Workspace { try Workspace.open(from: root) }

    /// Saves `runs` and `picks` to the workspace's store.
    public func save(_ runs: [RunRecord], picks: [ApplyRecord] = []) throws {
        let store = try workspace().store()
        for run in runs { try store.saveRun(run) }
        for pick in picks { try store.recordPick(pick) }
    }
}
