import AgonConsensus
import AgonCore
@testable import AgonLeaderboard
import AgonStore
import AgonTestSupport
import GRDB
import Foundation
import Testing

private typealias R = LeaderboardRecords

@Suite("Leaderboard computation")
struct LeaderboardComputationTests {
    static func compute(_ runs: [RunRecord], picks: [ApplyRecord] = [], replicates: Int = 0,
                        settings: (inout LeaderboardSettings) -> Void = { _ in }) -> LeaderboardResult {
        var s = LeaderboardSettings(replicates: replicates, seed: 3, parallel: false)
        settings(&s)
        return LeaderboardComputation(settings: s).compute(runs: runs, picks: picks)
    }

    @Test func successCostAndTimeMetricsAreExact() throws {
        let result = Self.compute(R.metricRuns())
        let a = try #require(R.standing(result, "a"))
        #expect(a.runs == 4)
        #expect(a.successes == 2)
        #expect(a.successRate == 0.5)
        #expect(a.pricedRuns == 3 && a.unpricedRuns == 1)
        #expect(abs(a.costPerTask! - 0.3) < 1e-12)
        // Priced runs only: $0.90 over the one priced success.
        #expect(abs(a.costPerSuccess.value! - 0.9) < 1e-12)
        #expect(a.tokensPerTask == 2000)
        #expect(a.medianTimeToFirstAttemptS == 20)
        #expect(a.medianTimeToSuccessS == 120)
        #expect(a.medianTurns == 4)
        #expect(a.tokensPerSec == 70)
        #expect(a.costKilled == 1)
        #expect(a.topErrors == [OutcomeCount(outcome: .costKilled, count: 1)])
        #expect(abs(a.speedEfficiency - 0.5 / 3) < 1e-12)
        #expect(a.wins == 4 && a.reviewedRuns == 4 && a.winRate == 1)
        // First runs of specs/one.md (success) and specs/two.md (cost-killed).
        #expect(a.firstAttemptSpecs == 2 && a.firstAttemptSuccesses == 1 && a.firstAttemptSuccess == 0.5)
        #expect(a.provisional)

        let b = try #require(R.standing(result, "b"))
        #expect(b.successRate == 0)
        #expect(b.costPerSuccess == .noSuccess)
        #expect(abs(b.costPerTask! - 0.05) < 1e-12)
        #expect(b.medianTimeToSuccessS == nil)
        #expect(b.speedEfficiency == 0)
        #expect(b.costKilled == 0)
        #expect(b.topErrors == [OutcomeCount(outcome: .timeout, count: 2), OutcomeCount(outcome: .noChanges, count: 1)])
        #expect(b.winRate == 0)
        #expect(result.verifierSpendUSD > 0.04 - 1e-12 && result.verifierSpendUSD < 0.04 + 1e-12)
        // Each run's verifier cost is shared by its two candidates.
        #expect(abs(a.verifierSpendUSD - 0.02) < 1e-12)
    }

    @Test func unpricedAgentHasNoCostAndIsOffTheFrontier() throws {
        let runs = (0..<3).map { i in
            R.run(i, candidates: [R.candidate("free", cost: nil), R.candidate("paid", harness: .codex, cost: 0.2)],
                  reviews: [R.review("v", ranking: ["free", "paid"])], consensus: ["free", "paid"])
        }
        let result = Self.compute(runs, replicates: 20)
        let free = try #require(R.standing(result, "free"))
        #expect(free.costPerTask == nil)
        #expect(free.costPerSuccess == .unpriced)
        #expect(!free.onFrontier)
        #expect(free.frontierFrequency == nil)
        #expect(R.standing(result, "paid")?.onFrontier == true)
    }

    @Test func agentThatAlwaysWinsRanksTopAndSeparatedDataConverges() throws {
        let result = Self.compute(R.separated(runs: 12), replicates: 200)
        #expect(result.agents.map(\.displayName) == ["top", "mid", "low"])
        let top = try #require(R.standing(result, "top"))
        #expect(top.rank == 1)
        #expect(top.rating!.isFinite && top.rating! > R.standing(result, "mid")!.rating! + 100)
        #expect(top.rankLow == 1 && top.rankHigh == 1)
        // Never beaten: the data bound its rating from below only (the estimate itself is the prior's).
        #expect(top.separation == .neverLoses && top.ratingHigh == nil)
        #expect(try #require(top.ratingLow) < top.rating!)
        // mid and low beat each other (v2 sometimes prefers low): both are bounded on both sides.
        let low = try #require(R.standing(result, "low"))
        #expect(low.separation == Separation.none && low.ratingLow != nil && low.ratingHigh != nil)
        #expect(R.standing(result, "mid")?.separation == Separation.none)
        #expect(!top.provisional)
        // Frontier on cost per task (top $0.20, mid $0.10, low $0.30) vs rating: low is dominated by top.
        #expect(top.onFrontier && R.standing(result, "mid")!.onFrontier)
        #expect(R.standing(result, "low")!.onFrontier == false)
        #expect(top.frontierFrequency == 1)
        #expect(R.standing(result, "low")!.frontierFrequency == 0)
    }

