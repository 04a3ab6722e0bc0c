import AgonCore
import AgonGit
import Foundation

/// `agon init`: a starter `agon.yml` and `specs/example.md`, and the worktree root and `.agon/`
/// added to `.git/info/exclude`. Refuses to overwrite anything.
public enum Initializer {
    public static let starterConfig = """
    # agon.yml: who competes, who judges, and the defaults. See README.md ("agon.yml").
    agents:
      sonnet: { harness: claude, model: claude-sonnet-4-5, env: [ANTHROPIC_API_KEY] }
      gpt:    { harness: codex,  model: gpt-5-codex,       env: [OPENAI_API_KEY] }
      flash:  { harness: gemini, model: gemini-2.5-flash,  env: [GEMINI_API_KEY] }
    verifiers:
      judge:  { harness: claude, model: claude-opus-4-1,   env: [ANTHROPIC_API_KEY] }
    defaults:
      parallel: 3
      worktree_root: worktrees
      budget: { hard_timeout: 20m, silence_timeout: 3m }

    """

    public static let starterSpec = """
    ---
    title: Describe the change in one line
    acceptance:
      - make test
    paths: ["src/**", "tests/**"]
    budget: { max_cost_usd: 0.50 }
    ---
    Say what should change and why, what "done" looks like, and anything the agents must not touch.
    Holdout checks (never shown to agents) go in `holdout:` and their scripts in `.agon/holdout/`.

    """

    /// What `agon init` wrote: the files created and the patterns added to `.git/info/exclude`.
    public struct Result: Codable {
        public var created: [String]
        public var excluded: [String]
    }

    /// Adds `patterns` missing from `.git/info/exclude`; returns the ones it added.
    @discardableResult
    static func exclude(_ patterns: [String], in repository: GitRepository) throws -> [String] {
        let excludeFile = repository.commonDir + "/info/exclude"
        let current = (try? String(contentsOfFile: excludeFile, encoding: .utf8)) ?? ""
        let lines = Set(current.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let wanted = patterns.filter { !lines.contains($0) }
        guard !wanted.isEmpty else { return [] }
        try FileManager.default.createDirectory(atPath: repository.commonDir + "/info", withIntermediateDirectories: true)
        let separator = current.isEmpty || current.hasSuffix("\n") ? "" : "\n"
        try (current + separator + "# agon\n" + wanted.joined(separator: "\n") + "\n")
            .write(toFile: excludeFile, atomically: true, encoding: .utf8)
        return wanted
    }

    public static func initialize(at path: String) throws -> Result {
        // Existing files are refused before anything is parsed: a broken agon.yml is still the user's.
        let root = try Workspace.repositoryRoot(from: path)
        let existing = ["agon.yml", "specs/example.md"].filter { FileManager.default.fileExists(atPath: root + "/" + $0) }
        if !existing.isEmpty {
            throw WorkspaceError.wouldOverwrite(paths: existing)
        }
        try FileManager.default.createDirectory(atPath: root + "/specs", withIntermediateDirectories: true)
        try starterConfig.write(toFile: root + "/agon.yml", atomically: true, encoding: .utf8)
        try starterSpec.write(toFile: root + "/specs/example.md", atomically: true, encoding: .utf8)
        let workspace = try Workspace.open(from: root)   // also proves the starter config parses

        let worktreeRoot = workspace.relative(workspace.worktreeRoot)
        let wanted = try exclude(["/\(worktreeRoot)/", "/.agon/"], in: try workspace.repository())
        return Result(created: ["agon.yml", "specs/example.md"], excluded: wanted)
    }
}
