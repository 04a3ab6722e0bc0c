import AgonCore
@testable import AgonLeaderboard
import AgonTestSupport
import Foundation
import Testing

private typealias R = LeaderboardRecords

/// The report's "is it worth it?" numbers on hand-made records with known answers.
@Suite("Report insights")
struct ReportInsightsTests {
    static func runs(_ records: [RunRecord]) -> [LeaderboardRun] { records.map(LeaderboardRun.init) }

    @Test func dominanceMatchesBruteForceWithTies() {
        var rng = SplitMix64(seed: 14)
        for trial in 0..<400 {
            let n = rng.below(25)
            // A small grid forces equal x, equal y and duplicate points.
            let points = (0..<n).map { _ in (x: Double(1 + rng.below(6)), y: Double(1 + rng.below(6))) }
            let brute = points.indices.map { i in
                points.indices.contains { j in
                    j != i && points[j].x <= points[i].x && points[j].y <= points[i].y
                        && (points[j].x < points[i].x || points[j].y < points[i].y)
                }
            }
            #expect(CostSpeedFrontier.dominated(points) == brute, "trial \(trial): \(points)")
        }
        #expect(CostSpeedFrontier.dominated([]) == [])
        #expect(CostSpeedFrontier.dominated([(2, 2), (2, 2)]) == [false, false])
        #expect(CostSpeedFrontier.dominated([(1, 3), (3, 1), (2, 2), (3, 3)]) == [false, false, false, true])
    }

    @Test func costSpeedPointsAreDollarsAndSecondsPerSuccess() throws {
        // fast: 2 successes, $0.10 + $0.30, 60 s + 120 s → $0.20 and 90 s per success.
        // twin: same $ per success, 4 runs × 30 s with one success → 120 s: dominated by fast.
        // cheap: $0.10 per success but 300 s: on the frontier.
        let records = [
            R.run(0, candidates: [R.candidate("fast", cost: 0.10, durationMs: 60_000),
                                  R.candidate("twin", harness: .codex, cost: 0.05, durationMs: 30_000),
                                  R.candidate("cheap", harness: .gemini, cost: 0.10, durationMs: 300_000),
                                  R.candidate("never", outcome: .timeout, cost: 0.5, durationMs: 1000),
                                  R.candidate("free", cost: nil, durationMs: 1000),
                                  R.candidate("zero", cost: 0, durationMs: 1000)]),
            R.run(1, candidates: [R.candidate("fast", cost: 0.30, durationMs: 120_000),
                                  R.candidate("twin", harness: .codex, cost: 0.05, acceptance: .failed, durationMs: 30_000)]),
            R.run(2, candidates: [R.candidate("twin", harness: .codex, outcome: .agentError, cost: 0.05, durationMs: 30_000),
                                  R.candidate("fast", outcome: .interrupted, cost: 9, durationMs: 1)]),
            R.run(3, candidates: [R.candidate("twin", harness: .codex, cost: 0.05, files: 0, durationMs: 30_000)]),
        ]
        let frontier = CostSpeedFrontier(runs: Self.runs(records))
        let byAgent = Dictionary(uniqueKeysWithValues: frontier.points.map { ($0.agent, $0) })
        let fast = try #require(byAgent["fast"])
        #expect(abs(fast.usdPerSuccess - 0.20) < 1e-12 && fast.secondsPerSuccess == 90 && fast.successRate == 1 && !fast.dominated)
        let twin = try #require(byAgent["twin"])
        #expect(abs(twin.usdPerSuccess - 0.20) < 1e-12 && twin.secondsPerSuccess == 120 && twin.successRate == 0.25)
        #expect(twin.dominated && twin.harness == .codex)
        let cheap = try #require(byAgent["cheap"])
        #expect(abs(cheap.usdPerSuccess - 0.10) < 1e-12 && cheap.secondsPerSuccess == 300 && !cheap.dominated)
        #expect(frontier.leftOut.map(\.agent) == ["never", "free", "zero"])
        #expect(frontier.leftOut.map(\.reason) == ["no_success", "unpriced", "zero_cost"])
    }

    @Test func trendBucketsByUTCWeekStartingMonday() throws {
        // R.run(i) is created on 2026-01-01 (a Thursday) + i days.
        #expect(TrendPeriod.week.bucketStart(R.start.addingTimeInterval(3 * 86_400 + 3600))
                == Date(timeIntervalSince1970: 1_766_966_400))   // Sun 2026-01-04 → Mon 2025-12-29
        #expect(TrendPeriod.week.bucketStart(R.start.addingTimeInterval(4 * 86_400)) == R.start.addingTimeInterval(4 * 86_400))
        #expect(TrendPeriod.day.bucketStart(R.start.addingTimeInterval(86_399)) == R.start)
        #expect(TrendPeriod.week.bucketStart(Date(timeIntervalSince1970: -1)) == Date(timeIntervalSince1970: -3 * 86_400))   // Wed 1969-12-31 → Mon 1969-12-29
        #expect(TrendPeriod.fitting([R.start, R.start.addingTimeInterval(13 * 86_400)]) == .day)
        #expect(TrendPeriod.fitting([R.start, R.start.addingTimeInterval(14 * 86_400)]) == .week)

