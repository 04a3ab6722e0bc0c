import Foundation
import Testing
@testable import AgonReview

@Suite struct ReviewPacketTests {
    let candidates = Samples.candidates()

    func key(_ verifier: String = "judge-a") -> BlindingKey {
        Blinder.key(runID: Samples.runID, verifierID: verifier, candidates: candidates.map(\.candidateID))
    }

    @Test func packetShowsEveryCandidateInDisplayOrderWithoutIdentity() throws {
        let k = key()
        let packet = try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: k,
                                                   secrets: Samples.secrets, options: PacketOptions(baseTreePath: "/review/base"))
        let body = packet.body
        let positions = k.labels.map { body.range(of: "## Candidate \($0)\n")!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(body.contains("## The task: Add retry with exponential backoff to the HTTP client"))
        #expect(body.contains("- `swift test --filter RetryTests`"))
        #expect(body.contains("available read-only at `/review/base`"))
        #expect(body.contains("Diff: 1 file changed, 4 insertions(+), 0 deletions(-)"))
        #expect(body.contains("Some file paths contain [redacted]"))
        #expect(packet.instructions.contains("Rank ALL candidates"))
        for word in ["sonnet", "claude", "anthropic", "codex", "openai", "gemini", "google", Samples.runID] {
            #expect(!packet.text.lowercased().contains(word.lowercased()), "packet leaks \(word)")
        }
        // The holdout command is never shown.
        #expect(!packet.text.contains("hidden-retry-checks"))
        // The schema lists exactly these labels.
        let schema = try JSONSerialization.jsonObject(with: Data(packet.schemaJSON.utf8)) as! [String: Any]
        let ranking = (schema["properties"] as! [String: Any])["ranking"] as! [String: Any]
        #expect((ranking["items"] as! [String: Any])["enum"] as! [String] == ["A", "B", "C"])
    }

    @Test func sectionsAreSeparatedByBlankLines() throws {
        let spec = ReviewSpec(title: "T", body: "Body.\n\n\n")   // no acceptance, trailing newlines
        let packet = try ReviewPacketBuilder.build(spec: spec, candidates: candidates, key: key(), secrets: Samples.secrets,
                                                   options: PacketOptions(baseTreePath: "/base"))
        #expect(packet.body.contains("Body.\n\n## Base tree\n"))
        #expect(packet.body.contains("do not modify it.\n\n## Candidate A\n"))
        #expect(packet.body.hasSuffix("best first. \"recommendation\" is one of \"apply\", \"revise\", \"reject\".\n\n"))
    }

