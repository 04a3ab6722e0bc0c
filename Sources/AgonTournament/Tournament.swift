import AgonAgents
import AgonCore
import AgonExecutors
import AgonGit
import AgonStore
import Foundation

/// How `agon run` behaves beyond what the spec and config say.
public struct TournamentOptions {
    public var agentFilter: [String]?
    public var parallel: Int?
    /// Review automatically when verifiers are configured.
    public var review: Bool
    /// Where progress goes; nil = nowhere (`agon` passes the terminal's live table).
    public var progress: ProgressSink?
    /// Seconds between SIGTERM and SIGKILL when stopping an agent.
    public var killGrace: TimeInterval
    /// Reuse an exact repeat's finished candidate instead of starting its agent (`--no-cache` turns it off).
    public var useCache: Bool
    /// `--executor`: overrides agon.yml's `executor.kind` (nil = the config's, local by default).
    public var executor: ExecutorKind?
    /// The agon binary cluster jobs run (`agon worker`); nil = this process's own executable.
    public var workerExecutable: String?

    public init(agentFilter: [String]? = nil, parallel: Int? = nil, review: Bool = true,
                progress: ProgressSink? = nil, killGrace: TimeInterval = 0.5, useCache: Bool = true) {
        self.useCache = useCache
        self.agentFilter = agentFilter
        self.parallel = parallel
        self.review = review
        self.progress = progress
        self.killGrace = killGrace
    }
}

/// The pipeline of docs/ARCHITECTURE.md: plan → worktrees → agents under budgets → snapshot and diff →
/// checks → store → review and consensus. Several specs are several runs.
public final class Tournament {
    public let workspace: Workspace
    public let options: TournamentOptions
    let stopSignal = StopSignal()
    private let watchLock = NSLock()
    private var watch: TamperWatch?
    /// Whether `runCandidate` records the running candidate itself (`agon worker` does it in its claim).
    var writesRunningCandidate = true

    /// The run's watch over the shared git dir, made on first use (only unsandboxed candidates use it).
    func tamperWatch() -> TamperWatch? {
        watchLock.lock(); defer { watchLock.unlock() }
        if watch == nil, let commonDir = try? workspace.repository().commonDir { watch = TamperWatch(commonDir: commonDir) }
        return watch
    }

    /// Every agent and verifier process of a run carries this environment entry (children inherit
    /// it), so `--resume` and `clean` can find what a killed `agon` left running.
    static let runVariable = "AGON_RUN_ID"
    static func runMarker(_ runID: String) -> String { "\(runVariable)=\(runID)" }

    /// The neutral identity of snapshot commits: nothing in them names an agent.
    static let snapshotAuthor = (name: "Agon", email: "agon@localhost")
    static let snapshotMessage = "agon snapshot"

    public init(workspace: Workspace, options: TournamentOptions = TournamentOptions()) {
        self.workspace = workspace
        self.options = options
        // Descendants that escape an agent's process group (setsid, double fork) are re-parented
        // to Agon rather than init, so the supervisor can still kill and reap them.
        _ = ChildSubreaper.enable()
    }

    /// Plans every spec first (all preflight errors before anything is created), then runs them in turn.
    public func run(specPaths: [String]) throws -> CommandResult<[RunRecord]> {
        let planner = Planner(workspace: workspace)
        let plans = try specPaths.map { try planner.plan(specPath: $0, agentFilter: options.agentFilter) }
        try checkExecutor()
        try preflight(plans.map(\.1))
        let interrupts = InterruptTrap(stopSignal: stopSignal)
        defer { interrupts.release() }
        var records: [RunRecord] = []
        for (spec, plan) in plans {
            if stopSignal.isStopped { break }
            records.append(try execute(spec: spec, plan: plan, resuming: nil))
        }
        return finish(records)
    }

