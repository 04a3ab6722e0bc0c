import AgonCore
import Testing
@testable import AgonAgents

@Suite("CostMeter")
struct CostMeterTests {
    // $1 per 1k input, $2 per 1k output, cache read $0.1/1k, cache write $1.25/1k: easy mental arithmetic.
    static let price = ModelPrice(inputPerToken: 0.001, outputPerToken: 0.002, cacheReadPerToken: 0.0001,
                                  cacheWritePerToken: 0.00125, source: "test")

    @Test func deltasAddUpAndAreComputed() {
        var m = CostMeter(price: Self.price, cap: nil)
        m.apply([.usage(TokenUsage(input: 100, output: 10), model: "x"), .usage(TokenUsage(cachedInput: 1000, reasoning: 5), model: "x")])
        #expect(m.usage == TokenUsage(input: 100, cachedInput: 1000, output: 10, reasoning: 5))
        #expect(abs((m.costUSD ?? -1) - (0.1 + 0.1 + 0.03)) < 1e-12)
        #expect(m.costSource == .computed)
        #expect(m.model == "x")
    }

    @Test func snapshotsTakeComponentWiseMax() {
        var m = CostMeter(price: Self.price, cap: nil)
        m.apply([.usage(TokenUsage(input: 50, output: 40), model: nil),
                 .usageSnapshot(TokenUsage(input: 100, output: 20), model: nil),
                 .usageSnapshot(TokenUsage(input: 90, output: 30), model: nil)]) // an older/smaller snapshot never lowers
        #expect(m.usage == TokenUsage(input: 100, output: 40))
    }

    @Test func reportedPreferredButEnforcementUsesTheHigher() {
        var m = CostMeter(price: Self.price, cap: 1.0)
        // Computed 0.4 (400 input tokens), reported 0.3: cost is the reported 0.3.
        #expect(m.apply(.usage(TokenUsage(input: 400), model: nil)) == .continue)
        #expect(m.apply(.reportedCost(usd: 0.3, cumulative: true)) == .continue)
        #expect(m.costUSD == 0.3)
        #expect(m.costSource == .reported)
        #expect(m.enforcementUSD == 0.4)
        // Computed reaches 1.2 while the CLI still reports 0.3: the computed cost enforces.
        #expect(m.apply(.usage(TokenUsage(input: 800), model: nil)) == .kill(costAtCross: 1.2))
        #expect(m.killedAt == 1.2)
    }

    @Test func preferComputedWhenAsked() {
        var m = CostMeter(price: Self.price, cap: nil, preferReported: false)
        m.apply([.usage(TokenUsage(output: 100), model: nil), .reportedCost(usd: 5, cumulative: true)])
        #expect(m.costSource == .computed)
        #expect(abs((m.costUSD ?? 0) - 0.2) < 1e-12)
        #expect(m.reportedUSD == 5)
    }

    @Test func reportedCumulativeTakesMaxAndDeltasSum() {
        var m = CostMeter(price: nil, cap: nil)
        m.apply([.reportedCost(usd: 0.06, cumulative: true), .reportedCost(usd: 0.11, cumulative: true)])
        #expect(m.reportedUSD == 0.11)
        var d = CostMeter(price: nil, cap: nil)
        d.apply([.reportedCost(usd: 0.25, cumulative: false), .reportedCost(usd: 0.5, cumulative: false)])
        #expect(d.reportedUSD == 0.75)
        #expect(d.costSource == .reported)
    }

    @Test func unpricedWithoutReportIsNilNeverZero() {
        var m = CostMeter(price: nil, cap: 0.01)
        #expect(m.apply(.usage(TokenUsage(input: 10_000_000), model: "local")) == .continue)
        #expect(m.costUSD == nil)
        #expect(m.costSource == .unpriced)
        #expect(m.killedAt == nil)
        // An unpriced model whose CLI reports a cost is still enforced on the reported cost.
        #expect(m.apply(.reportedCost(usd: 0.02, cumulative: true)) == .kill(costAtCross: 0.02))
    }

    @Test(arguments: [nil, 0.0, -1.0])
    func tallyOnlyNeverKills(cap: Double?) {
        var m = CostMeter(price: Self.price, cap: cap)
        #expect(!m.isEnforcing)
        #expect(m.apply(.usage(TokenUsage(output: 1_000_000), model: nil)) == .continue)
        #expect(m.costUSD == 2000)
        #expect(m.killedAt == nil)
    }

    @Test func killIsEmittedExactlyOnceAndExactCapIsAllowed() {
        var m = CostMeter(price: Self.price, cap: 0.5)
        var decisions: [MeterDecision] = []
        for _ in 0..<10 { decisions.append(m.apply(.usage(TokenUsage(input: 100), model: nil))) } // +0.1 each
        let kills = decisions.enumerated().filter { $0.element != .continue }
        #expect(kills.count == 1)
        // After 5 events cost == 0.5 == cap (allowed: strictly greater kills); the 6th crosses.
        #expect(kills.first?.offset == 5)
        if case .kill(let at)? = kills.first?.element { #expect(abs(at - 0.6) < 1e-12) }
    }

    @Test(arguments: [1, 7, 50, 333])
    func overshootIsBoundedByTheCrossingEvent(step: Int) {
        // Whatever the event size, the cost at kill exceeds the cap by less than one event's cost.
        let cap = 1.0
        var m = CostMeter(price: Self.price, cap: cap)
        let eventCost = Self.price.cost(of: TokenUsage(input: step))
        var killedAt: Double?
        for _ in 0..<100_000 {
            if case .kill(let at) = m.apply(.usage(TokenUsage(input: step), model: nil)) { killedAt = at; break }
        }
        let at = try! #require(killedAt)
        #expect(at > cap)
        #expect(at - cap <= eventCost + 1e-9)
    }

    @Test func counterEvents() {
        var m = CostMeter(price: nil, cap: nil)
        m.apply([.session(id: "s"), .model("m"), .turn, .turn, .fileEdit(path: "a"), .fileEdit(path: nil),
                 .result(isError: false, summary: nil), .apiError(kind: .rateLimit, message: "429")])
        #expect(m.sessionID == "s" && m.model == "m" && m.turns == 2 && m.fileEdits == 2)
        #expect(m.usage == .zero)
    }

    @Test func negativeOrNonFiniteReportedCostIgnored() {
        var m = CostMeter(price: nil, cap: 1)
        m.apply([.reportedCost(usd: -3, cumulative: false), .reportedCost(usd: .nan, cumulative: true)])
        #expect(m.reportedUSD == nil)
        #expect(m.costSource == .unpriced)
    }
}
