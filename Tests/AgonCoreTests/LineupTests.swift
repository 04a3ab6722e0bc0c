import Foundation
import Testing
@testable import AgonCore

@Suite struct LineupTests {
    let config: Config = try! Config.parse(yaml: """
    agents:
      sonnet: { harness: claude, model: claude-sonnet-4-6 }
      gpt: { harness: codex, model: gpt-5.3-codex }
      flash: { harness: gemini, model: gemini-3-flash-preview }
    verifiers:
      judge-a: { harness: claude, model: claude-opus-4-8 }
      judge-b: { harness: codex, model: gpt-5.4 }
      judge-c: { harness: gemini, model: gemini-2.5-pro }
    defaults: { verifiers: [judge-b, judge-a] }
    """)

    @Test func specListsPickAndOrderTheLineup() throws {
        let spec = try Spec.parse(text: "---\nagents: [flash, sonnet]\nverifiers: [judge-c]\n---\nx", file: "s.md")
        let lineup = try config.lineup(for: spec)
        #expect(lineup.agents.map(\.id) == ["flash", "sonnet"])
        #expect(lineup.verifiers.map(\.id) == ["judge-c"])
    }

    @Test func withoutListsEveryAgentAndTheDefaultVerifiersRun() throws {
        let lineup = try config.lineup(for: Spec.parse(text: "x", file: "s.md"))
        #expect(lineup.agents.map(\.id) == ["sonnet", "gpt", "flash"])
        #expect(lineup.verifiers.map(\.id) == ["judge-b", "judge-a"])
    }

    @Test func unknownIdsPointAtTheSpecLine() throws {
        let spec = try Spec.parse(text: "---\ntitle: T\nagents:\n  - sonnet\n  - gtp\n---\nx", file: "specs/a.md")
        #expect(spec.fieldLines == ["title": 2, "agents": 3])
        let error = #expect(throws: AgonInputError.self) { try config.lineup(for: spec) }
        #expect(error?.description == "specs/a.md:3: agents[1]: unknown agent \"gtp\" (configured: sonnet, gpt, flash)")
        let noVerifiers = try Spec.parse(text: "---\nverifiers: [v]\n---\n", file: "s.md")
        let emptyError = #expect(throws: AgonInputError.self) { try Config.empty.lineup(for: noVerifiers) }
        #expect(emptyError?.description == "s.md:2: verifiers[0]: unknown verifier \"v\" (none configured in agon.yml)")
    }

    @Test func yamlMergeKeysShareSettings() throws {
        let config = try Config.parse(yaml: """
        agents:
          base: &claude { harness: claude, args: ["--fast"], budget: { max_cost_usd: 1 } }
          opus:
            <<: *claude
            model: claude-opus-4-8
            budget: { max_cost_usd: 3 }
        """)
        let opus = try #require(config.agent("opus"))
        #expect(opus.harness == .claude)
        #expect(opus.args == ["--fast"])
        #expect(opus.model == "claude-opus-4-8")
        #expect(opus.budget.maxCostUSD == 3)  // explicit key beats the merged one
    }
}