    /// Finishes a run that was interrupted or whose `agon` was killed: finished candidates are kept,
    /// the others are redone from fresh worktrees.
    public func resume(runID reference: String) throws -> CommandResult<[RunRecord]> {
        let store = try workspace.store()
        let runID = try RunQueries.resolve(reference, in: store)
        guard let record = try store.run(runID) else { throw RunLookupError.notFound(reference: reference) }
        if record.status == .done { throw RunLookupError.alreadyFinished(runID: runID) }
        let specCopy = workspace.layout.spec(runID).path
        let spec = try Spec.load(path: specCopy, displayName: record.specPath)
        let planner = Planner(workspace: workspace)
        // The lineup is the run's own; the spec is the copy taken when the run started.
        var (_, plan) = try planner.plan(specPath: specCopy, agentFilter: record.agentsPlanned,
                                         verifierFilter: record.verifiersPlanned)
        plan.spec = record.specPath
        plan.baseSHA = record.baseSHA
        plan.baseRef = record.baseRef
        // The cascade is the run's own too (agon.yml's does not apply under an agent filter).
        plan.cascade = record.cascade.map { CascadeStrategy(tiers: $0.tiers) } ?? plan.cascade
        if RunLease.isHeld(workspace.layout, runID: runID) {
            throw RunLeaseError.held(runID: runID)
        }
        try checkExecutor()
        try preflight([plan])
        LeftoverProcesses.kill(environmentEntry: Self.runMarker(runID))
        let interrupts = InterruptTrap(stopSignal: stopSignal)
        defer { interrupts.release() }
        let finished = try execute(spec: spec, plan: plan, resuming: record)
        return finish([finished])
    }

    /// The finished runs; exit 0 when any candidate passed its checks, 1 when none, 130 when interrupted.
    private func finish(_ records: [RunRecord]) -> CommandResult<[RunRecord]> {
        if stopSignal.isStopped { return CommandResult(records, exitCode: 130) }
        let anyPassed = records.contains { $0.candidates.contains(where: \.passedGate) }
        return CommandResult(records, exitCode: anyPassed ? 0 : 1)
    }

    /// `agon doctor`'s checks for this lineup: problems that would fail stop the run before
    /// anything is created (exit 2, one line each); the others are counted in one line (the plan
    /// already warns about prices; logins Agon cannot see may still work).
    func preflight(_ plans: [RunPlan]) throws {
        var ids: [String] = []
        for plan in plans {
            for id in plan.agents.map(\.id) + (options.review ? plan.verifiers.map(\.id) : []) where !ids.contains(id) { ids.append(id) }
        }
        let report = Doctor(workspace: workspace).examine(ids: ids)
        let errors = report.problems.filter { $0.status == .error }.map(\.line)
        if !errors.isEmpty { throw UsageError("preflight: " + errors.joined(separator: "\nagon: preflight: ")) }
        let warnings = report.problems.count
        if warnings > 0 {
            options.progress?.note("note: agon doctor has \(warnings) warning\(warnings == 1 ? "" : "s") for this lineup (logins, prices, sandbox): run `agon doctor` to see them")
        }
    }

    // MARK: - One run

