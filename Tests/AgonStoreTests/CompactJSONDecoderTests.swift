import AgonCore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonStore

/// The store's fast decoder must agree with Foundation's on everything the store writes,
/// and refuse (so Foundation takes over) anything it does not handle exactly.
@Suite struct CompactJSONDecoderTests {
    private func agrees<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for encoder in [AgonJSON.compactEncoder, AgonJSON.encoder] {
            let data = try encoder.encode(value)
            let fast = try CompactJSONDecoder().decode(T.self, from: data)
            #expect(fast == value, sourceLocation: sourceLocation)
            #expect(fast == (try AgonJSON.decoder.decode(T.self, from: data)), sourceLocation: sourceLocation)
        }
    }

    @Test func decodesEveryRecordTypeLikeFoundation() throws {
        try agrees(Fixtures.run("r1"))
        try agrees(Fixtures.candidate("sonnet"))
        try agrees(CandidateRecord(agent: "a", harness: .command, worktree: "w", branch: "b"))
        try agrees(Fixtures.review("judge-a"))
        try agrees(Fixtures.consensus)
        try agrees(ApplyRecord(runID: "r", agent: "a", appliedAt: Fixtures.created, committed: false))
        var rng = SplitMix64(seed: 3)
        for i in 0..<20 {
            try agrees(SyntheticStore.makeRun(index: i, agents: ["a", "b", "c"], start: Fixtures.created, rng: &rng))
        }
    }

    @Test func stringsWithEscapesAndUnicodeSurvive() throws {
        let nasty = ["quote \" backslash \\ slash / tab \t newline \n cr \r", "\u{0}\u{1}\u{1F}\u{7F}", "é ü 中文 🎉👩‍👩‍👧",
                     "\u{2028}\u{2029}", "", "  leading and trailing  "]
        for text in nasty {
            var candidate = Fixtures.candidate(text)
            candidate.apiErrorMessage = text
            candidate.diff.changedPaths = [text, text + "x"]
            try agrees(candidate)
            var review = Fixtures.review(text)
            review.notes = [text: ReviewNote(summary: text, risks: [text], recommendation: text)]
            review.labels = ["A": text]
            try agrees(review)
        }
        // Escapes Foundation never writes but other tools do.
        let handWritten = Data(#"{"summary":"a\u00e9\ud83c\udf89\/\b\f","risks":[],"recommendation":""}"#.utf8)
        #expect(try CompactJSONDecoder().decode(ReviewNote.self, from: handWritten).summary == "aé🎉/\u{8}\u{C}")
    }

    @Test func numbersSurviveAtTheirLimits() throws {
        var candidate = Fixtures.candidate("n")
        for cost in [0.1, 1e-7, 123_456.789, Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude, 0, -0.5] {
            candidate.costUSD = cost
            candidate.tokensPerSec = cost
            try agrees(candidate)
        }
        candidate.turns = Int.max
        candidate.malformedLines = Int.min
        try agrees(candidate)
        var review = Fixtures.review("j")
        for seed: UInt64 in [0, 1, UInt64.max] {
            review.seed = seed
            try agrees(review)
        }
    }

    @Test func refusesWhatItCannotDecodeExactly() {
        let bad = [#"{"files":1,"insertions":2,"deletions":3,"patch_path":null,"changed_paths":[]"#, // truncated
                   #"{"files":1.5,"insertions":2,"deletions":3,"patch_path":null,"changed_paths":[]}"#, // not an Int
                   #"{"files":99999999999999999999,"insertions":2,"deletions":3,"patch_path":null,"changed_paths":[]}"#,
                   #"{"files":1,"insertions":2,"deletions":3,"patch_path":null,"changed_paths":[]} x"#,
                   #"{"insertions":2,"deletions":3,"patch_path":null,"changed_paths":[]}"#] // missing key
        for text in bad {
            #expect(throws: (any Error).self, "\(text)") { try CompactJSONDecoder().decode(DiffSummary.self, from: Data(text.utf8)) }
        }
    }

    @Test func fallsBackToFoundationForWhatItRefuses() throws {
        // Valid JSON the compact decoder declines (an exponent in an Int): Foundation decides.
        let text = #"{"files":1e0,"insertions":2,"deletions":3,"patch_path":null,"changed_paths":[]}"#
        let viaStore = try? RecordDecoding.decode(DiffSummary.self, from: Data(text.utf8))
        let viaFoundation = try? AgonJSON.decoder.decode(DiffSummary.self, from: Data(text.utf8))
        #expect(viaStore == viaFoundation)
    }
}
