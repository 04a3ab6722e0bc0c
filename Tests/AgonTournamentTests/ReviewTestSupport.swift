import AgonCore
import AgonStore
import Foundation
@testable import AgonTournament

/// Lineups and helpers for the review-stage tests (on `TournamentFixture`'s demo repository).
enum ReviewLineup {
    /// Three passing candidates (neat < tidy < sprawl for a sound reviewer: sprawl breaks scope,
    /// tidy is neat plus one line) and, with `buggy`, one that fails acceptance (gated).
    static func agents(buggy: Bool = false, neatEdits: String? = nil) -> String {
        var text = """
        agents:
          neat:   { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude,
                    env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_DELAY_MS: "1"\(neatEdits.map { ", DOUBLE_EDITS: '\($0)'" } ?? "") } }
          sprawl: { harness: codex, model: gpt-5-codex, binary: BIN/codex,
                    env: { DOUBLE_SOLUTIONS: SOL/sprawling, DOUBLE_DELAY_MS: "1" } }
          tidy:   { harness: gemini, model: gemini-2.5-flash, binary: BIN/gemini,
                    env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_EDITS: "lib/textkit.sh=# slug helpers end here", DOUBLE_DELAY_MS: "1" } }

        """
        if buggy {
            text += """
              buggy:  { harness: pi, model: mistral-large, binary: BIN/pi,
                        env: { DOUBLE_SOLUTIONS: SOL/wrong, DOUBLE_DELAY_MS: "1" } }

            """
        }
        return text
    }

    /// `verifiers:` with the given entries (id → flow mapping body).
    static func verifiers(_ entries: [(String, String)], defaults: String = "") -> String {
        "verifiers:\n" + entries.map { "  \($0.0): { \($0.1) }\n" }.joined() + (defaults.isEmpty ? "" : "defaults: { \(defaults) }\n")
    }

    static let sound = ("sound", "harness: claude, model: qwen3-coder, binary: BIN/claude, weight: 3, env: { DOUBLE_REVIEW: sound }")
    static let noisy = ("noisy", "harness: codex, model: deepseek-chat, binary: BIN/codex, env: { DOUBLE_REVIEW: noisy, DOUBLE_SEED: \"7\" }")
    static let first = ("first", "harness: gemini, model: llama-3.3-70b, binary: BIN/gemini, env: { DOUBLE_REVIEW: first }")
}

extension TournamentFixture {
    /// Runs the slugify spec through the whole pipeline (agents, checks, review, consensus).
    func runReviewed(_ config: String) throws -> (RunRecord, CommandResult<[RunRecord]>) {
        try writeConfig(config)
        let tournament = Tournament(workspace: try workspace(), options: TournamentOptions(progress: SilentProgress()))
        let outcome = try tournament.run(specPaths: [repo + "/specs/slugify.md"])
        let record = outcome.value[0]
        return (record, outcome)
    }

    func file(_ relative: String) -> String? {
        try? String(contentsOfFile: repo + "/" + relative, encoding: .utf8)
    }

    /// The text of an artifact a record points to; throws when the path or the file is missing.
    func artifact(_ relative: String?) throws -> String {
        guard let relative else { throw FixtureError("the record names no artifact") }
        guard let text = file(relative) else { throw FixtureError("no artifact at \(relative)") }
        return text
    }

    func reviewStage() throws -> ReviewStage {
        ReviewStage(workspace: try workspace(), stopSignal: StopSignal(), progress: SilentProgress())
    }
}

/// Whether `token` occurs in `text` as a whole word (case-insensitive; letters and digits bound words).
func containsWord(_ text: String, _ token: String) -> Bool {
    let escaped = NSRegularExpression.escapedPattern(for: token)
    let pattern = "(?<![A-Za-z0-9])" + escaped + "(?![A-Za-z0-9])"
    return text.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
}
