import AgonAgents
import AgonCore
import Foundation
import Testing
@testable import AgonTournament

/// The review stage's pure parts: consensus records and reading a verifier's final message.
struct ReviewUnitTests {
    func candidate(_ agent: String, outcome: Outcome = .ok, acceptance: CheckStatus = .passed, files: Int = 1) -> CandidateRecord {
        var c = CandidateRecord(agent: agent, harness: .claude, outcome: outcome, state: .finished,
                                worktree: "worktrees/r/\(agent)", branch: "agon/r/\(agent)")
        c.diff = DiffSummary(files: files, insertions: files, deletions: 0, patchPath: "p/\(agent).diff", changedPaths: [])
        c.checks.acceptance = acceptance
        return c
    }

    func review(_ verifier: String, _ ranking: [String], status: ReviewStatus = .ok) -> ReviewRecord {
        ReviewRecord(verifier: verifier, harness: .claude, status: status, seed: 1, ranking: ranking)
    }

    @Test func gatedCandidatesRankLastWhateverTheVerdicts() throws {
        let candidates = [candidate("a"), candidate("killed", outcome: .costKilled), candidate("b"),
                          candidate("failing", acceptance: .failed), candidate("empty", files: 0), candidate("c")]
        let reviews = [review("v1", ["c", "b", "a"]), review("v2", ["c", "a", "b"]), review("v3", ["b", "c", "a"]),
                       review("bad", ["a", "b", "c"], status: .excluded)]
        let consensus = try ReviewConsensus.make(candidates: candidates, reviews: reviews) { _ in 1 }
        // Gated ones by severity: a diff that failed acceptance above a kill and an empty diff (tied).
        #expect(consensus.ranking == ["c", "b", "a", "failing", "killed", "empty"])
        #expect(consensus.gated == ["failing", "killed", "empty"])
        #expect(consensus.tiers == [["c"], ["b"], ["a"], ["failing"], ["killed", "empty"]])
        #expect(consensus.method == "kemeny-exact")
        #expect(Set(consensus.perVerifierTau.keys) == ["v1", "v2", "v3"])   // the excluded verdict does not vote
        #expect(consensus.kendallW != nil)
    }

    @Test func weightsDecide() throws {
        let candidates = [candidate("a"), candidate("b")]
        let reviews = [review("heavy", ["b", "a"]), review("light1", ["a", "b"]), review("light2", ["a", "b"])]
        let consensus = try ReviewConsensus.make(candidates: candidates, reviews: reviews) { $0 == "heavy" ? 3 : 1 }
        #expect(consensus.ranking == ["b", "a"])
        let unweighted = try ReviewConsensus.make(candidates: candidates, reviews: reviews) { _ in 1 }
        #expect(unweighted.ranking == ["a", "b"])
    }

    @Test func fewerThanTwoPassingOrNoVerdicts() throws {
        let one = try ReviewConsensus.make(candidates: [candidate("x", acceptance: .failed), candidate("y")], reviews: []) { _ in 1 }
        #expect(one.ranking == ["y", "x"] && one.method == ReviewConsensus.onePassing && one.gated == ["x"])
        let none = try ReviewConsensus.make(candidates: [candidate("x", outcome: .timeout)], reviews: []) { _ in 1 }
        #expect(none.ranking == ["x"] && none.method == ReviewConsensus.nonePassing)
        let unreviewed = try ReviewConsensus.make(candidates: [candidate("p"), candidate("q")],
                                                  reviews: [review("v", [], status: .blocked)]) { _ in 1 }
        #expect(unreviewed.ranking == ["p", "q"] && unreviewed.method == ReviewConsensus.noVerdicts)
    }

    @Test func finalMessagePerHarness() {
        let verdict = #"{"ranking":["B","A"]}"#
        let escaped = verdict.replacingOccurrences(of: "\"", with: "\\\"")
        let claude = """
        {"type":"system","subtype":"init"}
        {"type":"assistant","message":{"content":[{"type":"text","text":"thinking"}]}}
        {"type":"result","subtype":"success","is_error":false,"result":"\(escaped)"}
        """
        #expect(HarnessAdapters.adapter(for: .claude).finalMessage(transcript: claude) == verdict)
        let codex = """
        {"type":"item.completed","item":{"type":"agent_message","text":"draft"}}
        {"type":"item.completed","item":{"type":"reasoning","text":"hmm"}}
        {"type":"item.completed","item":{"type":"agent_message","text":"\(escaped)"}}
        {"type":"turn.completed","usage":{"input_tokens":1}}
        """
        #expect(HarnessAdapters.adapter(for: .codex).finalMessage(transcript: codex) == verdict)
        let gemini = """
        {"type":"message","role":"assistant","content":"looking","delta":true}
        {"type":"tool_use","tool_name":"read_file"}
        {"type":"message","role":"assistant","content":"{\\"ranking\\":","delta":true}
        {"type":"message","role":"assistant","content":"[\\"B\\",\\"A\\"]}","delta":true}
        {"type":"result","status":"success"}
        """
        #expect(HarnessAdapters.adapter(for: .gemini).finalMessage(transcript: gemini) == verdict)
        #expect(HarnessAdapters.adapter(for: .aider).finalMessage(transcript: "chat\n" + verdict + "\n") == "chat\n" + verdict)
        #expect(HarnessAdapters.adapter(for: .claude).finalMessage(transcript: "not json\n{broken") == nil)
    }

    @Test func ordinaryWordsOfAgonsPromptAreNotIdentityTokens() {
        // "what could go wrong" is in the answer template; an agent called `wrong` must not block reviews.
        let words = ReviewContext.templateWords(among: ["wrong", "apply", "neat", "Claude", "sonnet-4"])
        #expect(words.contains("wrong") && words.contains("apply"))
        #expect(!words.contains("neat") && !words.contains("claude"))
    }

    @Test func scratchFingerprintSeesEdits() throws {
        let scratch = try ReviewScratch(seed: 0xfeed_0001)
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.baseTree + "/lib", withIntermediateDirectories: true)
        try "a\n".write(toFile: scratch.baseTree + "/lib/a.txt", atomically: false, encoding: .utf8)
        let before = scratch.fingerprint()
        #expect(ReviewScratch.changes(from: before, to: scratch.fingerprint()).isEmpty)
        try "ab\n".write(toFile: scratch.baseTree + "/lib/a.txt", atomically: false, encoding: .utf8)
        try "new\n".write(toFile: scratch.baseTree + "/b.txt", atomically: false, encoding: .utf8)
        #expect(ReviewScratch.changes(from: before, to: scratch.fingerprint()) == ["b.txt", "lib/a.txt"])
        scratch.remove()
        #expect(!FileManager.default.fileExists(atPath: scratch.directory))
    }
}
