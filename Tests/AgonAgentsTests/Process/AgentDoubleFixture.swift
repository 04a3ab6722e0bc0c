import AgonCore
import Foundation
@testable import AgonAgents

/// A temp directory with `bin/` (the agent-double symlinked under every harness name), a
/// worktree and an artifacts dir, plus a launch builder pointing at them.
final class AgentDoubleFixture {
    let root: String
    var bin: String { root + "/bin" }
    var worktree: String { root + "/worktree" }
    var artifacts: String { root + "/artifacts" }

    /// $3 / $15 per MTok: the prices the double reports its own costs with.
    static let price = ModelPrice(inputPerToken: 3e-6, outputPerToken: 15e-6, source: "test")

    /// The built `agent-double`: next to the test bundle in .build/<config>/.
    static let doubleBinary: String? = {
        var candidates: [String] = []
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {  // the runner may sit inside a .xctest bundle directory
            candidates.append(dir.appendingPathComponent("agent-double").path)
            dir = dir.deletingLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/agent-double").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    init() throws {
        root = NSTemporaryDirectory() + "agon-process-" + UUID().uuidString.prefix(8)
        let fm = FileManager.default
        for dir in [bin, worktree, artifacts] { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        guard let double = Self.doubleBinary else { throw FixtureError.noDouble }
        for name in ["claude", "codex", "gemini", "opencode", "pi", "aider", "my-agent"] {
            try fm.createSymbolicLink(atPath: bin + "/" + name, withDestinationPath: double)
        }
        try "# project\n".write(toFile: worktree + "/README.md", atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    enum FixtureError: Error { case noDouble }

    /// A parent environment that holds both vendors' keys; DOUBLE_* behaviour goes in `explicit`.
    func launch(_ harness: Harness, double: [String: String] = [:], cap: Double? = nil, hardTimeout: TimeInterval = 30,
                silence: TimeInterval = 0, grace: TimeInterval = 3, passThrough: [String] = [],
                parentExtra: [String: String] = [:]) -> AgentLaunch {
        var parent = ["PATH": bin + ":/usr/bin:/bin", "HOME": root, "LANG": "C.UTF-8",
                      "ANTHROPIC_API_KEY": "sk-ant-secret", "OPENAI_API_KEY": "sk-openai-secret"]
        parent.merge(parentExtra) { _, b in b }
        var env = ["DOUBLE_DELAY_MS": "1"]
        env.merge(double) { _, b in b }
        return AgentLaunch(harness: harness, model: "test-model",
                           command: harness == .command ? ["my-agent", "{prompt_file}"] : nil,
                           env: env, passThroughEnv: passThrough, price: Self.price, maxCostUSD: cap,
                           hardTimeout: hardTimeout, silenceTimeout: silence, killGrace: grace,
                           prompt: "Add a line to agent_output.txt", worktree: worktree, artifactsDir: artifacts,
                           parentEnvironment: parent)
    }

    func read(_ relative: String) -> String? { try? String(contentsOfFile: worktree + "/" + relative, encoding: .utf8) }
}

/// Whether `pid` is gone or a zombie (dead, merely not yet reaped by its parent).
func isDead(_ pid: Int32) -> Bool {
    guard let entry = ProcessTable.entry(pid: pid) else { return true }
    return !entry.isAlive
}
