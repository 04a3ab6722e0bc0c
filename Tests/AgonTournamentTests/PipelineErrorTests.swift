import AgonCore
import AgonStore
import Foundation
import Testing
@testable import AgonTournament

/// The pipeline's typed failures: each renders as `headline; hint` with its documented exit code,
/// and the texts are the ones users (and the end-to-end tests' stderr checks) already see.
@Suite struct PipelineErrorTests {
    @Test(arguments: [
        (RunLookupError.noRunsYet(root: "/repo") as any HintedFailure, "no runs recorded in /repo yet; `agon run SPEC` starts one", Int32(2)),
        (RunLookupError.unresolved(.runNotFound("zz")), "no run \"zz\" (see `agon list`)", 2),
        (RunLookupError.notFound(reference: "zz"), "no run zz", 2),
        (RunLookupError.alreadyFinished(runID: "r1"), "run r1 already finished; nothing to resume", 2),
        (RunLookupError.unfinishedCandidates(runID: "r1", agents: ["a", "b"]),
         "run r1 has unfinished candidates (a, b); `agon run --resume r1` finishes it first", 2),
        (RunLookupError.noSpecCopy(runID: "r1", path: ".agon/runs/r1/spec.md"), "run r1 has no spec copy at .agon/runs/r1/spec.md", 2),
        (RunLookupError.noCandidate(runID: "r1", agent: "ghost", candidates: ["a", "b"]), "run r1 has no candidate \"ghost\" (it has: a, b)", 2),
        (RunLeaseError.held(runID: "r1"), "run r1 is still being run by another agon process; wait for it or stop it first", 2),
        (RunLeaseError.unopenable(runID: "r1", reason: "Permission denied"), "cannot open the lease of run r1: Permission denied", 1),
        (WorktreeSetupError.notCreated(problems: ["a: exists", "b: locked"]), "could not create worktrees: a: exists; b: locked", 1),
        (SealedPatchError.missing(agent: "a", runID: "r1"), "candidate a of run r1 has no stored patch", 1),
        (SealedPatchError.unreadable(agent: "a", path: "p.diff"), "cannot read a's patch p.diff", 1),
        (SealedPatchError.changedAfterRecording(path: "p.diff", actualSHA256: String(repeating: "1", count: 64),
                                                recordedSHA256: String(repeating: "2", count: 64)),
         "p.diff was changed after it was recorded (sha256 111111111111, recorded 222222222222): refusing to use it; "
            + "`agon run --resume` cannot repair a sealed record: rerun the spec, or inspect the file by hand", 1),
        (SealedPatchError.differsFromSnapshot(path: "p.diff", snapshotSHA: String(repeating: "c", count: 40)),
         "p.diff differs from the diff of its snapshot commit cccccccccc: refusing to use it; "
            + "`agon run --resume` cannot repair a sealed record: rerun the spec, or inspect the file by hand", 1),
        (ApplyError.nothingToApply(agent: "a", runID: "r1"), "candidate a of run r1 left no changes to apply", 2),
        (ApplyError.uncommittedChanges(paths: ["x", "y", "z", "w"]), "the work tree has uncommitted changes (x, y, z, …); commit or stash them first", 2),
        (ApplyError.uncommittedChanges(paths: ["x"]), "the work tree has uncommitted changes (x); commit or stash them first", 2),
        (ApplyError.headMoved(head: String(repeating: "d", count: 40), base: String(repeating: "e", count: 40)),
         "HEAD (ddddddd) has moved from the run's base (eeeeeee); pass --onto-current to try a 3-way apply", 2),
        (ApplyError.untrackedInTheWay(paths: ["x", "y"]), "untracked files are in the way of the patch (x, y); move them away first", 2),
        (ApplyError.doesNotApply(agent: "a", reason: "corrupt patch"), "the patch of a does not apply cleanly: corrupt patch", 1),
        (ApplyError.threeWayFailed(output: "error: patch failed"), "error: patch failed", 1),
        (ApplyError.addFailed(output: "fatal: x"), "git add failed: fatal: x", 1),
        (ApplyError.commitFailed(output: "hook refused"), "the patch is applied but git commit failed: hook refused", 1),
        (WorkspaceError.noConfigFile(path: "x.yml"), "no such config file: x.yml", 2),
        (WorkspaceError.notARepository(path: "/tmp/x"), "not a git repository: /tmp/x", 2),
        (WorkspaceError.bareRepository(gitDir: "/srv/r.git"), "/srv/r.git is a bare repository; Agon needs a work tree", 2),
        (WorkspaceError.noCommits(root: "/repo"), "the repository at /repo has no commits yet; make a first commit for the agents to start from", 2),
        (WorkspaceError.unreadableSpec(path: "specs/x.md"), "cannot read spec specs/x.md: no such file or not readable", 2),
        (WorkspaceError.unknownBase(spec: "specs/x.md", ref: "nope", root: "/repo"), "specs/x.md: base \"nope\" does not name a commit in /repo", 2),
        (WorkspaceError.wouldOverwrite(paths: ["agon.yml"]), "refusing to overwrite agon.yml; move it away first", 2),
        (WorkspaceError.wouldOverwrite(paths: ["agon.yml", "specs/example.md"]),
         "refusing to overwrite agon.yml and specs/example.md; move them away first", 2),
        (VerifierSettingsError.noBaseURL(verifier: "j"), "verifier j: harness openai needs `base_url` (e.g. http://localhost:8080/v1)", 1),
        (VerifierSettingsError.noModel(verifier: "j"), "verifier j: harness openai needs `model`", 1),
        (VerifierSettingsError.keyNotSet(verifier: "j", variable: "KEY"), "verifier j: api_key_env names KEY, which is not set", 1),
        (LineupError.noConfig(root: "/repo"), "no agon.yml in /repo; run `agon init` or pass --config", 2),
        (LineupError.noAgentsConfigured(config: "agon.yml"), "agon.yml lists no agents", 2),
        (LineupError.noAgentsSelected(spec: "specs/a.md"), "specs/a.md: no agents selected", 2),
        (LineupError.noVerifiers(config: "agon.yml"), "no verifiers; add `verifiers:` to agon.yml or pass --verifiers", 2),
        (LineupError.namedTwice(role: .verifier, id: "v"), "verifier \"v\" is named twice", 2),
        (LineupError.unknown(role: .agent, id: "gtp", configured: ["gpt", "sonnet"], listedIn: "specs/a.md: agents"),
         "specs/a.md: agents: unknown agent \"gtp\" (agon.yml has: gpt, sonnet)", 2),
        (LineupError.unknown(role: .verifier, id: "v", configured: [], listedIn: nil), "unknown verifier \"v\" (agon.yml has: none)", 2),
        (LineupError.liftsReadOnly(verifier: "judge", flag: "--yolo", harness: .gemini),
         "verifier \"judge\": args contain --yolo, which lifts gemini's read-only mode; verifiers read untrusted diffs, so remove it from agon.yml", 2),
        (LineupError.cliNotFound(role: .agent, id: "a", executable: "codex"), "agent \"a\": CLI \"codex\" not found on PATH (set `binary:` in agon.yml)", 2),
        (LineupError.cliNotFound(role: .verifier, id: "v", executable: "/opt/x"), "verifier \"v\": CLI \"/opt/x\" not found (set `binary:` in agon.yml)", 2),
    ])
    func rendersAsOneLine(failure: any HintedFailure, line: String, exitCode: Int32) {
        #expect(failure.message == line)
        #expect(String(describing: failure) == line)
        #expect(failure.exitCode == exitCode)
        #expect(!line.contains("\n"))
    }

    @Test func agonPrintsTheHeadlineAndHintOnce() throws {
        let fixture = try TournamentFixture()
        let show = try fixture.agon("show", "latest")
        #expect(show.status == 2)
        #expect(show.stdout.isEmpty)
        let root = try fixture.workspace().root
        #expect(show.stderr == "agon: no runs recorded in \(root) yet; `agon run SPEC` starts one\n")
        // `agon run` and `agon doctor` say the same thing when agon.yml is missing.
        let bare = try TournamentFixture(config: nil)
        let run = try bare.agon("run", "specs/slugify.md")
        let doctor = try bare.agon("doctor")
        #expect(run.status == 2 && doctor.status == 2)
        #expect(run.stderr == "agon: no agon.yml in \(bare.repo); run `agon init` or pass --config\n")
        #expect(doctor.stderr == run.stderr)
    }
}
