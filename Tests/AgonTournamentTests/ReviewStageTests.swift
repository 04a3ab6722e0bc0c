import AgonAgents
import AgonCore
import AgonStore
import Foundation
import Testing
@testable import AgonTournament

/// The review stage end to end: real temporary repositories, agent doubles as candidates and as
/// verifiers (`DOUBLE_REVIEW`), the real pipeline, store and artifacts.
@Suite(.serialized) struct ReviewStageTests {
    @Test func panelOfThreeReviewsAndMergesWithGating() throws {
        let fixture = try TournamentFixture(config: nil)
        let (record, outcome) = try fixture.runReviewed(ReviewLineup.agents(buggy: true)
            + ReviewLineup.verifiers([ReviewLineup.sound, ReviewLineup.noisy, ReviewLineup.first]))
        #expect(outcome.exitCode == 0)
        #expect(record.status == .done)
        #expect(record.reviews.map(\.verifier) == ["sound", "noisy", "first"])
        for review in record.reviews {
            #expect(review.status == .ok, "\(review.verifier): \(review.reason ?? "")")
            // Only the three passing candidates were shown; the gated one never reaches a verifier.
            #expect(Set(review.displayOrder) == ["neat", "sprawl", "tidy"])
            #expect(Set(review.labels.values) == ["neat", "sprawl", "tidy"])
            #expect(Set(review.ranking) == ["neat", "sprawl", "tidy"])
            #expect(review.notes.count == 3)
            #expect(review.tokens.total > 0)
            #expect(review.verdictPath.flatMap(fixture.file) != nil)
        }
        let byVerifier = Dictionary(uniqueKeysWithValues: record.reviews.map { ($0.verifier, $0) })
        // The sound double prefers the neat patch, then the one-line-longer tidy, then the sprawl (scope failed).
        #expect(byVerifier["sound"]?.ranking == ["neat", "tidy", "sprawl"])
        // The position-biased double ranks in the order it was shown: the mapping back is exact.
        #expect(byVerifier["first"]?.ranking == byVerifier["first"]?.displayOrder)
        // claude reports its cost; the review's cost is the verifier's, not the agents'.
        #expect(byVerifier["sound"]?.costSource == .reported)
        #expect((byVerifier["sound"]?.costUSD ?? 0) > 0)

        let consensus = try #require(record.consensus)
        // sound carries weight 3 of 5: its order wins; the gated candidate is last.
        #expect(consensus.ranking == ["neat", "tidy", "sprawl", "buggy"])
        #expect(consensus.gated == ["buggy"])
        #expect(consensus.method == "kemeny-exact")
        #expect(consensus.kendallW != nil)
        #expect(Set(consensus.perVerifierTau.keys) == ["sound", "noisy", "first"])
        #expect(consensus.bordaRanking.last == "buggy")

        // Stored: consensus.json, the store's copy, and per-verifier artifacts.
        let stored = try #require(try fixture.workspace().store().run(record.runID))
        #expect(stored.consensus == consensus)
        #expect(stored.reviews.count == 3)
        let json = try #require(fixture.file(".agon/runs/\(record.runID)/consensus.json"))
        #expect(json.contains("\"schema_version\"") && json.contains("\"kendall_w\""))
        for verifier in ["sound", "noisy", "first"] {
            let dir = ".agon/runs/\(record.runID)/reviews/\(verifier)/"
            #expect(fixture.file(dir + "raw.txt")?.contains("\"ranking\"") == true)
            #expect(fixture.file(dir + "transcript-1.jsonl") != nil)
        }
        // No review worktree or scratch directory is left behind.
        let worktrees = try fixture.git("worktree", "list")
        #expect(!worktrees.contains("review-"))
    }

