import AgonAgents
import AgonCore
import Testing

/// The registry is the one place a harness is wired in: every `Harness` has exactly one adapter.
@Suite struct HarnessAdapterTests {
    @Test func everyHarnessHasExactlyOneAdapter() {
        for harness in Harness.allCases {
            #expect(HarnessAdapters.all.filter { $0.harness == harness }.count == 1, "\(harness.rawValue)")
            #expect(HarnessAdapters.adapter(for: harness).harness == harness)
        }
        #expect(HarnessAdapters.all.count == Harness.allCases.count)
        // Colours tell harnesses apart in charts.
        #expect(Set(HarnessAdapters.all.map(\.color)).count == Harness.allCases.count)
    }

    @Test func plainTextHarnessesAnswerWithTheirWholeOutput() {
        for harness in [Harness.aider, .command, .openai] {
            #expect(HarnessAdapters.adapter(for: harness).finalMessage(transcript: "  \n  ") == nil)
            #expect(HarnessAdapters.adapter(for: harness).finalMessage(transcript: "ranked: B, A\n") == "ranked: B, A")
        }
    }
}
