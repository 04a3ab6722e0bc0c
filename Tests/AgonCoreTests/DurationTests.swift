import Testing
@testable import AgonCore

@Suite struct DurationTests {
    @Test(arguments: [
        ("20m", 1200.0), ("90s", 90), ("1h30m", 5400), ("1h", 3600), ("45", 45), ("1.5h", 5400),
        ("2m30s", 150), ("0.5m", 30), (" 10m ", 600), ("1h0m5s", 3605),
    ])
    func parsesGoodDurations(text: String, seconds: Double) throws {
        #expect(try AgonDuration(parsing: text).seconds == seconds)
    }

    @Test(arguments: ["", "-5m", "10x", "m", "1h30", "30m1h", "1m1m", "1.2.3s", "abc", "5 m"])
    func rejectsBadDurations(text: String) {
        #expect(throws: AgonDuration.ParseError.self) { try AgonDuration(parsing: text) }
    }

    @Test func errorsSayWhatIsWrong() {
        #expect(throws: AgonDuration.ParseError(text: "10x", reason: "unknown unit \"x\" (use h, m or s)")) {
            try AgonDuration(parsing: "10x")
        }
        #expect(throws: AgonDuration.ParseError(text: "-5m", reason: "must not be negative")) {
            try AgonDuration(parsing: "-5m")
        }
    }

    @Test(arguments: [(1200.0, "20m"), (5400, "1h30m"), (3600, "1h"), (90, "1m30s"), (45, "45s"), (0, "0s"), (1.5, "1.5s"), (3605, "1h5s")])
    func formats(seconds: Double, text: String) {
        #expect(AgonDuration(seconds: seconds).description == text)
    }

    @Test func formatRoundTrips() throws {
        for seconds in [1.0, 59, 60, 61, 3599, 3600, 7322, 86400] {
            let text = AgonDuration(seconds: seconds).description
            #expect(try AgonDuration(parsing: text).seconds == seconds, "\(text)")
        }
    }
}

@Test func absurdlyLongDurationsAreRejected() {
    for text in ["9999999999999999h", "99999999999999999999s", "31d", "744h1s", "2592001"] {
        #expect(throws: (any Error).self, "\(text)") { try AgonDuration(parsing: text) }
    }
    #expect((try? AgonDuration(parsing: "720h"))?.seconds == 30 * 86_400)
}
