import AgonCore
import AgonStore
import Foundation
import Testing
import AgonReport
@testable import AgonTournament

/// End-to-end runs with the agent doubles on real temporary repositories.
@Suite(.serialized) struct TournamentRunTests {
    func runSlugify(_ fixture: TournamentFixture, parallel: Int = 4) throws -> RunRecord {
        let tournament = Tournament(workspace: try fixture.workspace(),
                                    options: TournamentOptions(parallel: parallel, progress: SilentProgress()))
        let outcome = try tournament.run(specPaths: [fixture.repo + "/specs/slugify.md"])
        #expect(outcome.exitCode == 0)
        return try #require(outcome.value.first)
    }

    @Test func fourAgentsEndAsExpected() throws {
        let fixture = try TournamentFixture()
        let record = try runSlugify(fixture)
        #expect(record.status == .done)
        let byAgent = Dictionary(uniqueKeysWithValues: record.candidates.map { ($0.agent, $0) })

        let neat = try #require(byAgent["neat"])
        #expect(neat.outcome == .ok)
        #expect(neat.checks == CheckSummary(acceptance: .passed, holdout: .passed, scope: .passed))
        #expect(neat.diff.changedPaths.sorted() == ["lib/textkit.sh", "tests/test_slugify.sh"])
        // 3 turns of 12,000 in / 1,500 out at $3 / $15 per MTok, as the CLI reported it.
        #expect(abs((neat.costUSD ?? 0) - 3 * (12_000 * 3e-6 + 1_500 * 15e-6)) < 1e-9)
        #expect(neat.costSource == .reported)
        #expect(neat.turns == 3)
        #expect(neat.firstAttemptMs != nil)

        let sprawl = try #require(byAgent["sprawl"])
        #expect(sprawl.outcome == .ok)
        #expect(sprawl.checks.acceptance == .passed)
        #expect(sprawl.checks.scope == .failed)
        #expect(sprawl.scopeViolations.sorted() == ["README.md", "docs/OVERVIEW.md", "notes/slugify-notes.md"])
        // Codex reports no cost: priced from tokens (gpt-5-codex at $1.25 / $10 per MTok).
        #expect(sprawl.costSource == .computed)
        #expect(abs((sprawl.costUSD ?? 0) - 4 * (20_000 * 1.25e-6 + 3_000 * 1e-5)) < 1e-9)

        let wrong = try #require(byAgent["wrong"])
        #expect(wrong.outcome == .ok)
        #expect(wrong.checks.acceptance == .failed)
        #expect(wrong.checkResults.contains { $0.kind == .acceptance && $0.status == .failed && $0.exitCode == 1 })

        let spendy = try #require(byAgent["spendy"])
        #expect(spendy.outcome == .costKilled)
        let killedAt = try #require(spendy.costKilledAt)
        // Each turn costs 10,000 × $15 + 1,000 × $75 per MTok = $0.225: the cap of $0.40 is
        // crossed on the second turn, and the overshoot is at most that one turn.
        #expect(killedAt > 0.40 && killedAt <= 0.40 + 0.225 + 1e-9)
        #expect((spendy.costUSD ?? 0) >= killedAt)
        #expect(spendy.checks.acceptance == .skipped)
        #expect(spendy.budgetUSD == 0.40)

        // Every stored patch applies to a clean checkout of the base.
        for candidate in record.candidates {
            let patch = fixture.repo + "/" + (candidate.diff.patchPath ?? "")
            _ = try fixture.git("apply", "--check", patch)
        }
        // git agrees with what Agon made.
        let porcelain = try fixture.git("worktree", "list", "--porcelain")
        for candidate in record.candidates {
            #expect(porcelain.contains("worktree \(fixture.repo)/\(candidate.worktree)\n"))
            #expect(porcelain.contains("branch refs/heads/\(candidate.branch)\n"))
        }
        _ = try fixture.git("fsck", "--no-progress")
        // Snapshot commits carry no agent identity.
        let log = try fixture.git("log", "--format=%an <%ae> %s", "agon/\(record.runID)/neat", "-1")
        #expect(log == "Agon <agon@localhost> agon snapshot\n")
        // The run is in the store and its artifacts exist.
        let stored = try #require(try fixture.workspace().store().run(record.runID))
        #expect(stored.candidates.count == 4)
        let runDir = fixture.repo + "/.agon/runs/" + record.runID
        for file in ["manifest.json", "spec.md", "prompt.md", "run.json", "candidates/neat/patch.diff",
                     "candidates/neat/transcript.jsonl", "candidates/neat/checks/acceptance-1.log"] {
            #expect(FileManager.default.fileExists(atPath: runDir + "/" + file), "missing \(file)")
        }
    }

