@testable import AgonCore
import AgonLeaderboard
import AgonReport
import AgonStore
import AgonTestSupport
@testable import AgonTournament
import Foundation
import Testing

/// Every text and JSON output a command prints, rendered by the presenter `agon` uses, compared
/// byte for byte with a file under `Golden/`. A deliberate change to an output: run the suite
/// with `AGON_UPDATE_GOLDEN=1`, then review the diff of `Tests/AgonReportTests/Golden/`.
@Suite("Golden outputs")
struct GoldenOutputTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Compares `actual` with `Golden/<name>` (or rewrites it when `AGON_UPDATE_GOLDEN` is set).
    static func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["AGON_UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from the golden file:\n\(actual)", sourceLocation: sourceLocation)
    }

    static let layout = ArtifactLayout(root: URL(fileURLWithPath: "/repo"))

    @Test func runSummaryAndRecord() throws {
        let output = RunPresenter.run(GoldenRuns.reviewed, layout: Self.layout)
        try Self.expectGolden(output.text, "show.txt")
        try Self.expectGolden(output.json, "show.json")
    }

    @Test func severalRunsOfOneCommand() throws {
        let output = RunPresenter.runs([GoldenRuns.reviewed, GoldenRuns.unreviewed], layout: Self.layout)
        try Self.expectGolden(output.text, "run-two-specs.txt")
        try Self.expectGolden(output.json, "run-two-specs.json")
        #expect(output.json.hasPrefix("{\n  \"runs\" : ["))
        #expect(output.json.contains("\"schema_version\" : 1"))
    }

    @Test func runList() throws {
        let runs = [
            RunSummary(runID: "20260102-090000-bbbb", specPath: "specs/slugify.md", specTitle: "Add a slugify command",
                       baseSHA: String(repeating: "b", count: 40), status: .interrupted, createdAt: GoldenRuns.created.addingTimeInterval(90_000),
                       finishedAt: nil, candidateCount: 4, winner: nil, costUSD: 1.0548, unpricedCount: 1),
            RunSummary(runID: "20260101-080000-aaaa", specPath: "specs/a-much-longer-spec-name-that-will-not-fit-the-column.md",
                       specTitle: "A title long enough to be cut by the table's forty-character spec column",
                       baseSHA: String(repeating: "a", count: 40), status: .done, createdAt: GoldenRuns.created,
                       finishedAt: GoldenRuns.created.addingTimeInterval(300), candidateCount: 4, winner: "neat", costUSD: 0.5448,
                       unpricedCount: 0),
        ]
        let output = RunPresenter.list(runs, layout: Self.layout)
        try Self.expectGolden(output.text, "list.txt")
        try Self.expectGolden(output.json, "list.json")
        #expect(RunPresenter.list([], layout: Self.layout).text == "no runs yet: `agon run SPEC` starts one\n")
    }

    @Test func shortlist() throws {
        let repo = try ScratchRepository()
        let workspace = try repo.workspace()
        let list = Shortlist.make(GoldenRuns.reviewed, k: 1, layout: workspace.layout, workspace: workspace)
        let output = ShortlistPresenter.output(list)
        // The scratch repository's path changes every run; the golden file names it <repo>.
        try Self.expectGolden(output.text.replacingOccurrences(of: repo.root, with: "<repo>"), "shortlist.txt")
        try Self.expectGolden(output.json.replacingOccurrences(of: repo.root, with: "<repo>"), "shortlist.json")
        let none = Shortlist.make(GoldenRuns.unreviewed, k: 3, layout: workspace.layout, workspace: workspace)
        #expect(ShortlistPresenter.text(none).hasPrefix("Shortlist for run 20260102-090000-bbbb (checks only (no reviews): cheapest first)"))
    }

    @Test func validatePlan() throws {
        let output = PlanPresenter.output([GoldenPlans.plan])
        try Self.expectGolden(output.text, "validate.txt")
        try Self.expectGolden(output.json, "validate.json")
    }

    @Test func models() throws {
        let report = PriceReport(source: "built-in (LiteLLM, mirrored 2026-07-24)", date: "2026-07-24", models: 2,
                                 rejected: [RejectedPrice(model: "absurd-model", reason: "input price over $1,000 per million tokens")],
                                 agents: GoldenPlans.plan.agents, verifiers: GoldenPlans.plan.verifiers,
                                 prices: [PriceReport.Row(model: "claude-sonnet-4-5", price: GoldenPlans.sonnetPrice),
                                          PriceReport.Row(model: "gpt-5-codex", price: GoldenPlans.gptPrice)])
        let output = ModelsPresenter.output(report)
        try Self.expectGolden(output.text, "models.txt")
        try Self.expectGolden(output.json, "models.json")
    }

    @Test func trial() throws {
        let candidate = GoldenRuns.reviewed.candidates[0]
        let result = AgentTrial.Result(trialID: "20260101-080000-tttt", spec: "specs/slugify.md", baseSHA: String(repeating: "a", count: 40),
                                       candidate: candidate, tokensPerSec: candidate.tokensPerSec,
                                       artifacts: ".agon/runs/20260101-080000-tttt", kept: true,
                                       worktree: ("/repo/worktrees/20260101-080000-tttt/neat", "agon/20260101-080000-tttt/neat"))
        let output = TrialPresenter.output(result)
        try Self.expectGolden(output.text, "try.txt")
        try Self.expectGolden(output.json, "try.json")
    }

    @Test func initApplyAndClean() throws {
        let created = InitPresenter.output(Initializer.Result(created: ["agon.yml", "specs/example.md"], excluded: ["/worktrees/", "/.agon/"]))
        try Self.expectGolden(created.text, "init.txt")
        try Self.expectGolden(created.json, "init.json")
        let applied = ApplyPresenter.output(CandidateApplier.Result(runID: "20260101-080000-aaaa", agent: "neat", files: 2, committed: true,
                                                                    commitSHA: "89abcdef0123456789abcdef0123456789abcdef", threeWay: true))
        try Self.expectGolden(applied.text, "apply.txt")
        try Self.expectGolden(applied.json, "apply.json")
        let cleaned = CleanPresenter.output(Cleaner.Result(
            runs: ["20260101-080000-aaaa"], worktreesRemoved: ["worktrees/20260101-080000-aaaa/neat"],
            worktreesPooled: ["worktrees/20260101-080000-aaaa/tidy"],
            branchesDeleted: ["agon/20260101-080000-aaaa/neat"], processesKilled: 2, purged: false, skipped: ["20260102-090000-bbbb"]))
        try Self.expectGolden(cleaned.text, "clean.txt")
        try Self.expectGolden(cleaned.json, "clean.json")
        #expect(!cleaned.json.contains("skipped"))
    }

    @Test func doctor() throws {
        let output = DoctorPresenter.output(GoldenDoctor.report)
        try Self.expectGolden(output.text, "doctor.txt")
        try Self.expectGolden(output.json, "doctor.json")
        // No agon.yml: nothing on stdout in text mode (the problem goes to stderr), an empty document in JSON.
        let empty = DoctorPresenter.output(DoctorReport(entries: [], machine: []))
        #expect(empty.text == "")
        #expect(empty.json == "{\n  \"entries\" : [\n\n  ],\n  \"machine\" : [\n\n  ],\n  \"schema_version\" : 1\n}\n")
    }

    @Test func leaderboardInEveryFormat() throws {
        let query = LeaderboardQuery(since: nil, specGlob: "specs/*", replicates: 20, seed: 3)
        let settings = LeaderboardSettings(replicates: 20, seed: 3, parallel: false)
        var runs = LeaderboardRecords.metricRuns()
        // Two swapped reviews (1 and 0.5): the verifier table shows their mean, 0.75.
        runs[0].reviews[0].swapConsistency = 1
        runs[1].reviews[0].swapConsistency = 0.5
        let result = LeaderboardComputation(settings: settings).compute(runs: runs, picks: [])
        let board = LeaderboardPresenter.render(result, query: query, generatedAt: GoldenRuns.created)
        try Self.expectGolden(board.text, "leaderboard.txt")
        try Self.expectGolden(board.json, "leaderboard.json")
        try Self.expectGolden(board.csv, "leaderboard.csv")
    }
}