    @Test func checksAppearOnlyWhenAsked() throws {
        let with = try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: key(), secrets: Samples.secrets)
        let without = try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: key(), secrets: Samples.secrets,
                                                    options: PacketOptions(includeChecks: false))
        #expect(with.body.contains("- acceptance: failed — 1 of 3 tests failed"))
        #expect(!without.body.contains("acceptance: "))
    }

    @Test func redactionOffLetsTheScanBlockTheReview() {
        let k = key("judge-b")
        let error = #expect(throws: LeakError.self) {
            try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: k, secrets: Samples.secrets,
                                          options: PacketOptions(redact: false))
        }
        let label = k.label(for: "cand-1")!
        // The first leak is the path in the file list above the diff; the diff itself leaks too.
        #expect(error?.description == "packet for verifier judge-b: identity token \"claude\" found in Candidate \(label) header, line 5 (and \((error?.findings.count ?? 0) - 1) more)")
        #expect(error?.findings.contains { $0.section == "Candidate \(label) diff" && $0.term.text == "claude" } == true)
        #expect(error?.findings.contains { $0.section == "Candidate \(label) diff" && $0.term.text == "anthropic" } == true)
    }

    @Test func holdoutTextInThePacketIsALeak() {
        var spec = Samples.spec
        spec.body += "\nAlso run ./scripts/hidden-retry-checks.sh"
        let error = #expect(throws: LeakError.self) {
            try ReviewPacketBuilder.build(spec: spec, candidates: candidates, key: key(), secrets: Samples.secrets)
        }
        #expect(error?.description == "packet for verifier judge-a: holdout text \"./scripts/hidden-retry-checks.sh\" found in spec, line 8")
    }

    @Test func leakingBaseTreePathOrExtraInstructionsBlocks() {
        #expect(throws: LeakError.self) {
            try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: key(), secrets: Samples.secrets,
                                          options: PacketOptions(baseTreePath: "/repo/worktrees/\(Samples.runID)/base"))
        }
        let error = #expect(throws: LeakError.self) {
            try ReviewPacketBuilder.build(spec: Samples.spec, candidates: candidates, key: key(), secrets: Samples.secrets,
                                          options: PacketOptions(extraInstructions: "Prefer answers in the style of Gemini."))
        }
        #expect(error?.findings.first?.section == "verifier prompt")
    }

    @Test func tokensNamedBySpecAreExemptNotLeaks() throws {
        let spec = ReviewSpec(title: "Add a Gemini backend", body: "Support the Gemini API next to the existing ones.")
        let patch = Samples.cleanPatch + "diff --git a/G.swift b/G.swift\n--- a/G.swift\n+++ b/G.swift\n@@ -1 +1 @@\n-x\n+let gemini = GeminiClient()\n"
        let cands = Samples.candidates(patches: [Samples.cleanPatch, patch, Samples.cleanPatch])
        let packet = try ReviewPacketBuilder.build(spec: spec, candidates: cands, key: key(), secrets: Samples.secrets)
        #expect(packet.exemptTokens == ["gemini"])
        #expect(packet.body.contains("+let gemini = GeminiClient()"))
    }

    @Test func fenceIsLongerThanAnyBacktickRunInTheDiff() throws {
        let tricky = "diff --git a/R.md b/R.md\n--- a/R.md\n+++ b/R.md\n@@ -1 +1,3 @@\n-x\n+`````swift\n+code\n"
        let cands = Samples.candidates(patches: [tricky, Samples.cleanPatch, Samples.cleanPatch])
        let packet = try ReviewPacketBuilder.build(spec: Samples.spec, candidates: cands, key: key(), secrets: Samples.secrets)
        #expect(ReviewPacketBuilder.longestBacktickRun(tricky) == 5)
        #expect(packet.body.contains("``````diff\n" + tricky + "``````\n"))
    }

    @Test func emptyPatchAndMissingCandidate() throws {
        let cands = Samples.candidates(patches: ["", Samples.cleanPatch, Samples.cleanPatch])
        let packet = try ReviewPacketBuilder.build(spec: Samples.spec, candidates: cands, key: key(), secrets: Samples.secrets)
        #expect(packet.body.contains("This candidate changed nothing."))
        let error = #expect(throws: PacketInputError.self) {
            try ReviewPacketBuilder.build(spec: Samples.spec, candidates: Array(cands.dropLast()), key: key(), secrets: Samples.secrets)
        }
        #expect(error?.description == "blinding key for verifier judge-a names candidate cand-3, which was not supplied")
    }
}

@Suite struct DiffStatsTests {
    @Test func countsFromHunksNotFromDashes() {
        let patch = """
        diff --git a/a.sql b/a.sql
        index 1..2 100644
        --- a/a.sql
        +++ b/a.sql
        @@ -1,3 +1,3 @@
        --- a SQL comment removed
        +++ a weird added line
         keep
        -old
        +new
        diff --git a/gone.txt b/gone.txt
        deleted file mode 100644
        --- a/gone.txt
        +++ /dev/null
        @@ -1 +0,0 @@
        -bye
        \\ No newline at end of file
        diff --git a/img.png b/img.png
        Binary files a/img.png and b/img.png differ

        """
        let stats = DiffStats(patch: patch)
        #expect(stats.files.map(\.path) == ["a.sql", "gone.txt", "img.png"])
        #expect(stats.files.map(\.insertions) == [2, 0, 0])
        #expect(stats.files.map(\.deletions) == [2, 1, 0])
        #expect(stats.files[2].binary)
        #expect(stats.summary == "3 files changed, 2 insertions(+), 3 deletions(-)")
    }
}
