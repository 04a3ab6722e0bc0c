import AgonCore
import AgonReview
import AgonStore
import Foundation

/// Blinded review of a run's candidates by its verifiers, then consensus.
///
/// Only candidates that passed (`CandidateRecord.passedGate`: ran to the end, left a diff, acceptance not
/// failed, not gated by the pre-review screen) are sent to verifiers; gated ones rank below them
/// in the consensus. The screen (`screen(_:spec:)`) runs first, on every candidate that passed its
/// checks: leaks and (under `on_injection: gate`) injections gate that candidate alone. With fewer than
/// two passing candidates no verifier is called (there is nothing to compare) and the consensus
/// method says so: `unreviewed: only one candidate passed its checks` or `… (all gated)`.
/// Verifiers run in parallel (at most `defaults.parallel` at once), each under its own budget;
/// their costs are recorded in the reviews, apart from the agents'.
public final class ReviewStage {
    public let workspace: Workspace
    let stopSignal: StopSignal
    let progress: ProgressSink
    /// Seconds between SIGTERM and SIGKILL when stopping a verifier CLI.
    var killGrace: TimeInterval = 0.5

    init(workspace: Workspace, stopSignal: StopSignal, progress: ProgressSink) {
        self.workspace = workspace
        self.stopSignal = stopSignal
        self.progress = progress
    }

    public convenience init(workspace: Workspace, progress: ProgressSink = SilentProgress()) {
        self.init(workspace: workspace, stopSignal: StopSignal(), progress: progress)
    }

    /// Reviews `record`'s passing candidates with `verifiers` (replacing earlier reviews by the
    /// same verifiers), recomputes the consensus over every usable review of the run, and stores
    /// reviews, consensus and `consensus.json`. Returns the updated record (not yet saved whole).
    func reviewRun(_ record: RunRecord, spec: Spec, verifiers: [PlannedAgent]) throws -> RunRecord {
        var record = try screen(record, spec: spec)
        let store = try workspace.store()
        let passing = record.candidates.filter(\.passedGate).count
        if passing >= 2 && !verifiers.isEmpty {
            let context = try ReviewContext.make(record: record, spec: spec, workspace: workspace)
            progress.note("review: \(passing) candidates, verifiers \(verifiers.map(\.id).joined(separator: ", "))")
            for review in runVerifiers(verifiers, context: context, store: store) {
                record.reviews.removeAll { $0.verifier == review.verifier }
                record.reviews.append(review)
                let cost = review.costUSD.map { String(format: "$%.4f", $0) } ?? "unpriced"
                progress.note("review \(review.verifier): \(review.status.rawValue) (\(cost))"
                              + (review.reason.map { " — \($0)" } ?? ""))
            }
        } else if !verifiers.isEmpty {
            progress.note(passing == 1 ? "review skipped: only one candidate passed its checks"
                                       : "review skipped: no candidate passed its checks")
        }
        let config = workspace.config
        let consensus = try ReviewConsensus.make(candidates: record.candidates, reviews: record.reviews) {
            config.verifier($0)?.weight ?? 1
        }
        record.consensus = consensus
        try store.saveConsensus(runID: record.runID, consensus)
        try workspace.layout.writeConsensus(consensus, runID: record.runID)
        return record
    }

    /// The pre-review screen (`CandidateScreen`): every candidate that passed its checks is scanned
    /// for reviewer-directed text and for leaks; findings replace any earlier ones on the record.
    /// A leaker (and, under `on_injection: gate`, an injector) is gated alone, so the rest of the
    /// panel's review goes on.
    func screen(_ record: RunRecord, spec: Spec) throws -> RunRecord {
        var record = record
        for index in record.candidates.indices { record.candidates[index].findings = [] }
        // A patch that cannot be read, or fails its seal, stops the review here: nothing about the
        // candidates may be judged from a record that changed after it was made.
        let context = try ReviewContext.make(record: record, spec: spec, workspace: workspace)
        for candidate in context.candidates {
            guard let index = record.candidates.firstIndex(where: { $0.agent == candidate.candidateID }) else { continue }
            let findings = CandidateScreen.screen(candidate, among: context.candidates, spec: context.spec,
                                                  secrets: context.secrets, injectionPolicy: workspace.config.defaults.onInjection)
            record.candidates[index].findings = findings
            if !findings.isEmpty {
                let kinds = Set(findings.map(\.kind.rawValue)).sorted().joined(separator: ", ")
                progress.note("screen \(candidate.candidateID): \(findings.count) finding\(findings.count == 1 ? "" : "s") (\(kinds))"
                              + (findings.contains(where: \.gates) ? "; gated, the others are still reviewed" : "; flagged for the verifiers"))
            }
        }
        let store = try workspace.store()
        for candidate in record.candidates { try store.upsertCandidate(runID: record.runID, candidate) }
        return record
    }