    @Test func holdoutIsNeverReachableFromAgentWorktrees() throws {
        let fixture = try TournamentFixture()
        let record = try runSlugify(fixture)
        let holdoutText = try String(contentsOfFile: fixture.repo + "/.agon/holdout/slugify-edge.sh", encoding: .utf8)
        let marker = "already-slugged"
        #expect(holdoutText.contains(marker))
        for candidate in record.candidates {
            let worktree = fixture.repo + "/" + candidate.worktree
            #expect(!FileManager.default.fileExists(atPath: worktree + "/.agon"))
            let enumerator = FileManager.default.enumerator(atPath: worktree)!
            for case let file as String in enumerator where !file.hasPrefix(".git") {
                let content = (try? String(contentsOfFile: worktree + "/" + file, encoding: .utf8)) ?? ""
                #expect(!content.contains(marker), "holdout content reachable in \(candidate.agent)/\(file)")
            }
            let prompt = try String(contentsOfFile: fixture.repo + "/.agon/runs/\(record.runID)/candidates/\(candidate.agent)/prompt.md", encoding: .utf8)
            #expect(!prompt.contains("slugify-edge") && !prompt.contains("AGON_HOLDOUT_DIR"))
        }
        // …yet the holdout did run, in its own worktree that is gone again.
        #expect(record.candidate("neat")?.checks.holdout == .passed)
        let worktrees = try fixture.git("worktree", "list")
        #expect(!worktrees.contains("holdout"))
    }

    @Test func jsonCarriesTheDocumentedKeys() throws {
        let fixture = try TournamentFixture()
        let tournament = Tournament(workspace: try fixture.workspace(), options: TournamentOptions(progress: SilentProgress()))
        let outcome = try tournament.run(specPaths: [fixture.repo + "/specs/slugify.md"])
        let json = RunPresenter.runs(outcome.value, layout: try fixture.workspace().layout).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        for key in ["schema_version", "run_id", "spec", "base_sha", "status", "candidates"] {
            #expect(object[key] != nil, "run lacks \(key)")
        }
        let candidate = try #require((object["candidates"] as? [[String: Any]])?.first)
        for key in ["agent", "harness", "model", "outcome", "cost_usd", "cost_source", "cost_killed_at", "budget_usd",
                    "tokens", "turns", "first_attempt_ms", "duration_ms", "diff", "checks", "worktree", "branch"] {
            #expect(candidate.keys.contains(key), "candidate lacks \(key)")
        }
        let tokens = try #require(candidate["tokens"] as? [String: Any])
        #expect(Set(tokens.keys) == ["input", "cached_input", "cache_write", "output", "reasoning"])
        let diff = try #require(candidate["diff"] as? [String: Any])
        #expect(Set(["files", "insertions", "deletions", "patch_path"]).isSubset(of: diff.keys))
        let checks = try #require(candidate["checks"] as? [String: Any])
        #expect(Set(checks.keys) == ["acceptance", "holdout", "scope"])
    }

    @Test func dirtyTreeIsAllowedAndSaid() throws {
        let fixture = try TournamentFixture()
        try fixture.write("lib/textkit.sh", "# local edit, not committed\n")
        let result = try fixture.agon("run", "specs/slugify.md", "--agents", "neat", "--json")
        #expect(result.status == 0)
        #expect(result.stderr.contains("uncommitted changes"))
        let record = try AgonJSON.decoder.decode(RunRecord.self, from: Data(result.stdout.utf8))
        #expect(record.dirtyAtStart)
        // The candidate started from the commit, not from the dirty file.
        let patch = try String(contentsOfFile: fixture.repo + "/" + record.candidates[0].diff.patchPath!, encoding: .utf8)
        #expect(!patch.contains("local edit"))
    }

    @Test func concurrentRunsOnOneRepositoryBothFinish() throws {
        let fixture = try TournamentFixture()
        let first = try fixture.startAgon(["run", "specs/slugify.md", "--agents", "neat,wrong"])
        let second = try fixture.startAgon(["run", "specs/wordcount.md", "--agents", "neat,sprawl"])
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.terminationStatus == 0)
        let store = try fixture.workspace().store()
        let runs = try store.listRuns()
        #expect(runs.count == 2)
        for summary in runs {
            let run = try #require(try store.run(summary.runID))
            #expect(run.status == .done)
            #expect(run.candidates.count == 2)
            #expect(run.candidates.allSatisfy { $0.state == .finished })
        }
    }

    @Test func tryRunsOneAgentInAScratchWorktree() throws {
        let fixture = try TournamentFixture()
        let result = try fixture.agon("try", "neat", "specs/slugify.md", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let candidate = try #require(object["candidate"] as? [String: Any])
        #expect(candidate["outcome"] as? String == "ok")
        #expect((candidate["diff"] as? [String: Any])?["files"] as? Int == 2)
        // Nothing is left behind but the worktree, parked in the pool: no branch, no recorded run.
        let listed = try fixture.git("worktree", "list", "--porcelain").split(separator: "\n").filter { $0.hasPrefix("worktree ") }
        #expect(listed.count == 2 && listed[1].contains("/worktrees/_pool/"), "\(listed)")
        #expect(try fixture.git("branch", "--list", "agon/*").isEmpty)
        #expect(try fixture.workspace().store().listRuns().isEmpty)
        // A second trial reuses it; `clean --pool` deletes it.
        #expect(try fixture.agon("try", "neat", "specs/slugify.md").status == 0)
        #expect(try fixture.agon("clean", "--pool").status == 0)
        #expect(try fixture.git("worktree", "list").split(separator: "\n").count == 1)
    }
}