/// Hand-made runs covering every line the run summary can print.
enum GoldenRuns {
    static let created = Date(timeIntervalSince1970: 1_767_254_400) // 2026-01-01T08:00:00Z

    static let reviewed: RunRecord = {
        let acceptance = CheckResult(kind: .acceptance, command: "sh test.sh", status: .passed, exitCode: 0, durationMs: 1200)
        let neat = CandidateRecord(
            agent: "neat", harness: .claude, model: "claude-sonnet-4-5", outcome: .ok, state: .finished, costUSD: 0.3125,
            costSource: .reported, budgetUSD: 0.5, tokens: TokenUsage(input: 12_000, cachedInput: 40_000, cacheWrite: 2_000, output: 3_500),
            turns: 14, firstAttemptMs: 9_500, durationMs: 83_000, tokensPerSec: 42.5,
            diff: DiffSummary(files: 2, insertions: 48, deletions: 3, patchPath: ".agon/runs/20260101-080000-aaaa/candidates/neat/patch.diff",
                              changedPaths: ["slugify.sh", "test.sh"]),
            checks: CheckSummary(acceptance: .passed, holdout: .passed, scope: .passed), checkResults: [acceptance],
            worktree: "worktrees/20260101-080000-aaaa/neat", branch: "agon/20260101-080000-aaaa/neat")
        var sprawl = neat
        sprawl.agent = "sprawl"
        sprawl.harness = .codex
        sprawl.model = "gpt-5-codex"
        sprawl.costUSD = 0.21
        sprawl.costSource = .computed
        sprawl.budgetUSD = 2
        sprawl.diff = DiffSummary(files: 7, insertions: 410, deletions: 120, patchPath: ".agon/runs/20260101-080000-aaaa/candidates/sprawl/patch.diff")
        sprawl.checks = CheckSummary(acceptance: .passed, holdout: .failed, scope: .failed)
        sprawl.scopeViolations = ["README.md", "lib/other.sh"]
        sprawl.worktree = "worktrees/20260101-080000-aaaa/sprawl"
        var wrong = neat
        wrong.agent = "wrong"
        wrong.harness = .gemini
        wrong.model = "gemini-2.5-flash"
        wrong.costUSD = 0.0123
        wrong.costSource = .computed
        wrong.checks = CheckSummary(acceptance: .failed, holdout: .skipped, scope: .passed)
        wrong.worktree = "worktrees/20260101-080000-aaaa/wrong"
        var spendy = neat
        spendy.agent = "spendy"
        spendy.harness = .opencode
        spendy.model = nil
        spendy.outcome = .costKilled
        spendy.costUSD = 0.52
        spendy.costKilledAt = 0.51
        spendy.costSource = .unpriced
        spendy.diff = DiffSummary()
        spendy.checks = CheckSummary()
        spendy.worktree = "worktrees/20260101-080000-aaaa/spendy"
        let judge = ReviewRecord(
            verifier: "judge-sound", harness: .claude, model: "deepseek-chat", status: .ok, seed: 7,
            displayOrder: ["sprawl", "neat"], labels: ["A": "sprawl", "B": "neat"], ranking: ["neat", "sprawl"],
            notes: ["neat": ReviewNote(summary: "Small, tested change.", recommendation: "apply"),
                    "sprawl": ReviewNote(summary: "Works but rewrites unrelated code.", risks: ["touches README.md"], recommendation: "revise")],
            costUSD: 0.004, costSource: .computed)
        let broken = ReviewRecord(verifier: "judge-first", harness: .gemini, model: "gemini-2.5-pro", status: .excluded,
                                  reason: "no valid verdict after 2 attempts", seed: 8, costUSD: 0.002, costSource: .computed)
        let consensus = ConsensusRecord(ranking: ["neat", "sprawl", "wrong", "spendy"], method: "kemeny", kendallW: 1,
                                        split: false, bordaRanking: ["sprawl", "neat", "wrong", "spendy"],
                                        perVerifierTau: ["judge-sound": 1], gated: ["wrong", "spendy"])
        return RunRecord(runID: "20260101-080000-aaaa", specPath: "specs/slugify.md", specTitle: "Add a slugify command",
                         specHash: "3f2a", baseRef: "main", baseSHA: "0123456789abcdef0123456789abcdef01234567", status: .done,
                         createdAt: created, finishedAt: created.addingTimeInterval(300), agentsPlanned: ["neat", "sprawl", "wrong", "spendy"],
                         verifiersPlanned: ["judge-sound", "judge-first"], dirtyAtStart: true,
                         candidates: [neat, sprawl, wrong, spendy], reviews: [judge, broken], consensus: consensus)
    }()

