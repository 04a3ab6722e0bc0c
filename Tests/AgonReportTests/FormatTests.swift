import AgonCore
import AgonLeaderboard
@testable import AgonReport
import AgonTournament
import Testing

@Suite struct FormatTests {
    @Test func usdPrecisionFollowsMagnitude() {
        #expect(Format.usd(0.0123) == "$0.0123")
        #expect(Format.usd(1.25) == "$1.25")
        #expect(Format.usd(0.31) == "$0.31")
        #expect(Format.usd(0.5) == "$0.50")
        #expect(Format.usd(0) == "$0.00")
        #expect(Format.usd(0.00004) == "<$0.0001")
        #expect(Format.usd(1234.5) == "$1,235")
        #expect(Format.usd(-0.25) == "-$0.25")
    }

    @Test func unknownAndUnpricedAreNotZero() {
        #expect(Format.usd(nil) == "—")
        #expect(Format.usd(nil, source: .unpriced) == "unpriced")
        #expect(Format.usd(0.4, source: .unpriced) == "unpriced")
        #expect(Format.usd(.infinity) == "∞")
        #expect(Format.costAgainstBudget(nil, source: .computed, budget: 0.5) == "$0.00/$0.50")
        #expect(Format.costAgainstBudget(nil, source: .unpriced, budget: 0.5) == "unpriced/$0.50")
        #expect(Format.costAgainstBudget(0.12, source: .reported, budget: 0) == "$0.12")
    }

    @Test func costPerSuccessDistinguishesInfiniteFromUnknown() {
        #expect(Format.costPerSuccess(.usd(0.41)) == "$0.41")
        #expect(Format.costPerSuccess(.noSuccess) == "∞")
        #expect(Format.costPerSuccess(.unpriced) == "unpriced")
    }

    @Test func durations() {
        #expect(Format.duration(ms: 850) == "850ms")
        #expect(Format.duration(ms: 0) == "0ms")
        #expect(Format.duration(ms: 4_240) == "4.2s")
        #expect(Format.duration(ms: 9_960) == "10s")
        #expect(Format.duration(ms: 42_000) == "42s")
        #expect(Format.duration(ms: 83_000) == "1m23s")
        #expect(Format.duration(ms: 59_600) == "1m00s")
        #expect(Format.duration(ms: 3_725_000) == "1h02m")
        #expect(Format.duration(ms: nil) == "—")
        #expect(Format.duration(ms: -5) == "—")
        #expect(Format.duration(seconds: 92) == "1m32s")
        #expect(Format.duration(seconds: nil) == "—")
    }

    @Test func tokenCounts() {
        #expect(Format.tokens(850) == "850")
        #expect(Format.tokens(12_345) == "12.3k")
        #expect(Format.tokens(123_456) == "123k")
        #expect(Format.tokens(999_960) == "1.0M")
        #expect(Format.tokens(1_234_567) == "1.2M")
        #expect(Format.tokens(3_400_000_000) == "3.4B")
        #expect(Format.tokens(58_000.4) == "58.0k")
    }

    @Test func percentagesRatingsAndRanges() {
        #expect(Format.percent(0.626) == "63%")
        #expect(Format.percent(0.83) == "83%")
        #expect(Format.percent(0.625, decimals: 1) == "62.5%")
        #expect(Format.percent(nil) == "—")
        #expect(Format.rating(1612.4) == "1612")
        #expect(Format.rating(-0.2) == "0")
        #expect(Format.interval(1560, 1668) == "1560–1668")
        #expect(Format.interval(nil, 1668) == "≤ 1668")
        #expect(Format.interval(1560, nil) == "≥ 1560")
        #expect(Format.interval(nil, nil) == "—" && Format.interval(.nan, nil) == "—")
        #expect(Format.rankRange(1, 3) == "1–3")
        #expect(Format.rankRange(2, 2) == "2")
        #expect(Format.checks(CheckSummary(acceptance: .passed, holdout: .failed, scope: .skipped)) == "✓✗–")
    }
}
