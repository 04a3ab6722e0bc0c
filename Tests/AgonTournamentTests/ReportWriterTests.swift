import AgonCore
import AgonStore
@testable import AgonReport
import AgonTestSupport
@testable import AgonTournament
import Foundation
import Testing

private typealias R = LeaderboardRecords

@Suite("HTML report writer")
struct ReportWriterTests {
    static let hostilePatch = """
        diff --git a/page.html b/page.html
        --- a/page.html
        +++ b/page.html
        @@ -1 +1 @@
        -<p>old</p>
        +<script>alert("pwned")</script><img src="https://evil.example/x.png">

        """

    /// A stored run whose patch and spec hold markup, plus its record.
    static func storedRun(in repo: ScratchRepository) throws -> RunRecord {
        let workspace = try repo.workspace()
        let layout = workspace.layout
        var run = R.run(0, candidates: [R.candidate("alpha"), R.candidate("beta", harness: .codex, outcome: .timeout, acceptance: .skipped)],
                        reviews: [R.review("judge", ranking: ["alpha"]), R.review("flaky", ranking: [], status: .excluded)],
                        consensus: ["alpha", "beta"], gated: ["beta"])
        run.reviews[0].notes = ["alpha": ReviewNote(summary: "Uses <b>innerHTML</b> & friends", risks: ["</pre> in output"],
                                                    recommendation: "accept")]
        let patch = layout.patch(run.runID, agent: "alpha")
        try AtomicFile.write(hostilePatch, to: patch)
        run.candidates[0].diff.patchPath = layout.relativePath(patch)
        try AtomicFile.write("---\ntitle: Fix <marquee>\n---\nMake the page safe & sound.\n", to: layout.spec(run.runID))
        try repo.save([run])
        return run
    }

    static func noNetworkReferences(_ html: String) -> Bool {
        let lowered = html.lowercased()
        return !lowered.contains("src=\"http") && !lowered.contains("href=\"http") && !lowered.contains("url(")
            && !lowered.contains("@import") && !lowered.contains("<script") && !lowered.contains("<link")
    }

    @Test func runReportEscapesDiffSpecAndNotes() throws {
        let repo = try ScratchRepository()
        let run = try Self.storedRun(in: repo)
        let path = try ReportWriter(workspace: repo.workspace()).write(runID: run.runID, leaderboard: false, output: nil)
        #expect(path == repo.root + "/.agon/reports/\(run.runID).html")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;") || html.contains("&lt;script&gt;alert("))
        #expect(Self.noNetworkReferences(html))
        #expect(html.contains("Make the page safe &amp; sound."))
        #expect(html.contains("&lt;marquee&gt;"))
        #expect(html.contains("Uses &lt;b&gt;innerHTML&lt;/b&gt; &amp; friends"))
        #expect(html.contains("&lt;/pre&gt; in output"))
        #expect(html.contains("excluded"))
        #expect(!html.contains("id=\"leaderboard\""))
    }

    @Test func leaderboardReportAndOutputOverride() throws {
        let repo = try ScratchRepository()
        try repo.save(R.separated(runs: 6))
        var writer = try ReportWriter(workspace: repo.workspace())
        writer.leaderboardQuery = LeaderboardQuery(since: nil, specGlob: nil, replicates: 50, seed: 2)
        let defaultPath = try writer.write(runID: nil, leaderboard: true, output: nil)
        #expect(defaultPath == repo.root + "/.agon/reports/leaderboard.html")
        let html = try String(contentsOfFile: defaultPath, encoding: .utf8)
        #expect(html.contains("id=\"leaderboard\""))
        #expect(html.contains("<svg"))
        #expect(html.contains("top"))
        #expect(Self.noNetworkReferences(html))

        let custom = repo.root + "/out/both.html"
        let written = try writer.write(runID: R.separated(runs: 1)[0].runID, leaderboard: true, output: custom)
        #expect(written == custom)
        let both = try String(contentsOfFile: custom, encoding: .utf8)
        #expect(both.contains("id=\"run\"") && both.contains("id=\"leaderboard\""))
        // Atomic write leaves no temporary files behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: repo.root + "/out").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func unknownRunAndNothingRequestedAreUsageErrors() throws {
        let repo = try ScratchRepository()
        let writer = try ReportWriter(workspace: repo.workspace())
        // A repository where Agon never ran: the run lookup fails before the writer's own checks.
        let unknown = #expect(throws: RunLookupError.self) { try writer.write(runID: "no-such-run", leaderboard: false, output: nil) }
        #expect(unknown?.exitCode == 2)
        #expect(throws: UsageError.self) { try writer.write(runID: nil, leaderboard: false, output: nil) }
    }

    @Test func hugePatchesAreCutWithANote() throws {
        let repo = try ScratchRepository()
        let workspace = try repo.workspace()
        let url = URL(fileURLWithPath: repo.root + "/big.diff")
        let line = "+" + String(repeating: "x", count: 99) + "\n"
        try AtomicFile.write(String(repeating: line, count: 50), to: url)
        var builder = RunReportBuilder(workspace: workspace)
        builder.maxPatchBytes = 1050
        let text = try #require(builder.readPatch(url))
        #expect(text.hasPrefix(line))
        #expect(text.contains("patch truncated: showing the first 1010 of 5050 bytes"))
        #expect(text.contains("big.diff"))
        builder.maxPatchBytes = 10_000
        #expect(builder.readPatch(url) == String(repeating: line, count: 50))
        #expect(builder.readPatch(URL(fileURLWithPath: repo.root + "/missing.diff")) == nil)
    }
}