    @Test func oneAgentAloneOrNoReviewsDoesNotCrash() throws {
        let lone = Self.compute([R.run(0, candidates: [R.candidate("solo")], reviews: [R.review("v", ranking: ["solo"])],
                                       consensus: ["solo"])], replicates: 50)
        #expect(lone.agents.count == 1)
        #expect(lone.agents[0].rating == nil) // a single item is never a choice
        #expect(lone.ratingObservations == 0)

        let unreviewed = Self.compute([R.run(0, candidates: [R.candidate("x"), R.candidate("y", harness: .codex)])],
                                      replicates: 50)
        #expect(unreviewed.agents.allSatisfy { $0.rating == nil })
        #expect(unreviewed.agents.allSatisfy { $0.runs == 1 && $0.successRate == 1 })
        #expect(unreviewed.reviewedRuns == 0)
    }

    @Test func gatedCandidatesAreObservedLosing() throws {
        // "broken" never passes and never appears in a verifier ranking, yet gets rated below both others.
        let runs = (0..<6).map { i in
            R.run(i, candidates: [R.candidate("good"), R.candidate("fine", harness: .codex),
                                  R.candidate("broken", harness: .gemini, outcome: .agentError, acceptance: .skipped)],
                  reviews: [R.review("v", ranking: i % 2 == 0 ? ["good", "fine"] : ["fine", "good"])],
                  consensus: ["good", "fine", "broken"], gated: ["broken"])
        }
        let result = Self.compute(runs)
        let broken = try #require(R.standing(result, "broken"))
        #expect(broken.rating != nil)
        #expect(result.agents.last?.agentIDs == ["broken"])
        #expect(abs(R.standing(result, "good")!.rating! - R.standing(result, "fine")!.rating!) < 1e-6)
    }