    func execute(spec: Spec, plan: RunPlan, resuming previous: RunRecord?) throws -> RunRecord {
        let store = try workspace.store()
        let layout = workspace.layout
        let runID = previous?.runID ?? RunID.generate().rawValue
        let runRoot = workspace.worktreeRoot + "/" + runID
        let progress = options.progress ?? SilentProgress()
        let parallel = max(1, options.parallel ?? workspace.config.defaults.parallel)

        let lease = try RunLease.acquire(layout, runID: runID)
        defer { lease.release() }
        try ignoreAgonPaths(aider: plan.agents.contains { $0.harness == .aider })
        watchLock.lock(); watch = nil; watchLock.unlock()   // this run's baseline, taken after ignoreAgonPaths

        var record: RunRecord
        if let previous {
            record = previous
            record.status = .running
            record.finishedAt = nil
            try store.saveRun(record)
        } else {
            try FileManager.default.createDirectory(at: layout.runDirectory(runID), withIntermediateDirectories: true)
            try AtomicFile.write(spec.raw, to: layout.spec(runID))
            let samplePrompt = plan.agents.first.map { AgentPrompt.render(spec: spec, budget: $0.budget) } ?? ""
            try AtomicFile.write(samplePrompt, to: layout.prompt(runID))
            let manifest = RunManifest.make(runID: runID, plan: plan, workspace: workspace, prompt: samplePrompt,
                                            parallel: parallel)
            try AtomicFile.write(try AgonJSON.encoder.encode(manifest), to: layout.manifest(runID))
            record = RunRecord(runID: runID, specPath: plan.spec, specTitle: plan.title, specHash: plan.specHash,
                               baseRef: plan.baseRef, baseSHA: plan.baseSHA, status: .running, createdAt: Date(),
                               agentsPlanned: plan.agents.map(\.id), verifiersPlanned: plan.verifiers.map(\.id),
                               manifestPath: layout.relativePath(layout.manifest(runID)), dirtyAtStart: plan.dirty)
            // A cascade is recorded from the start (so `--resume` keeps it) and records its later
            // tiers' candidates only when their tier starts.
            record.cascade = plan.cascade.map { CascadeRecord(tiers: $0.tiers) }
            record.candidates = Self.tiers(of: plan)[0].map { agent in
                CandidateRecord(agent: agent.id, harness: agent.harness, model: agent.model, state: .pending,
                                costSource: agent.price == nil ? .unpriced : .computed, budgetUSD: agent.budget.maxCostUSD,
                                worktree: workspace.relative(runRoot + "/" + agent.id),
                                branch: RunID(runID)!.branchName(agent: agent.id))
            }
            try store.createRun(record)
        }
        for warning in plan.warnings { progress.note("warning: \(warning)") }
        let sandboxMode = SandboxLayout.effective(workspace.config.defaults.sandbox)
        progress.note("run \(runID): \(plan.title) — \(plan.agents.count) agents, base \(plan.baseSHA.prefix(10)), sandbox \(sandboxMode.rawValue)"
                      + (plan.cascade.map { " — cascade of \($0.tiers.count) tiers" } ?? ""))

        let tiers = Self.tiers(of: plan)
        let board = ProgressBoard(agents: plan.cascade == nil ? plan.agents : tiers[0], sink: progress)
        for candidate in record.candidates where candidate.state == .finished { board.finished(candidate) }
        let base = ObjectID(hex: plan.baseSHA)!
        let worktrees = WorktreeSet(workspace: workspace, runID: runID, base: base)
        for (tierIndex, tierAgents) in tiers.enumerated() {
            if stopSignal.isStopped { break }
            if plan.cascade != nil && tierIndex > 0 {
                board.add(tierAgents)
                for candidate in record.candidates where candidate.state == .finished && candidate.tier == tierIndex + 1 {
                    board.finished(candidate)
                }
            }
            let todo = tierAgents.filter { agent in record.candidate(agent.id)?.state != .finished }
            let results = CandidateResults()
            if let executor = try candidateExecutor(try executorKind(), runID: runID) {
                // Cluster jobs: each worker makes its own worktree and records its candidate.
                for var candidate in try runAsJobs(todo, executor: executor, plan: plan, record: record, board: board,
                                                   progress: progress) {
                    if plan.cascade != nil {
                        candidate.tier = tierIndex + 1
                        do { try store.upsertCandidate(runID: runID, candidate) } catch {
                            progress.note("error: could not record \(candidate.agent): \(error)")
                        }
                    }
                    results.add(candidate)
                }
            } else {
                // Worktrees: fresh ones for every candidate still to run (a resumed run discards partial work).
                try worktrees.create(agents: todo.map(\.id))
                WorkerPool.run(todo, width: parallel) { [self] agent in
                    var candidate = self.runCandidate(agent, spec: spec, plan: plan, runID: runID, worktrees: worktrees, board: board)
                    if plan.cascade != nil { candidate.tier = tierIndex + 1 }
                    results.add(candidate)
                    do { try store.upsertCandidate(runID: runID, candidate) } catch {
                        progress.note("error: could not record \(agent.id): \(error)")
                    }
                }
            }
            for candidate in results.all {
                if let index = record.candidates.firstIndex(where: { $0.agent == candidate.agent }) {
                    record.candidates[index] = candidate
                } else {
                    record.candidates.append(candidate)
                }
            }
            if plan.cascade != nil && !stopSignal.isStopped {
                if try closeTier(tierIndex + 1, of: tiers, record: &record, spec: spec, plan: plan, progress: progress) { break }
            }
        }
        board.close()

        if stopSignal.isStopped {
            record.status = .interrupted
            record.finishedAt = Date()
            try store.saveRun(record)
            try? layout.writeRunSnapshot(record)
            progress.note("run \(runID) interrupted: `agon run --resume \(runID)` finishes it, `agon clean \(runID)` removes it")
            return record
        }

        if plan.cascade != nil {
            // Each tier was reviewed (or its consensus made) when it closed.
        } else if options.review && !plan.verifiers.isEmpty {
            record.status = .reviewing
            try store.saveRun(record)
            let reviewer = ReviewStage(workspace: workspace, stopSignal: stopSignal, progress: progress)
            reviewer.killGrace = options.killGrace
            record = try reviewer.reviewRun(record, spec: spec, verifiers: plan.verifiers)
        } else {
            // No review (none configured, or --no-review): the checks alone still make the run's
            // consensus — tiers, and a winner when exactly one candidate passed.
            try makeUnreviewedConsensus(&record)
        }
        record.status = stopSignal.isStopped ? .interrupted : .done
        record.finishedAt = Date()
        try store.saveRun(record)
        try? layout.writeRunSnapshot(record)
        if record.status == .done && !workspace.config.defaults.keepWorktrees {
            WorktreePool(workspace: workspace).retireFinishedRun(runID, progress: progress)
        }
        return record
    }

