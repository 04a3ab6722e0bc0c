import AgonConsensus
import AgonCore
@testable import AgonLeaderboard
import AgonReport
import AgonStore
import AgonTestSupport
@testable import AgonTournament
import Foundation
import Testing

private typealias R = LeaderboardRecords

/// The reproductions of issue 11: how runs feed the rating fit and the verifier table.
@Suite("Leaderboard evidence")
struct LeaderboardEvidenceTests {
    static func compute(_ runs: [RunRecord], replicates: Int = 0,
                        settings: (inout LeaderboardSettings) -> Void = { _ in }) -> LeaderboardResult {
        var s = LeaderboardSettings(replicates: replicates, seed: 3, parallel: false)
        settings(&s)
        return LeaderboardComputation(settings: s).compute(runs: runs, picks: [])
    }

    /// The consensus the review stage would record for these candidates and reviews.
    static func reviewedRun(_ index: Int, candidates: [CandidateRecord], reviews: [ReviewRecord],
                            weights: [String: Double] = [:]) throws -> RunRecord {
        var run = R.run(index, candidates: candidates, reviews: reviews)
        run.consensus = try ReviewConsensus.make(candidates: candidates, reviews: reviews) { weights[$0] ?? 1 }
        return run
    }

    /// Two agents that fail the same way in every run carry the same evidence: equal ratings.
    @Test func identicalFailuresGetEqualRatings() throws {
        let runs = try (0..<20).map { i in
            try Self.reviewedRun(i, candidates: [R.candidate("a", outcome: .agentError, files: 0, acceptance: .skipped),
                                                 R.candidate("b", harness: .codex, outcome: .agentError, files: 0, acceptance: .skipped),
                                                 R.candidate("c", harness: .gemini), R.candidate("d", harness: .aider)],
                                 reviews: [R.review("v1", ranking: i % 2 == 0 ? ["c", "d"] : ["d", "c"]),
                                           R.review("v2", ranking: ["c", "d"])])
        }
        let result = Self.compute(runs, replicates: 200)
        let a = try #require(R.standing(result, "a")), b = try #require(R.standing(result, "b"))
        let ra = try #require(a.rating), rb = try #require(b.rating)
        #expect(abs(ra - rb) < 1e-6, "a \(ra) vs b \(rb)")
        #expect(a.separation == b.separation)
        #expect(abs((a.ratingLow ?? 0) - (b.ratingLow ?? 0)) < 1e-6 && (a.ratingLow == nil) == (b.ratingLow == nil))
        #expect(abs((a.ratingHigh ?? 0) - (b.ratingHigh ?? 0)) < 1e-6 && (a.ratingHigh == nil) == (b.ratingHigh == nil))
        // Both rank below the agents that passed.
        let c = try #require(R.standing(result, "c"))
        #expect(c.rating! > ra)
    }