    /// `agon review RUN [--verifiers a,b]`: adds or redoes the named verifiers' reviews (default:
    /// the spec's or config's verifiers) on a finished run and recomputes its consensus.
    /// Exit 0 when a verdict was usable (or a single passing candidate needs none), 1 otherwise.
    public func review(runID reference: String, verifierFilter: [String]?) throws -> CommandResult<RunRecord> {
        let store = try workspace.store()
        let runID = try RunQueries.resolve(reference, in: store)
        guard var record = try store.run(runID) else { throw RunLookupError.notFound(reference: reference) }
        let unfinished = record.candidates.filter { $0.state != .finished }.map(\.agent)
        if !unfinished.isEmpty {
            throw RunLookupError.unfinishedCandidates(runID: runID, agents: unfinished)
        }
        let specURL = workspace.layout.spec(runID)
        guard FileManager.default.fileExists(atPath: specURL.path) else {
            throw RunLookupError.noSpecCopy(runID: runID, path: workspace.layout.relativePath(specURL))
        }
        let spec = try Spec.load(path: specURL.path, displayName: record.specPath)
        let verifiers = try resolveVerifiers(verifierFilter ?? spec.verifiers ?? workspace.config.defaultVerifierIDs)

        let interrupts = InterruptTrap(stopSignal: stopSignal)
        defer { interrupts.release() }
        let previousStatus = record.status
        record = try store.updateRun(runID, status: .reviewing)
        record = try reviewRun(record, spec: spec, verifiers: verifiers)
        if !stopSignal.isStopped { record.reviewStale = false }   // reviewed the latest patches (after `agon followup`)
        record.status = stopSignal.isStopped ? .interrupted : previousStatus
        try store.saveRun(record)
        try? workspace.layout.writeRunSnapshot(record)

        let named = Set(verifiers.map(\.id))
        let passing = record.candidates.filter(\.passedGate).count
        let usable = record.reviews.contains { named.contains($0.verifier) && $0.status == .ok }
        let exitCode: Int32 = stopSignal.isStopped ? 130 : (usable || passing == 1 ? 0 : 1)
        return CommandResult(record, exitCode: exitCode)
    }

    /// Looks verifier ids up in agon.yml and resolves their CLI, price and budget.
    func resolveVerifiers(_ ids: [String]) throws -> [PlannedAgent] {
        guard !ids.isEmpty else {
            throw LineupError.noVerifiers(config: workspace.configPath.map(workspace.relative) ?? "agon.yml")
        }
        if let duplicate = Planner.firstDuplicate(ids) { throw LineupError.namedTwice(role: .verifier, id: duplicate) }
        let planner = Planner(workspace: workspace)
        return try ids.map { id in
            guard let entry = workspace.config.verifier(id) else {
                throw LineupError.unknown(role: .verifier, id: id, configured: workspace.config.verifiers.map(\.id), listedIn: nil)
            }
            return try planner.resolve(entry, spec: nil, requireBinary: true)
        }
    }

    /// Runs every verifier (bounded parallelism), saving each review as it lands.
    private func runVerifiers(_ verifiers: [PlannedAgent], context: ReviewContext, store: RunStore) -> [ReviewRecord] {
        let collected = ReviewResults()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = max(1, workspace.config.defaults.parallel)
        for (position, verifier) in verifiers.enumerated() {
            guard let entry = workspace.config.verifier(verifier.id) else { continue }
            queue.addOperation { [self] in
                let review: ReviewRecord
                if self.stopSignal.isStopped {
                    review = ReviewRecord(verifier: verifier.id, harness: verifier.harness, model: verifier.model,
                                          status: .failed, reason: "interrupted before it started",
                                          seed: Blinder.seed(runID: context.runID, verifierID: verifier.id))
                } else {
                    review = VerifierSession(workspace: self.workspace, context: context, verifier: verifier, entry: entry,
                                            stopSignal: self.stopSignal, killGrace: self.killGrace).run()
                }
                do {
                    try store.deleteReview(runID: context.runID, verifier: verifier.id)
                    try store.saveReview(runID: context.runID, review)
                } catch {
                    self.progress.note("error: could not record the review of \(verifier.id): \(error)")
                }
                collected.add(position, review)
            }
        }
        queue.waitUntilAllOperationsAreFinished()
        return collected.inOrder
    }
}

/// Reviews finished by the verifier threads, kept in the order the verifiers were named.
final class ReviewResults: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(Int, ReviewRecord)] = []
    func add(_ position: Int, _ review: ReviewRecord) { lock.lock(); items.append((position, review)); lock.unlock() }
    var inOrder: [ReviewRecord] { lock.lock(); defer { lock.unlock() }; return items.sorted { $0.0 < $1.0 }.map(\.1) }
}
