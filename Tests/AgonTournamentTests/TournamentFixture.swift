import AgonCore
import AgonTestSupport
import Foundation
@testable import AgonTournament

/// A real temporary git repository made from the demo's sample project (`demo/sample`), a `bin/`
/// of agent-double symlinks named after each CLI, and helpers to run `git` and the built `agon`.
final class TournamentFixture {
    let root: String
    var repo: String { root + "/repo" }
    var bin: String { root + "/bin" }
    /// The demo's solution scripts as agents see them (`SOL/` in configs).
    var solutionsCopy: String { bin + "/solutions" }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static var solutions: String { packageRoot + "/demo/solutions" }

    /// A built product (`agon`, `agent-double`) next to the test bundle in .build/<config>/.
    static func product(_ name: String) -> String? {
        BuiltProduct.path(name)
    }

    static var agonBinary: String { product("agon")! }

    /// The four demo agents: neat solves, sprawl sprawls (scope violations), wrong fails acceptance,
    /// spendy overspends and is cost-killed.
    static let fourAgents = """
    agents:
      neat:   { harness: claude,   model: claude-sonnet-4-5, binary: BIN/claude,
                env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "3", DOUBLE_TOKENS_PER_TURN: "12000/1500", DOUBLE_DELAY_MS: "20" } }
      sprawl: { harness: codex,    model: gpt-5-codex, binary: BIN/codex,
                env: { DOUBLE_SOLUTIONS: SOL/sprawling, DOUBLE_TURNS: "4", DOUBLE_TOKENS_PER_TURN: "20000/3000", DOUBLE_DELAY_MS: "20" } }
      wrong:  { harness: gemini,   model: gemini-2.5-flash, binary: BIN/gemini,
                env: { DOUBLE_SOLUTIONS: SOL/wrong, DOUBLE_TURNS: "2", DOUBLE_DELAY_MS: "20" } }
      spendy: { harness: opencode, model: claude-opus-4-1, binary: BIN/opencode,
                env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_MODE: overspend, DOUBLE_TOKENS_PER_TURN: "10000/1000", DOUBLE_DELAY_MS: "20",
                       DOUBLE_PRICE_IN: "1.5e-5", DOUBLE_PRICE_OUT: "7.5e-5" } }
    """

    init(config: String? = TournamentFixture.fourAgents, commit: Bool = true) throws {
        root = NSTemporaryDirectory() + "agon-e2e-" + UUID().uuidString.prefix(8)
        let fm = FileManager.default
        try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try fm.copyItem(atPath: Self.packageRoot + "/demo/sample", toPath: repo)
        try fm.createDirectory(atPath: repo + "/.agon/holdout", withIntermediateDirectories: true)
        for script in try fm.contentsOfDirectory(atPath: Self.packageRoot + "/demo/holdout") {
            try fm.copyItem(atPath: Self.packageRoot + "/demo/holdout/" + script, toPath: repo + "/.agon/holdout/" + script)
        }
        guard let double = Self.product("agent-double") else { throw FixtureError("agent-double is not built") }
        for name in ["claude", "codex", "gemini", "opencode", "pi", "aider"] {
            // A hard link where it can be (the same filesystem): a script that calls BIN/claude
            // inside a sandbox then finds it even when the package sits where the sandbox hides.
            if (try? fm.linkItem(atPath: double, toPath: bin + "/" + name)) == nil {
                try fm.createSymbolicLink(atPath: bin + "/" + name, withDestinationPath: double)
            }
        }
        // A copy under bin/ (on PATH under the fixture's HOME, which the sandbox shows read-only):
        // the package itself may sit where the sandbox hides (a clone under /tmp).
        try fm.copyItem(atPath: Self.solutions, toPath: solutionsCopy)
        if let config { try writeConfig(config) }
        try git("init", "-q", "-b", "main")
        try "/worktrees/\n/.agon/\n".write(toFile: repo + "/.git/info/exclude", atomically: true, encoding: .utf8)
        if commit {
            try git("add", "-A")
            try git("commit", "-qm", "textkit")
        }
    }

    deinit {
        _ = try? run(["git", "worktree", "prune"], in: repo)
        try? FileManager.default.removeItem(atPath: root)
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func writeConfig(_ yaml: String) throws {
        let text = yaml.replacingOccurrences(of: "BIN/", with: bin + "/").replacingOccurrences(of: "SOL/", with: solutionsCopy + "/")
        try text.write(toFile: repo + "/agon.yml", atomically: true, encoding: .utf8)
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: repo + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// The workspace as the library sees it, with an environment that has PATH to our doubles.
    func workspace() throws -> Workspace {
        try Workspace.open(from: repo, environment: environment)
    }

    var environment: [String: String] {
        ["PATH": bin + ":/usr/local/bin:/usr/bin:/bin", "HOME": root, "LANG": "C.UTF-8"]
    }

    @discardableResult
    func git(_ args: String...) throws -> String {
        String(decoding: try GitCLI(directory: repo).data(args), as: UTF8.self)
    }

    /// Runs the built `agon` CLI in the repository.
    func agon(_ args: String..., in directory: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try run([Self.agonBinary] + args, in: directory ?? repo)
    }

    /// Starts `agon` without waiting (for signals).
    func startAgon(_ args: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.agonBinary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: repo)
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: startedStderr, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: startedStderr))
        try process.run()
        return process
    }

    /// Where `startAgon` sends stderr, for failure messages.
    var startedStderr: String { root + "/started-agon.stderr" }
    var startedOutput: String { (try? String(contentsOfFile: startedStderr, encoding: .utf8)) ?? "" }

    func run(_ argv: [String], in directory: String) throws -> (Int32, String, String) {
        try ProcessRun.run(argv, in: directory, environment: environment, scratch: root)
    }

    /// Every live process whose environment carries `AGON_RUN_ID=<runID>`.
    static func processes(ofRun runID: String) -> [Int32] {
        let marker = Array("AGON_RUN_ID=\(runID)".utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            // Zombies keep no environment; only live processes count.
            return environ.split(separator: 0).contains { Array($0) == marker }
        }
    }

    /// Waits up to `timeout` seconds for `condition`.
    static func wait(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return try condition()
    }
}
