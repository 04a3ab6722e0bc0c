import AgonCore
import Foundation
@testable import AgonReview

/// Shared test inputs: three candidates from different vendors with realistic patches.
enum Samples {
    static let runID = "20261123T101500Z-k3x9"

    static let cleanPatch = """
    diff --git a/Sources/HTTP/Retry.swift b/Sources/HTTP/Retry.swift
    new file mode 100644
    index 0000000..3b18e51
    --- /dev/null
    +++ b/Sources/HTTP/Retry.swift
    @@ -0,0 +1,4 @@
    +/// Retries idempotent requests with exponential backoff.
    +struct RetryPolicy {
    +    var maxAttempts = 3
    +}

    """

    /// A patch carrying authorship marks: trailer, robot signature, name in code, name in a path.
    static let markedPatch = """
    diff --git a/Sources/HTTP/Client.swift b/Sources/HTTP/Client.swift
    index 1111111..2222222 100644
    --- a/Sources/HTTP/Client.swift
    +++ b/Sources/HTTP/Client.swift
    @@ -1,3 +1,5 @@
     import Foundation
    -let pipeline = Pipeline()
    +let pipeline = Pipeline(retries: 3)
    +// Written while pairing with Claude on the pipeline
    +let pi = 3.14159
     struct Client {}
    diff --git a/claude_notes.md b/claude_notes.md
    new file mode 100644
    index 0000000..abcdef0
    --- /dev/null
    +++ b/claude_notes.md
    @@ -0,0 +1,4 @@
    +Notes
    +🤖 Generated with [Claude Code](https://claude.com/claude-code)
    +
    +Co-Authored-By: Claude <noreply@anthropic.com>

    """

    static func candidates(patches: [String]? = nil) -> [ReviewCandidate] {
        let p = patches ?? [markedPatch, cleanPatch, cleanPatch]
        return [
            ReviewCandidate(candidateID: "cand-1", agentID: "sonnet", harness: .claude, model: "claude-sonnet-4-6",
                            family: "anthropic", identityTokens: ["sonnet", "claude-sonnet-4-6", "claude", "Claude Code", "anthropic"],
                            patch: p[0], checks: ["acceptance": .passed, "scope": .passed],
                            checkSummaries: ["acceptance": "3 tests passed"]),
            ReviewCandidate(candidateID: "cand-2", agentID: "gpt", harness: .codex, model: "gpt-5.3-codex",
                            family: "openai", identityTokens: ["gpt", "gpt-5.3-codex", "codex", "openai"],
                            patch: p[1], checks: ["acceptance": .failed], checkSummaries: ["acceptance": "1 of 3 tests failed"]),
            ReviewCandidate(candidateID: "cand-3", agentID: "pi", harness: .pi, model: "gemini-3-flash-preview",
                            family: "google", identityTokens: ["pi", "gemini-3-flash-preview", "gemini", "google"],
                            patch: p[2]),
        ]
    }

    static let spec = ReviewSpec(title: "Add retry with exponential backoff to the HTTP client",
                                 body: "The client should retry idempotent requests on 5xx and connection errors.",
                                 acceptance: ["swift test --filter RetryTests"])

    static let secrets = RunSecrets(
        runID: runID,
        branches: ["agon/\(runID)/sonnet", "agon/\(runID)/gpt", "agon/\(runID)/pi"],
        worktreePaths: ["/repo/worktrees/\(runID)/sonnet", "/repo/worktrees/\(runID)/gpt", "/repo/worktrees/\(runID)/pi"],
        timestamps: ["2026-11-23T10:15:00Z"],
        holdout: ["./scripts/hidden-retry-checks.sh"])

    /// The captured agent streams vendored in `Tests/Fixtures/agent-streams` (symlinks resolved so
    /// a dev package that links this directory still finds the real tree).
    static var fixturesDir: URL? {
        let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Tests/Fixtures/agent-streams")
        return FileManager.default.fileExists(atPath: dir.path) ? dir : nil
    }
}