    static let unreviewed: RunRecord = {
        var run = reviewed
        run.runID = "20260102-090000-bbbb"
        run.createdAt = created.addingTimeInterval(90_000)
        run.finishedAt = nil
        run.status = .interrupted
        run.dirtyAtStart = false
        run.reviews = []
        run.consensus = nil
        run.candidates = run.candidates.map { candidate in
            var c = candidate
            c.worktree = c.worktree.replacingOccurrences(of: "20260101-080000-aaaa", with: "20260102-090000-bbbb")
            c.diff.patchPath = nil
            return c
        }
        return run
    }()
}

/// A hand-made doctor report: every check name and status `Doctor` produces, an agent with no
/// model, a located `command`, an HTTP verifier, and a machine-wide warning.
enum GoldenDoctor {
    static func check(_ name: String, _ status: DoctorCheck.Status, _ detail: String) -> DoctorCheck {
        DoctorCheck(name: name, status: status, detail: detail)
    }

    static let report = DoctorReport(
        entries: [
            DoctorEntry(id: "sonnet", role: "agent", harness: .claude, model: "claude-sonnet-4-5", binaryPath: "/usr/local/bin/claude",
                        version: "2.0.14 (Claude Code)",
                        checks: [check("cli", .ok, "/usr/local/bin/claude"),
                                 check("root", .error, "Claude Code refuses --dangerously-skip-permissions (and bypassPermissions) as root: "
                                       + "remove it from `args`, or set `env: { IS_SANDBOX: \"1\" }` only when Agon itself runs in a sandbox"),
                                 check("flags", .ok, "-p --output-format --verbose --model"),
                                 check("login", .ok, "ANTHROPIC_API_KEY"),
                                 check("price", .ok, "priced")]),
            DoctorEntry(id: "gpt", role: "agent", harness: .codex, model: "gpt-5-codex", binaryPath: nil, version: nil,
                        checks: [check("cli", .error, "CLI \"codex\" not found on PATH (install it or set `binary:` in agon.yml)"),
                                 check("login", .warning, "no API key or login found for codex: add `env: [OPENAI_API_KEY]` to the entry, or run `codex login`"),
                                 check("price", .ok, "priced")]),
            DoctorEntry(id: "old-gemini", role: "agent", harness: .gemini, model: nil, binaryPath: "/opt/gemini/bin/gemini", version: nil,
                        checks: [check("cli", .warning, "`gemini --version` failed or printed nothing"),
                                 check("flags", .error, "this gemini does not list --output-format in its --help "
                                       + "(Agon passes them; install a verified version, see README, or fix `args`)"),
                                 check("price", .warning, "model (none) has no price: its cost shows as unpriced and its budget "
                                       + "cannot be enforced (add `pricing:` to the entry or a `pricing.file`)")]),
            DoctorEntry(id: "local", role: "agent", harness: .command, model: nil, binaryPath: "/repo/my-agent", version: nil,
                        checks: [check("cli", .ok, "/repo/my-agent (a command is located, never run by doctor)")]),
            DoctorEntry(id: "judge", role: "verifier", harness: .openai, model: "qwen3-coder", binaryPath: nil, version: nil,
                        checks: [check("login", .ok, "OPENAI_API_KEY"),
                                 check("endpoint", .error, "base_url http://127.0.0.1:9/v1 is not reachable (connection refused): "
                                       + "start the server or fix the URL"),
                                 check("price", .warning, "model \"qwen3-coder\" has no price: its cost shows as unpriced and its budget "
                                       + "cannot be enforced (add `pricing:` to the entry or a `pricing.file`)")]),
        ],
        machine: [check("sandbox", .warning, "bubblewrap (bwrap) not found: agents run unsandboxed (Debian: apt-get install bubblewrap)")])
}