    /// Keeps the worktree root and `.agon/` out of `git status` (and out of commits) when they
    /// live inside the repository, as `agon init` does; harmless when already there.
    func ignoreAgonPaths(aider: Bool = false) throws {
        var wanted = ["/.agon/"]
        // aider keeps its repo-map cache in the worktree root (no option moves it): without this,
        // every aider candidate's snapshot would carry it.
        if aider { wanted.append("/.aider.tags.cache.v*/") }
        if workspace.worktreeRoot.hasPrefix(workspace.root + "/") { wanted.append("/\(workspace.relative(workspace.worktreeRoot))/") }
        try Initializer.exclude(wanted, in: try workspace.repository())
    }

    // MARK: - One candidate

    /// One attempt of one agent: its run under budget in its sandbox, the snapshot, the checks.
    /// `followUp` (from `agon followup`) changes only the prompt, where its artifacts go and
    /// whether the CLI resumes a session; everything else is the first attempt's path.
    func runCandidate(_ agent: PlannedAgent, spec: Spec, plan: RunPlan, runID: String, worktrees: WorktreeSet,
                      board: ProgressBoard, followUp: FollowUpLaunch? = nil) -> CandidateRecord {
        let layout = workspace.layout
        let worktree = worktrees.path(for: agent.id)
        let candidateDir = followUp?.artifactsDir ?? layout.candidateDirectory(runID, agent: agent.id)
        try? FileManager.default.createDirectory(at: candidateDir, withIntermediateDirectories: true)
        var candidate = CandidateRecord(agent: agent.id, harness: agent.harness, model: agent.model, state: .running,
                                        costSource: agent.price == nil ? .unpriced : .computed,
                                        budgetUSD: agent.budget.isTallyOnly ? nil : agent.budget.maxCostUSD,
                                        worktree: workspace.relative(worktree),
                                        branch: RunID(runID)!.branchName(agent: agent.id))
        if stopSignal.isStopped {
            candidate.outcome = .interrupted
            candidate.state = .pending
            return candidate
        }
        // A follow-up and a cluster worker record their candidate themselves.
        if followUp == nil && writesRunningCandidate { try? workspace.store().upsertCandidate(runID: runID, candidate) }

        let entry = workspace.config.agent(agent.id)!
        candidate.cacheKey = CacheKey.make(specHash: plan.specHash, baseSHA: plan.baseSHA, entry: entry, budget: agent.budget)
        // A follow-up continues this candidate's own work: never a cache lookup.
        if followUp == nil, options.useCache, let key = candidate.cacheKey, let source = cacheSource(key: key, plan: plan, runID: runID) {
            do {
                try materialize(source, into: &candidate, worktree: worktree)
                board.cached(agent.id)
                return finishCandidate(candidate, agent: agent, spec: spec, plan: plan, runID: runID, worktrees: worktrees,
                                       board: board, indexBefore: nil, watch: nil)
            } catch {
                // The worktree may hold part of the patch: start over from a fresh one and run the agent.
                board.note("cache: \(agent.id) could not reuse run \(source.run) (\(error)); running the agent")
                try? worktrees.create(agents: [agent.id])
            }
        }
        let prompt = followUp?.prompt ?? AgentPrompt.render(spec: spec, budget: agent.budget)
        var launch = AgentLaunch.make(entry: entry, planned: agent, prompt: prompt, worktree: worktree,
                                      artifactsDir: candidateDir.path, runID: runID, workspace: workspace,
                                      killGrace: options.killGrace)
        launch.resume = followUp?.resume
        let sandboxLayout: SandboxLayout?
        do {
            sandboxLayout = try SandboxLayout.make(workspace: workspace, mode: entry.sandbox ?? workspace.config.defaults.sandbox)
            launch.sandbox = try sandboxLayout?.agent(worktree: worktree, worktreeName: WorktreeSet.name(runID: runID, agent: agent.id),
                                                      branch: worktrees.branch(for: agent.id),
                                                      artifactsDir: candidateDir.path, network: entry.network)
        } catch {
            candidate.outcome = .agentError
            candidate.apiErrorMessage = "cannot prepare the sandbox: \(error)"
            candidate.state = .finished
            board.finished(candidate)
            return candidate
        }
        candidate.sandbox = launch.sandbox == nil ? SandboxMode.none.rawValue : SandboxMode.bwrap.rawValue
        board.expect(agent.id, ttft: entry.expectedTTFT, solution: entry.expectedTimeToSolution)
        board.started(agent.id)
        let executor = AgentExecutor(launch: launch) { progress in board.update(agent.id, progress) }
        let token = stopSignal.register { executor.cancel() }
        // Unsandboxed, the shared git dir is writable: watch it (a sandbox makes it read-only).
        let watch = launch.sandbox == nil ? tamperWatch() : nil
        watch?.begin(agent.id)
        let indexBefore = worktrees.indexStamp(agent.id)
        let result = executor.run()
        stopSignal.unregister(token)
        candidate.apply(result, layout: layout)
        candidate.firstOutputMs = result.firstOutputMs
        candidate.slow = SlowFlag.flags(ttft: entry.expectedTTFT, timeToSolution: entry.expectedTimeToSolution,
                                        firstOutputMs: result.firstOutputMs, durationMs: result.durationMs)
        // The watch covers the checks too: the agent's flags are collected after them.

        if sandboxLayout != nil {
            SandboxLayout.mergeObjects(from: candidateDir.path + "/sandbox", into: sandboxLayout!.commonDir)
            try? FileManager.default.removeItem(atPath: candidateDir.path + "/sandbox")
        }
        return finishCandidate(candidate, agent: agent, spec: spec, plan: plan, runID: runID, worktrees: worktrees,
                               board: board, indexBefore: indexBefore, watch: watch)
    }