    /// Runs decided by tests alone count: 10 runs where only `a` passes outweigh 3 where the
    /// panel prefers `b`.
    @Test func testsDecideRunsWithoutReview() throws {
        var runs: [RunRecord] = []
        for i in 0..<10 {
            runs.append(try Self.reviewedRun(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex, acceptance: .failed)],
                                             reviews: []))
        }
        for i in 10..<13 {
            runs.append(try Self.reviewedRun(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex)],
                                             reviews: ["v1", "v2", "v3"].map { R.review($0, ranking: ["b", "a"]) }))
        }
        let result = Self.compute(runs, replicates: 100)
        let a = try #require(R.standing(result, "a")), b = try #require(R.standing(result, "b"))
        #expect(a.successes == 13 && b.successes == 3)
        #expect(a.rating! > b.rating!, "a \(a.rating!) vs b \(b.rating!)")
        #expect(result.agents.first?.agentIDs == ["a"])
    }

    /// Without any verifier configured the checks still rate the agents.
    @Test func noVerifiersStillRates() throws {
        let runs = (0..<6).map { i in
            R.run(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex, outcome: .noChanges, files: 0, acceptance: .skipped)])
        }
        let result = Self.compute(runs)
        let a = try #require(R.standing(result, "a")), b = try #require(R.standing(result, "b"))
        let ra = try #require(a.rating), rb = try #require(b.rating)
        #expect(ra > rb)
    }

    /// A verifier that ranks at random is scored against the other verifiers, not against a
    /// consensus it dominates: its tau is near 0, not 1.
    @Test func randomVerifierAgreementIsNearZero() throws {
        var rng = SeededGenerator(seed: 11)
        let agents = ["p", "q", "r", "s", "t"]
        let harnesses: [Harness] = [.claude, .codex, .gemini, .aider, .opencode]
        let runs = try (0..<30).map { i -> RunRecord in
            let candidates = agents.indices.map { R.candidate(agents[$0], harness: harnesses[$0]) }
            let random = agents.shuffled(using: &rng)
            return try Self.reviewedRun(i, candidates: candidates,
                                        reviews: [R.review("random", ranking: random), R.review("v1", ranking: agents),
                                                  R.review("v2", ranking: agents)],
                                        weights: ["random": 3])
        }
        let result = Self.compute(runs) { $0.verifierWeights = ["random": 3] }
        let random = try #require(result.verifiers.first { $0.verifier == "random" })
        let tau = try #require(random.agreementTau)
        #expect(abs(tau) < 0.2, "random verifier tau \(tau)")
        let v1 = try #require(result.verifiers.first { $0.verifier == "v1" })
        // v1 agrees perfectly with v2, which the leave-one-out consensus of {random ×3, v2} ignores,
        // so v1's tau is also near 0: what counts is that nobody is scored against itself.
        #expect(v1.agreementTau.map { abs($0) < 0.2 } == true)
    }

    /// A single verifier has no one to agree with.
    @Test func loneVerifierHasNoAgreement() throws {
        let runs = try (0..<5).map { i in
            try Self.reviewedRun(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex)],
                                 reviews: [R.review("solo", ranking: ["a", "b"])])
        }
        let result = Self.compute(runs)
        #expect(result.verifiers.first?.agreementTau == nil)
    }

    /// The consensus groups what no evidence orders, and names a winner exactly when one passes.
    @Test func consensusTiesWhatNoEvidenceOrders() throws {
        let candidates = [R.candidate("p"), R.candidate("q", harness: .codex), R.candidate("w", harness: .gemini, acceptance: .failed),
                          R.candidate("k", outcome: .costKilled, acceptance: .skipped),
                          R.candidate("e", harness: .aider, outcome: .agentError, files: 0, acceptance: .skipped)]
        let unreviewed = try ReviewConsensus.make(candidates: candidates, reviews: []) { _ in 1 }
        #expect(unreviewed.method == ReviewConsensus.noVerdicts && unreviewed.winner == nil)
        #expect(unreviewed.tiers == [["p", "q"], ["w"], ["k", "e"]])
        #expect(unreviewed.gated == ["w", "k", "e"])
        let reviewed = try ReviewConsensus.make(candidates: candidates, reviews: [R.review("v", ranking: ["q", "p"])]) { _ in 1 }
        #expect(reviewed.tiers == [["q"], ["p"], ["w"], ["k", "e"]] && reviewed.winner == "q")
        let one = try ReviewConsensus.make(candidates: [R.candidate("p"), R.candidate("w", acceptance: .failed)], reviews: []) { _ in 1 }
        #expect(one.winner == "p" && one.tiers == [["p"], ["w"]])
    }

    /// `agon run --no-review` (or no verifiers configured) still records the run's consensus.
    @Test func runWithoutReviewHasAConsensus() throws {
        let fixture = try TournamentFixture()
        let tournament = Tournament(workspace: try fixture.workspace(), options: TournamentOptions(review: false, progress: SilentProgress()))
        let outcome = try tournament.run(specPaths: [fixture.repo + "/specs/slugify.md"])
        let record = try #require(outcome.value.first)
        #expect(record.reviews.isEmpty)
        let consensus = try #require(record.consensus)
        #expect(consensus.method == ReviewConsensus.noVerdicts)
        #expect(consensus.tiers.first.map(Set.init) == Set(["neat", "sprawl"]))
        #expect(consensus.tiers.last.map(Set.init) == Set(["spendy"]))
        let stored = try fixture.workspace().store().run(record.runID)
        #expect(stored?.consensus == consensus)
        let file = try Data(contentsOf: URL(fileURLWithPath: fixture.repo + "/.agon/runs/\(record.runID)/consensus.json"))
        #expect(try AgonJSON.decoder.decode(ConsensusRecord.self, from: file) == consensus)

        // One passing candidate (neat; wrong fails acceptance): it is the winner `agon list` names.
        let single = Tournament(workspace: try fixture.workspace(),
                                options: TournamentOptions(agentFilter: ["neat", "wrong"], review: false, progress: SilentProgress()))
        let second = try #require(try single.run(specPaths: [fixture.repo + "/specs/slugify.md"]).value.first)
        #expect(second.consensus?.winner == "neat")
        let listed = try fixture.workspace().store().listRuns().first { $0.runID == second.runID }
        #expect(listed?.winner == "neat")
        // `agon show` prints the ties of the unreviewed run as ties.
        let shown = RunPresenter.summary(record, layout: try fixture.workspace().layout)
        let tied = consensus.tiers[0].joined(separator: " = ")
        #expect(shown.contains("consensus (\(ReviewConsensus.noVerdicts)): \(tied) > "), "\(shown)")
    }

    /// Check tiers, ties and unreviewed runs give exactly the top-1 choices written out by hand in
    /// scripts/reference/leaderboard_ties_choix.py, and the fit equals choix 0.4.1's on them
    /// (the accelerated solver agrees with plain MM to 1e-7; ratings to 1e-4 points).
    @Test func tiesAndUnreviewedRunsMatchChoix() throws {
        let a = { (outcome: Outcome, acceptance: CheckStatus) in R.candidate("a", outcome: outcome, files: outcome == .noChanges ? 0 : 1, acceptance: acceptance) }
        let b = { (acceptance: CheckStatus) in R.candidate("b", harness: .codex, acceptance: acceptance) }
        let c = { (acceptance: CheckStatus) in R.candidate("c", harness: .gemini, acceptance: acceptance) }
        let runs = [
            R.run(0, candidates: [a(.ok, .passed), b(.passed), c(.failed),
                                  R.candidate("d", harness: .aider, outcome: .agentError, files: 0, acceptance: .skipped)],
                  reviews: [R.review("v", ranking: ["b", "a"])]),
            R.run(1, candidates: [a(.ok, .passed), c(.passed), R.candidate("d", harness: .aider, holdout: .failed, holdoutCommand: true)]),
            R.run(2, candidates: [a(.noChanges, .skipped), b(.passed), R.candidate("d", harness: .aider, outcome: .costKilled, acceptance: .skipped)]),
            R.run(3, candidates: [a(.timeout, .skipped), c(.passed), R.candidate("d", harness: .aider)],
                  reviews: [R.review("v", ranking: ["d", "c"])]),
            R.run(4, candidates: [a(.ok, .passed), b(.failed), c(.failed)]),
            R.run(5, candidates: [b(.passed), R.candidate("d", harness: .aider)], reviews: [R.review("v", ranking: ["b", "d"])]),
        ]
        let result = Self.compute(runs)
        #expect(result.ratingObservations == 12)
        let expected = ["a": 1489.755009, "b": 1743.042618, "c": 1439.456307, "d": 1327.746066]
        for (agent, rating) in expected {
            let standing = try #require(R.standing(result, agent))
            #expect(abs(standing.rating! - rating) < 1e-4, "\(agent): \(standing.rating!) vs choix \(rating)")
            #expect(standing.separation == Separation.none)
        }
    }
}