    @Test func packetsNameNoAgentRunOrHoldout() throws {
        let fixture = try TournamentFixture(config: nil)
        let (record, _) = try fixture.runReviewed(ReviewLineup.agents(buggy: true)
            + ReviewLineup.verifiers([ReviewLineup.sound, ReviewLineup.first]))
        let config = try fixture.workspace().config
        var tokens: [String] = [record.runID, "agon/", "slugify-edge", "AGON_HOLDOUT_DIR"]
        for candidate in record.candidates {
            tokens += ModelFamily.identityTokens(for: try #require(config.agent(candidate.agent)))
            tokens += [candidate.agent, candidate.harness.rawValue, candidate.branch, candidate.worktree]
            if let model = candidate.model { tokens.append(model) }
        }
        let lowered = Set(tokens.map { $0.lowercased() })
        #expect(lowered.isSuperset(of: ["claude", "anthropic", "openai", "gemini", "google", "mistral", "neat", "buggy"]))
        for review in record.reviews {
            #expect(review.status == .ok)
            let packet = try fixture.artifact(review.packetPath)
            #expect(packet.contains("## Candidate A") && packet.contains("```diff"))
            for token in tokens where token != "pi" {   // `pi` is only ever matched as a whole word
                #expect(!containsWord(packet, token), "packet of \(review.verifier) names \"\(token)\"")
            }
            #expect(!containsWord(packet, "pi"))
            // The CLI verifier got a read-only base tree; its verdict is taken from its output only.
            #expect(packet.contains("read-only") && packet.contains("as your final message") && !packet.contains("verdict.json"))
            #expect(!packet.contains(fixture.repo))
        }
    }

    @Test func identityMarksAreRedactedInTheReviewCopyOnly() throws {
        let fixture = try TournamentFixture(config: nil)
        // neat signs its work and names a file after itself.
        let planted = "lib/neat_helpers.sh=# Co-Authored-By: Claude <noreply@anthropic.com>"
        let (record, _) = try fixture.runReviewed(ReviewLineup.agents(neatEdits: planted)
            + ReviewLineup.verifiers([ReviewLineup.sound]))
        let neat = try #require(record.candidates.first { $0.agent == "neat" })
        let patch = try fixture.artifact(neat.diff.patchPath)
        #expect(patch.contains("Co-Authored-By: Claude") && patch.contains("lib/neat_helpers.sh"))
        let review = try #require(record.reviews.first)
        #expect(review.status == .ok, "\(review.reason ?? "")")
        let packet = try fixture.artifact(review.packetPath)
        #expect(!packet.contains("Co-Authored-By"))
        #expect(!packet.lowercased().contains("anthropic"))
        #expect(!packet.contains("neat_helpers"))
        #expect(packet.contains("[redacted]_helpers.sh"))
        #expect(packet.contains("renamed in this review copy only"))
        // The applied patch is untouched by review: it still applies to a clean base checkout.
        let check = try fixture.run(["git", "apply", "--check", fixture.repo + "/" + neat.diff.patchPath!], in: fixture.repo)
        #expect(check.0 == 0, "\(check.2)")
    }

    @Test func aLeakRedactionCannotRemoveBlocksTheReview() throws {
        let fixture = try TournamentFixture(config: nil)
        // The holdout command is never shown to agents; a diff that carries it anyway (here planted)
        // is scanned, not redacted, so the review must be blocked with a reason naming it.
        let planted = "tests/notes.txt=sh \"$AGON_HOLDOUT_DIR/slugify-edge.sh\""
        let (record, outcome) = try fixture.runReviewed(ReviewLineup.agents(neatEdits: planted)
            + ReviewLineup.verifiers([ReviewLineup.sound]))
        let review = try #require(record.reviews.first)
        #expect(review.status == .blocked)
        let reason = try #require(review.reason)
        #expect(reason.contains("holdout text"))
        #expect(reason.contains("slugify-edge.sh"))
        #expect(reason.contains("Candidate"))
        #expect(reason.contains("line"))
        #expect(review.packetPath == nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs/\(record.runID)/reviews/sound/packet.md"))
        #expect(record.consensus?.method == ReviewConsensus.noVerdicts)
        #expect(record.consensus?.winner == nil)   // an undecided run names no winner
        #expect(outcome.exitCode == 0)   // candidates passed; only the review failed
    }

    @Test func malformedFirstVerdictIsRetriedOnce() throws {
        let fixture = try TournamentFixture(config: nil)
        let retrying = ("retrier", "harness: codex, model: qwen3-coder, binary: BIN/codex, env: { DOUBLE_REVIEW: sound, DOUBLE_REVIEW_MALFORMED: \"1\" }")
        let (record, _) = try fixture.runReviewed(ReviewLineup.agents() + ReviewLineup.verifiers([retrying]))
        let review = try #require(record.reviews.first)
        #expect(review.status == .ok, "\(review.reason ?? "")")
        #expect(review.reason == "verdict usable after one retry")
        #expect(review.ranking == ["neat", "tidy", "sprawl"])
        let dir = ".agon/runs/\(record.runID)/reviews/retrier/"
        let raw = try #require(fixture.file(dir + "raw.txt"))
        #expect(raw.contains("=== attempt 1 ===") && raw.contains("=== attempt 2 ==="))
        // The second call carried the parser's error.
        let secondPrompt = try #require(fixture.file(dir + "transcript-2.jsonl"))
        #expect(!secondPrompt.isEmpty)
        #expect(record.consensus?.ranking.first == "neat")
    }

    @Test func alwaysMalformedVerdictIsExcludedWithReason() throws {
        let fixture = try TournamentFixture(config: nil)
        let broken = ("broken", "harness: claude, model: qwen3-coder, binary: BIN/claude, env: { DOUBLE_REVIEW: sound, DOUBLE_REVIEW_MALFORMED: always }")
        // `first` also writes into its working directory, the read-only base tree.
        let touching = ("first", "harness: gemini, model: llama-3.3-70b, binary: BIN/gemini, env: { DOUBLE_REVIEW: first, DOUBLE_REVIEW_TOUCH: touched.txt }")
        let (record, _) = try fixture.runReviewed(ReviewLineup.agents() + ReviewLineup.verifiers([touching, broken]))
        let review = try #require(record.reviews.first { $0.verifier == "broken" })
        #expect(review.status == .excluded)
        #expect(review.reason?.contains("after 2 attempts") == true)
        #expect(review.reason?.contains("truncated") == true)
        #expect(review.ranking.isEmpty && review.verdictPath == nil)
        // The excluded verdict does not vote: consensus is the other verifier's ranking.
        let first = try #require(record.reviews.first { $0.verifier == "first" })
        #expect(record.consensus?.ranking == first.ranking)
        #expect(first.status == .ok)
        if getuid() == 0 && Sandbox.availableBwrap() == nil {
            // Unsandboxed root ignores the read-only bits: the edit happens, is detected, and the
            // verdict kept but flagged (the sandbox drops root's capabilities, so there it fails).
            #expect(first.reason?.contains("modified its read-only base tree (1 path: touched.txt); its verdict is kept") == true)
        } else {
            #expect(first.reason == nil)
        }
        #expect(record.consensus?.perVerifierTau.keys.sorted() == ["first"])
        #expect(RunSummaryText.render(record, workspace: try fixture.workspace()).contains("review broken: excluded"))
    }

    @Test func selfPreferenceDropsOwnFamilyPlacements() throws {
        let fixture = try TournamentFixture(config: nil)
        let anthropic = ("opus", "harness: claude, model: claude-opus-4-1, binary: BIN/claude, env: { DOUBLE_REVIEW: sound }")
        let (record, _) = try fixture.runReviewed(ReviewLineup.agents() + ReviewLineup.verifiers([anthropic]))
        let review = try #require(record.reviews.first)
        #expect(review.status == .ok)
        #expect(review.droppedSelfPreference == ["neat"])
        #expect(review.ranking == ["tidy", "sprawl"])
        #expect(review.notes["neat"] == nil)
        // With `allow`, the same verifier ranks everyone.
        let allowing = try TournamentFixture(config: nil)
        let (again, _) = try allowing.runReviewed(ReviewLineup.agents()
            + ReviewLineup.verifiers([anthropic], defaults: "self_preference: allow"))
        #expect(again.reviews.first?.droppedSelfPreference == [])
        #expect(again.reviews.first?.ranking == ["neat", "tidy", "sprawl"])
    }

    @Test func agonReviewRedoesOneVerifierAndRecomputesConsensus() throws {
        let fixture = try TournamentFixture(config: nil)
        let broken = ("judge", "harness: gemini, model: qwen3-coder, binary: BIN/gemini, env: { DOUBLE_REVIEW: sound, DOUBLE_REVIEW_MALFORMED: always }")
        let (record, _) = try fixture.runReviewed(ReviewLineup.agents() + ReviewLineup.verifiers([ReviewLineup.first, broken]))
        let firstBefore = try #require(record.reviews.first { $0.verifier == "first" })
        #expect(record.reviews.first { $0.verifier == "judge" }?.status == .excluded)

        // The judge is fixed in agon.yml, then redone alone.
        let fixed = ("judge", "harness: gemini, model: qwen3-coder, binary: BIN/gemini, weight: 5, env: { DOUBLE_REVIEW: sound }")
        try fixture.writeConfig(ReviewLineup.agents() + ReviewLineup.verifiers([ReviewLineup.first, fixed]))
        let outcome = try fixture.reviewStage().review(runID: String(record.runID.prefix(12)), verifierFilter: ["judge"])
        #expect(outcome.exitCode == 0)
        let after = try #require(try fixture.workspace().store().run(record.runID))
        #expect(after.reviews.count == 2)
        #expect(after.reviews.first { $0.verifier == "first" } == firstBefore)
        let judge = try #require(after.reviews.first { $0.verifier == "judge" })
        #expect(judge.status == .ok && judge.ranking == ["neat", "tidy", "sprawl"])
        // Weight 5 against 1: the judge's order is the consensus now; both verdicts count.
        #expect(after.consensus?.ranking == ["neat", "tidy", "sprawl"])
        #expect(Set(after.consensus?.perVerifierTau.keys.map { $0 } ?? []) == ["first", "judge"])
        #expect(after.status == .done)
        #expect(outcome.output.text.contains("consensus"))
        let json = try #require(fixture.file(".agon/runs/\(record.runID)/consensus.json"))
        #expect(json.contains("\"neat\""))

        // Unknown verifiers are usage errors (exit 2), and nothing recorded changes.
        #expect(throws: UsageError.self) { try fixture.reviewStage().review(runID: record.runID, verifierFilter: ["nobody"]) }
        #expect(try fixture.workspace().store().run(record.runID)?.reviews.count == 2)
    }

    @Test func fewerThanTwoPassingSkipsVerifiers() throws {
        let fixture = try TournamentFixture(config: nil)
        let lineup = """
        agents:
          neat:  { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_DELAY_MS: "1" } }
          buggy: { harness: pi, model: mistral-large, binary: BIN/pi, env: { DOUBLE_SOLUTIONS: SOL/wrong, DOUBLE_DELAY_MS: "1" } }

        """
        let (record, outcome) = try fixture.runReviewed(lineup + ReviewLineup.verifiers([ReviewLineup.sound]))
        #expect(outcome.exitCode == 0)
        #expect(record.reviews.isEmpty)
        #expect(record.consensus?.ranking == ["neat", "buggy"])
        #expect(record.consensus?.method == ReviewConsensus.onePassing)
        #expect(record.consensus?.gated == ["buggy"])
        #expect(fixture.file(".agon/runs/\(record.runID)/consensus.json") != nil)
    }

    @Test(.enabled(if: ReviewChatServer.available)) func openAIVerifierThroughAChatServer() throws {
        let server = try ReviewChatServer()
        let fixture = try TournamentFixture(config: nil)
        let chat = ("chat", "harness: openai, model: qwen3-coder, base_url: \"http://127.0.0.1:\(server.port)/v1\", "
                    + "api_key_env: REVIEW_KEY, pricing: { input_per_mtok: 2, output_per_mtok: 10 }")
        try fixture.writeConfig(ReviewLineup.agents() + ReviewLineup.verifiers([chat]))
        var workspace = try fixture.workspace()
        workspace.environment["REVIEW_KEY"] = "sk-review-secret"
        let outcome = try Tournament(workspace: workspace, options: TournamentOptions(progress: SilentProgress()))
            .run(specPaths: [fixture.repo + "/specs/slugify.md"])
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(outcome.output.json.utf8))
        let review = try #require(record.reviews.first)
        #expect(review.status == .ok, "\(review.reason ?? "")")
        #expect(review.harness == .openai)
        #expect(review.ranking == review.displayOrder)   // the server ranks in the order shown
        #expect(review.tokens.input == 1200 && review.tokens.output == 80)
        #expect(review.costSource == .computed)
        #expect(abs((review.costUSD ?? 0) - (1200 * 2e-6 + 80 * 10e-6)) < 1e-12)
        #expect(try String(contentsOfFile: server.authLog, encoding: .utf8).contains("Bearer sk-review-secret"))
        #expect(fixture.file(".agon/runs/\(record.runID)/reviews/chat/response-1.json")?.contains("chatcmpl-1") == true)
        #expect(record.consensus?.ranking == review.ranking)
    }
}