    /// Snapshot, diff, checks and tamper verdict of a candidate whose worktree holds its work
    /// (left by its agent, or re-applied from a cache source).
    func finishCandidate(_ candidate: CandidateRecord, agent: PlannedAgent, spec: Spec, plan: RunPlan, runID: String,
                         worktrees: WorktreeSet, board: ProgressBoard, indexBefore: String?, watch: TamperWatch?) -> CandidateRecord {
        var candidate = candidate
        let layout = workspace.layout
        let worktree = worktrees.path(for: agent.id)

        // Snapshot: commit whatever the agent left (neutral author), diff against base.
        do {
            try worktrees.restoreGitLink(agent.id)
            let repository = try workspace.repository()
            let author = GitSignature(name: Self.snapshotAuthor.name, email: Self.snapshotAuthor.email)
            // An index the agent wrote is not trusted to say which files are unchanged.
            let indexTouched = worktrees.indexStamp(agent.id) != indexBefore
            let snapshot = try repository.commitAll(worktreePath: worktree, author: author, message: Self.snapshotMessage,
                                                    rehashingFrom: indexTouched ? ObjectID(hex: plan.baseSHA) : nil)
            let cap = workspace.config.defaults.maxPatchBytes
            let diff = try repository.diff(from: ObjectID(hex: plan.baseSHA)!, to: snapshot, maxBytes: cap)
            let patchURL = layout.patch(runID, agent: agent.id)
            candidate.snapshotSHA = snapshot.hex
            if let patch = diff.patch { try AtomicFile.write(patch.data, to: patchURL) }
            // The hash is the seal: review and apply check the file against it.
            candidate.diff = DiffSummary(files: diff.stats.files, insertions: diff.stats.insertions,
                                         deletions: diff.stats.deletions,
                                         patchPath: diff.patch == nil ? nil : layout.relativePath(patchURL),
                                         changedPaths: diff.stats.paths,
                                         patchSHA256: diff.patch.map { SHA256Digest.hex($0.data) },
                                         patchBytes: diff.bytes)
            if diff.patch == nil {
                if candidate.outcome == .ok { candidate.outcome = .oversize }
                candidate.apiErrorMessage = candidate.apiErrorMessage
                    ?? "patch of \(diff.bytes) bytes is over max_patch_bytes (\(cap)); not stored or reviewed"
            }
        } catch {
            candidate.outcome = candidate.outcome == .ok ? .agentError : candidate.outcome
            candidate.apiErrorMessage = candidate.apiErrorMessage ?? "snapshot failed: \(error)"
        }
        if candidate.outcome == .ok && candidate.diff.isEmpty { candidate.outcome = .noChanges }

        board.checking(agent.id)
        runChecks(&candidate, spec: spec, runID: runID, worktree: worktree, worktrees: worktrees)
        if let changed = watch?.end(agent.id), !changed.isEmpty {
            candidate.tampering = changed
            candidate.outcome = .tampered
            candidate.apiErrorMessage = "the shared git dir changed while it or its checks ran: "
                + changed.prefix(3).joined(separator: "; ") + (changed.count > 3 ? "; …" : "")
        }
        candidate.state = stopSignal.isStopped && candidate.outcome == .interrupted ? .pending : .finished
        board.finished(candidate)
        return candidate
    }