/// A resolved plan with a priced agent, an unpriced one, a missing CLI and an HTTP verifier.
enum GoldenPlans {
    static let sonnetPrice = ModelPrice(inputPerToken: 3e-6, outputPerToken: 15e-6, cacheReadPerToken: 0.3e-6,
                                        cacheWritePerToken: 3.75e-6, source: "built-in 2026-07-24")
    static let gptPrice = ModelPrice(inputPerToken: 1.25e-6, outputPerToken: 10e-6, cacheReadPerToken: 0.125e-6,
                                     source: "built-in 2026-07-24")

    static func agent(_ id: String, _ harness: Harness, model: String?, price: ModelPrice?, binaryPath: String?,
                      budget: BudgetSpec = .empty) -> PlannedAgent {
        PlannedAgent(id: id, harness: harness, model: model, binary: harness.defaultBinary, binaryPath: binaryPath, price: price,
                     budget: BudgetResolver.resolve(spec: budget, agent: .empty, defaults: .empty, price: price),
                     family: ModelFamily.infer(harness: harness, model: model))
    }

    static let plan = RunPlan(
        spec: "specs/slugify.md", title: "Add a slugify command", specHash: "3f2a", baseRef: "main",
        baseSHA: "0123456789abcdef0123456789abcdef01234567", dirty: true,
        agents: [agent("sonnet", .claude, model: "claude-sonnet-4-5", price: sonnetPrice, binaryPath: "/usr/local/bin/claude"),
                 agent("gpt", .codex, model: "gpt-5-codex", price: gptPrice, binaryPath: nil),
                 agent("local", .command, model: nil, price: nil, binaryPath: "/repo/my-agent")],
        verifiers: [agent("judge", .openai, model: "qwen3-coder", price: nil, binaryPath: nil)],
        warnings: ["local runs an unpriced model: its budget cannot be enforced from token counts"])
}

extension GoldenOutputTests {
    @Test func storeMigration() throws {
        let output = StorePresenter.migration(StoreMigrationResult(
            source: "/repo/.agon/agon.sqlite", target: "postgresql://agon:***@db.internal/agon", runsCopied: 41,
            runsAlreadyPresent: 1, candidatesCopied: 164, reviewsCopied: 123, picksCopied: 1))
        try Self.expectGolden(output.text, "store-migrate.txt")
        try Self.expectGolden(output.json, "store-migrate.json")
    }
}