        let records = [
            R.run(0, candidates: [R.candidate("a", cost: 0.1, durationMs: 60_000), R.candidate("b", harness: .codex, cost: 1)]),
            R.run(3, candidates: [R.candidate("a", cost: 0.3, acceptance: .failed, durationMs: 30_000)]),
            R.run(7, candidates: [R.candidate("a", cost: 0.2, durationMs: 100_000)]),
            R.run(20, candidates: [R.candidate("a", outcome: .interrupted)]),
        ]
        let trend = TrendSeries(runs: Self.runs(records))
        #expect(trend.period == .week)   // 20 days apart
        let monday = Date(timeIntervalSince1970: 1_766_966_400)
        #expect(trend.buckets == [monday, monday.addingTimeInterval(7 * 86_400)])   // the interrupted run adds none
        #expect(trend.agents.map(\.agent) == ["a", "b"])
        let a = trend.agents[0].points
        #expect(a.map(\.start) == trend.buckets)
        #expect(a[0].totals.runs == 2 && a[0].totals.successRate == 0.5)
        #expect(abs(a[0].totals.costPerSuccess.value! - 0.4) < 1e-12)
        #expect(a[0].totals.medianTimeToSuccessS == 60)
        #expect(a[1].totals.runs == 1 && a[1].totals.successRate == 1 && a[1].totals.medianTimeToSuccessS == 100)
        #expect(abs(a[1].totals.costPerSuccess.value! - 0.2) < 1e-12)
        #expect(trend.agents[1].points.count == 1 && trend.agents[1].harness == .codex)

        let daily = TrendSeries(runs: Self.runs(records), period: .day)
        #expect(daily.buckets.count == 3 && daily.agents[0].points.count == 3)
    }

    @Test func unpricedAndNeverSucceededStayApartInTrend() {
        var t = SuccessTotals()
        #expect(t.successRate == nil && t.costPerSuccess == .unpriced && t.secondsPerSuccess == nil)
        t.add(LeaderboardCandidate(R.candidate("a", outcome: .timeout, cost: 0.2, durationMs: 5000)))
        #expect(t.costPerSuccess == .noSuccess && t.secondsPerSuccess == nil && t.successRate == 0)
        t.add(LeaderboardCandidate(R.candidate("a", cost: nil, durationMs: 5000)))
        // The unpriced success is not in cost per success, but its time is in seconds per success.
        #expect(t.costPerSuccess == .noSuccess && t.secondsPerSuccess == 10)
    }

    @Test func errorCodesCountOutcomesChecksAndReviews() {
        let records = [
            R.run(0, candidates: [R.candidate("a", outcome: .timeout), R.candidate("b", acceptance: .failed),
                                  R.candidate("c", outcome: .interrupted)],
                  reviews: [R.review("v", ranking: ["a", "b"]), R.review("w", ranking: [], status: .failed)]),
            R.run(1, candidates: [R.candidate("a", outcome: .timeout), R.candidate("b", holdout: .failed, holdoutCommand: true)],
                  reviews: [R.review("v", ranking: [], status: .excluded)]),
            R.run(2, candidates: [R.candidate("a", outcome: .apiError), R.candidate("b", acceptance: .failed)]),
        ]
        let codes = ErrorCodes.top(runs: Self.runs(records))
        // 6 finished candidates (the interrupted one is not an error), 3 reviews.
        #expect(codes.map(\.code) == ["acceptance_failed", "timeout", "api_error", "holdout_failed", "review_excluded", "review_failed"])
        #expect(codes.map(\.count) == [2, 2, 1, 1, 1, 1])
        #expect(codes.map(\.outOf) == [6, 6, 6, 6, 3, 3])
        #expect(codes.map(\.source) == [.check, .outcome, .outcome, .check, .review, .review])
        #expect(abs(codes[0].share - 1.0 / 3) < 1e-12)
        #expect(ErrorCodes.top(runs: Self.runs(records), limit: 2).count == 2)
        #expect(ErrorCodes.top(runs: []).isEmpty)
    }

    @Test func spendPerAppliedPatchCountsEveryCandidateAndReviewOfPickedRuns() {
        let records = [
            // Picked twice: counts once. $0.10 + $0.20 agents, $0.01 + $0.02 reviews.
            R.run(0, candidates: [R.candidate("a", cost: 0.10), R.candidate("b", cost: 0.20)],
                  reviews: [R.review("v", ranking: ["a", "b"], cost: 0.01), R.review("w", ranking: ["b", "a"], cost: 0.02)]),
            // Not picked: its $5 is not in the figure.
            R.run(1, candidates: [R.candidate("a", cost: 5)]),
            // Picked: $0.40 + an unpriced candidate, a blocked review that spent nothing, an unpriced review.
            R.run(2, candidates: [R.candidate("a", cost: 0.40), R.candidate("b", cost: nil)],
                  reviews: [R.review("v", ranking: [], status: .blocked, cost: nil), R.review("w", ranking: ["a"], cost: nil)]),
        ]
        let runs = Self.runs(records)
        let picks = [ApplyRecord(runID: runs[0].runID, agent: "a", appliedAt: R.start, committed: true),
                     ApplyRecord(runID: runs[0].runID, agent: "b", appliedAt: R.start, committed: false),
                     ApplyRecord(runID: runs[2].runID, agent: "a", appliedAt: R.start, committed: true),
                     ApplyRecord(runID: "filtered-out", agent: "a", appliedAt: R.start, committed: true)]
        let spend = SpendPerAppliedPatch(runs: runs, picks: picks)
        #expect(spend.appliedRuns == 2)
        #expect(abs(spend.agentSpendUSD - 0.70) < 1e-12 && abs(spend.verifierSpendUSD - 0.03) < 1e-12)
        // (0.70 + 0.03) / 2
        #expect(abs(spend.perPatchUSD! - 0.365) < 1e-12)
        #expect(spend.unpricedCandidates == 1 && spend.unpricedReviews == 1 && spend.isLowerBound)
        let none = SpendPerAppliedPatch(runs: runs, picks: [])
        #expect(none.appliedRuns == 0 && none.perPatchUSD == nil && !none.isLowerBound)
    }
}