    func runChecks(_ candidate: inout CandidateRecord, spec: Spec, runID: String, worktree: String, worktrees: WorktreeSet) {
        let layout = workspace.layout
        // Scope needs only the diff, so it is reported for every candidate that left one.
        if !spec.paths.isEmpty && !candidate.diff.isEmpty {
            candidate.scopeViolations = spec.filesOutsideScope(candidate.diff.changedPaths)
            candidate.checks.scope = candidate.scopeViolations.isEmpty ? .passed : .failed
        }
        guard candidate.outcome == .ok, !stopSignal.isStopped else { return }
        let agent = candidate.agent
        let mode = workspace.config.agent(agent)?.sandbox ?? workspace.config.defaults.sandbox
        let checkDir = layout.candidateDirectory(runID, agent: agent).path + "/sandbox-check"
        defer { try? FileManager.default.removeItem(atPath: checkDir) }
        var runner = CheckRunner(timeout: workspace.config.defaults.checkTimeout.seconds,
                                 environment: checkEnvironment(worktree: worktree, runID: runID))
        do {
            runner.sandbox = try SandboxLayout.make(workspace: workspace, mode: mode)?
                .check(worktree: worktree, worktreeName: WorktreeSet.name(runID: runID, agent: agent),
                       branch: worktrees.branch(for: agent), privateDir: checkDir, holdout: false)
        } catch {
            candidate.checks.acceptance = .failed
            candidate.apiErrorMessage = candidate.apiErrorMessage ?? "cannot prepare the checks' sandbox: \(error)"
            return
        }
        let (acceptance, acceptanceResults) = runner.run(spec.acceptance, kind: .acceptance, in: worktree, logs: {
            layout.checkLog(runID, agent: agent, kind: .acceptance, index: $0)
        }, stopSignal: stopSignal)
        candidate.checks.acceptance = acceptance
        candidate.checkResults += acceptanceResults

        guard !spec.holdout.isEmpty, candidate.diff.patchPath != nil, !stopSignal.isStopped else { return }
        // Holdout: a fresh worktree of base + the candidate's patch, so nothing the agent left
        // outside its diff (and nothing the acceptance run produced) can influence it.
        do {
            let patch = try SealedPatch.read(candidate, runID: runID, baseSHA: worktrees.base.hex, workspace: workspace)
            let holdoutTree = try worktrees.createHoldout(for: agent, applying: patch)
            defer { worktrees.removeHoldout(for: agent) }
            var holdoutRunner = CheckRunner(timeout: runner.timeout, environment: checkEnvironment(worktree: holdoutTree, runID: runID))
            let holdoutName = worktrees.holdoutName(agent)
            holdoutRunner.sandbox = try SandboxLayout.make(workspace: workspace, mode: mode)?
                .check(worktree: holdoutTree, worktreeName: WorktreeSet.name(runID: runID, agent: holdoutName),
                       branch: worktrees.branch(for: holdoutName), privateDir: checkDir, holdout: true)
            let (holdout, results) = holdoutRunner.run(spec.holdout, kind: .holdout, in: holdoutTree, logs: {
                layout.checkLog(runID, agent: agent, kind: .holdout, index: $0)
            }, stopSignal: stopSignal)
            candidate.checks.holdout = holdout
            candidate.checkResults += results
        } catch {
            candidate.checks.holdout = .failed
            let log = layout.checkLog(runID, agent: agent, kind: .holdout, index: 0)
            try? AtomicFile.write("agon: could not build the holdout worktree: \(error)\n", to: log)
            candidate.checkResults.append(CheckResult(kind: .holdout, command: "(apply patch to a fresh worktree)",
                                                      status: .failed, durationMs: 0, outputPath: log.path))
        }
    }