    @Test func humanPicksShiftRatings() throws {
        let runs = (0..<6).map { i in
            R.run(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex)],
                  reviews: [R.review("v", ranking: i % 2 == 0 ? ["a", "b"] : ["b", "a"])], consensus: ["a", "b"])
        }
        let even = Self.compute(runs)
        #expect(abs(R.standing(even, "a")!.rating! - R.standing(even, "b")!.rating!) < 1e-6)
        let picks = runs.prefix(3).map { ApplyRecord(runID: $0.runID, agent: "a", appliedAt: R.start, committed: true) }
        // The same pick recorded twice counts once.
        let picked = Self.compute(runs, picks: picks + [picks[0]])
        #expect(R.standing(picked, "a")!.rating! > R.standing(picked, "b")!.rating! + 50)
        #expect(R.standing(picked, "a")!.picks == 3)
        #expect(picked.picksUsed == 3)
    }

    @Test func verifierWeightsChangeTheFit() throws {
        // v1 always prefers a, v2 always prefers b; the heavier verifier decides.
        let runs = (0..<4).map { i in
            R.run(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex)],
                  reviews: [R.review("v1", ranking: ["a", "b"]), R.review("v2", ranking: ["b", "a"])], consensus: ["a", "b"])
        }
        let result = Self.compute(runs) { $0.verifierWeights = ["v1": 3] }
        #expect(R.standing(result, "a")!.rating! > R.standing(result, "b")!.rating!)
        #expect(result.verifiers.first { $0.verifier == "v1" }?.weight == 3)
    }

    @Test func rowsAreAgentIDsUnlessGroupedByModel() throws {
        let runs = [
            R.run(0, candidates: [R.candidate("sonnet", model: "claude-sonnet-4-6"), R.candidate("gpt", harness: .codex, model: "gpt-5")]),
            R.run(1, candidates: [R.candidate("sonnet-2", model: "claude-sonnet-4-6"), R.candidate("gpt", harness: .codex, model: "gpt-5")]),
            // Two model-less command agents stay apart.
            R.run(2, candidates: [R.candidate("script-a", harness: .command, model: ""), R.candidate("script-b", harness: .command, model: "")]),
        ]
        // By default every agent id is its own row, even when two share a harness and model.
        let byAgent = Self.compute(runs)
        #expect(byAgent.agents.count == 5)
        #expect(R.standing(byAgent, "sonnet")?.agentIDs == ["sonnet"])
        let result = Self.compute(runs) { $0.grouping = .model }
        #expect(result.agents.count == 4)
        let sonnet = try #require(R.standing(result, "sonnet"))
        #expect(sonnet.agentIDs == ["sonnet", "sonnet-2"] && sonnet.runs == 2)
        #expect(sonnet.displayName == "sonnet, sonnet-2")
        let byHarness = Self.compute(runs) { $0.grouping = .harness }
        #expect(byHarness.agents.count == 3)
        #expect(R.standing(byHarness, "script-a")?.agentIDs == ["script-a", "script-b"])
        #expect(R.standing(byHarness, "script-a")?.model == nil)
    }

    @Test func interruptedCandidatesAreNotRuns() throws {
        let result = Self.compute([R.run(0, candidates: [R.candidate("a"), R.candidate("a2", outcome: .interrupted)])])
        #expect(R.standing(result, "a")?.runs == 1)
    }

    @Test func medianOfEvenAndOddCounts() {
        #expect(LeaderboardComputation.median([]) == nil)
        #expect(LeaderboardComputation.median([3, 1, 2]) == 2)
        #expect(LeaderboardComputation.median([4, 1, 3, 2]) == 2.5)
    }

    @Test func skippedChecksCountOnlyWhenTheSpecHasNone() {
        #expect(R.candidate("x", acceptance: .skipped).succeeded)
        var ranButSkipped = R.candidate("x", acceptance: .passed)
        ranButSkipped.checks.acceptance = .skipped
        #expect(!ranButSkipped.succeeded)
        #expect(!R.candidate("x", holdout: .failed, holdoutCommand: true).succeeded)
        #expect(!R.candidate("x", files: 0).succeeded)
    }

    @Test func gateOnTheProjectionMatchesTheTournamentGate() {
        var checked = 0
        for outcome in [Outcome.ok, .timeout, .noChanges] {
            for files in [0, 2] {
                for acceptance in [CheckStatus.passed, .failed, .skipped] {
                    let candidate = R.candidate("x", outcome: outcome, files: files, acceptance: acceptance)
                    #expect(LeaderboardCandidate(candidate).passedGate == candidate.passedGate)
                    checked += candidate.passedGate ? 1 : 0
                }
            }
        }
        #expect(checked == 2) // ok with changes and acceptance passed or skipped
    }

    @Test func storeLoadGivesTheSameLeaderboardAsTheFullRecords() throws {
        let store = try RunStore(writer: DatabaseQueue())
        try SyntheticStore.populate(store: store, runs: 60, agents: ["a", "b", "c", "d", "e", "f"], seed: 3)
        var runs = try store.allRunsForLeaderboard()
        runs[4].reviews[0].droppedSelfPreference = ["f"]
        runs[9].consensus = nil
        try store.importRuns([runs[4], runs[9]])
        let settings = LeaderboardSettings(replicates: 20, seed: 5, parallel: false)
        let fromRecords = LeaderboardComputation(settings: settings).compute(runs: runs, picks: [])
        let fromColumns = LeaderboardComputation(settings: settings).compute(runs: try store.leaderboardRuns(), picks: [])
        #expect(fromRecords == fromColumns)
        #expect(fromColumns.agents.count == 6 && fromColumns.reviewedRuns == 60)
    }

    // MARK: Verifiers

    @Test func verifierTableValues() throws {
        var runs: [RunRecord] = []
        for i in 0..<4 {
            let shown = i % 2 == 0 ? ["a", "b", "c"] : ["c", "a", "b"]
            runs.append(R.run(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex), R.candidate("c", harness: .gemini)],
                              reviews: [R.review("first", ranking: shown, shown: shown, cost: 0.02),
                                        R.review("last", ranking: shown.reversed(), shown: shown, cost: nil),
                                        R.review("broken", ranking: [], status: .excluded, cost: 0.01)],
                              consensus: shown))
        }
        runs.append(R.run(4, candidates: [R.candidate("a"), R.candidate("b", harness: .codex)],
                          reviews: [R.review("first", ranking: [], status: .failed, cost: 0.02)], consensus: ["a", "b"]))
        let result = Self.compute(runs)
        let first = try #require(result.verifiers.first { $0.verifier == "first" })
        #expect(first.reviews == 5 && first.validReviews == 4)
        #expect(abs(first.validVerdictRate - 0.8) < 1e-12)
        #expect(abs(first.positionBias! - 1) < 1e-12)
        // Each is scored against the other valid verifier only (never against a consensus it
        // helped form): the two always disagree completely.
        #expect(abs(first.agreementTau! + 1) < 1e-12)
        #expect(abs(first.costUSD - 0.10) < 1e-12)
        let last = try #require(result.verifiers.first { $0.verifier == "last" })
        #expect(abs(last.positionBias! + 1) < 1e-12)
        #expect(abs(last.agreementTau! + 1) < 1e-12)
        #expect(last.unpricedReviews == 4 && last.costUSD == 0)
        let broken = try #require(result.verifiers.first { $0.verifier == "broken" })
        #expect(broken.validVerdictRate == 0 && broken.positionBias == nil && broken.agreementTau == nil)
    }

    /// Swap consistency is the plain mean of the verifier's recorded per-review values (reviews
    /// without a usable second pass left out), and nil for a verifier that never swapped.
    @Test func swapConsistencyIsTheMeanOverSwappedReviews() throws {
        let values: [Double?] = [1, 0.5, nil, 1.0 / 3, 0]
        var runs: [RunRecord] = []
        for (i, value) in values.enumerated() {
            var swapper = R.review("swapper", ranking: ["a", "b", "c"], shown: ["a", "b", "c"])
            swapper.swapConsistency = value
            runs.append(R.run(i, candidates: [R.candidate("a"), R.candidate("b", harness: .codex), R.candidate("c", harness: .gemini)],
                              reviews: [swapper, R.review("plain", ranking: ["a", "b", "c"], shown: ["a", "b", "c"])],
                              consensus: ["a", "b", "c"]))
        }
        let result = Self.compute(runs)
        let swapper = try #require(result.verifiers.first { $0.verifier == "swapper" })
        // (1 + 0.5 + 1/3 + 0) / 4, worked by hand.
        #expect(swapper.swappedReviews == 4)
        #expect(abs(try #require(swapper.swapConsistency) - 11.0 / 24) < 1e-12)
        let plain = try #require(result.verifiers.first { $0.verifier == "plain" })
        #expect(plain.swapConsistency == nil && plain.swappedReviews == 0)
        // The store's projection carries it, so the slim path gives the same answer.
        #expect(runs.map(LeaderboardRun.init)[1].reviews[0].swapConsistency == 0.5)
    }

    @Test func selfPreferenceMeasuredWhenAllowedAndExcludedOtherwise() throws {
        // The Anthropic judge puts the Anthropic candidate first; the panel puts it last.
        let candidates = [R.candidate("claude", model: "claude-sonnet-4-6"), R.candidate("gpt", harness: .codex, model: "gpt-5"),
                          R.candidate("gem", harness: .gemini, model: "gemini-3-pro")]
        let allowed = (0..<3).map { i in
            R.run(i, candidates: candidates,
                  reviews: [R.review("judge", ranking: ["claude", "gpt", "gem"], harness: .claude, model: "claude-opus-4-8"),
                            R.review("panel-1", ranking: ["gpt", "gem", "claude"]), R.review("panel-2", ranking: ["gpt", "gem", "claude"])],
                  consensus: ["gpt", "gem", "claude"])
        }
        let measured = try #require(Self.compute(allowed) { $0.selfPreference = .allow }.verifiers.first { $0.verifier == "judge" })
        #expect(measured.selfPreferenceStatus == "measured")
        #expect(measured.selfPreferenceSamples == 3)
        #expect(measured.selfPreference == 1)
        #expect(measured.selfPreferenceHigherRate == 1)

        let excluded = (0..<3).map { i in
            R.run(i, candidates: candidates,
                  reviews: [R.review("judge", ranking: ["gpt", "gem"], harness: .claude, model: "claude-opus-4-8",
                                     dropped: ["claude"])],
                  consensus: ["gpt", "gem", "claude"])
        }
        let row = try #require(Self.compute(excluded).verifiers.first)
        #expect(row.selfPreferenceStatus == "excluded")
        #expect(row.selfPreference == nil)
    }

    @Test func bootstrapIsDeterministicForASeed() {
        let runs = R.separated(runs: 9)
        let one = Self.compute(runs, replicates: 100)
        let two = Self.compute(runs, replicates: 100)
        #expect(one == two)
    }
}