    /// Checks see the basic environment plus where holdout scripts live (outside every worktree).
    func checkEnvironment(worktree: String, runID: String) -> [String: String] {
        var env = ChildEnvironment.build(parent: workspace.environment, passThrough: [], explicit: [:], agon: [:])
        // Checks run the candidate's code: tagged like agents, so `clean` and `--resume` find leftovers.
        env[Self.runVariable] = runID
        env["AGON_WORKTREE"] = worktree
        env["AGON_HOLDOUT_DIR"] = workspace.layout.holdoutDirectory.path
        env["AGON_REPO"] = workspace.root
        return env
    }
}

/// Candidates finished by the agent threads, collected under a lock.
final class CandidateResults: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [CandidateRecord] = []
    func add(_ candidate: CandidateRecord) { lock.lock(); items.append(candidate); lock.unlock() }
    var all: [CandidateRecord] { lock.lock(); defer { lock.unlock() }; return items }
}

/// `agon run --json` with several specs.
/// `agon run --json` with several specs: the finished runs.
public struct RunList: Codable {
    public var runs: [RunRecord]
    public init(runs: [RunRecord]) { self.runs = runs }
}

extension CandidateRecord {
    /// Copies an agent run's metrics onto the record.
    mutating func apply(_ result: AgentRunResult, layout: ArtifactLayout) {
        outcome = result.outcome
        costUSD = result.costUSD
        computedCostUSD = result.computedCostUSD
        reportedCostUSD = result.reportedCostUSD
        costSource = result.costSource
        costKilledAt = result.costKilledAt
        tokens = result.usage
        turns = result.turns
        firstAttemptMs = result.firstAttemptMs
        durationMs = result.durationMs
        tokensPerSec = result.tokensPerSec
        exitStatus = result.exitStatus?.description
        transcriptPath = layout.relativePath(URL(fileURLWithPath: result.transcriptPath))
        stderrPath = layout.relativePath(URL(fileURLWithPath: result.stderrPath))
        malformedLines = result.malformedLines
        apiErrorMessage = result.apiErrorMessage ?? result.errorMessage
        if model == nil { model = result.model }
        sessionID = result.sessionID
    }
}

extension AgentLaunch {
    /// Maps a config entry and its resolved plan onto one agent invocation.
    static func make(entry: AgentEntry, planned: PlannedAgent, prompt: String, worktree: String, artifactsDir: String,
                     runID: String, workspace: Workspace, killGrace: TimeInterval) -> AgentLaunch {
        var explicit: [String: String] = [:]
        var passThrough: [String] = []
        for setting in entry.env {
            switch setting {
            case let .set(name, value): explicit[name] = value
            case let .passThrough(name): passThrough.append(name)
            }
        }
        // Lets `agon run --resume` and `agon clean` find anything this run left running.
        explicit[Tournament.runVariable] = runID
        let cap = planned.budget.isTallyOnly ? nil : planned.budget.maxCostUSD
        var command = entry.command
        if entry.harness == .command, let first = command?.first, first.contains("/"), !first.hasPrefix("/") {
            // A relative program is the repository's own script: take it from the candidate's worktree.
            command![0] = worktree + "/" + first
        }
        return AgentLaunch(harness: entry.harness, binary: planned.binaryPath ?? entry.binary, model: entry.model,
                           extraArgs: entry.args, command: command, env: explicit, passThroughEnv: passThrough,
                           price: planned.price, maxCostUSD: cap, hardTimeout: planned.budget.hardTimeout,
                           silenceTimeout: planned.budget.silenceTimeout, killGrace: killGrace, prompt: prompt,
                           worktree: worktree, artifactsDir: artifactsDir, parentEnvironment: workspace.environment)
    }
}
