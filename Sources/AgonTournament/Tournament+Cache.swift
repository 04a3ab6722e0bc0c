import AgonCore
import AgonGit
import AgonStore
import Foundation

// The exact-repeat cache: a candidate whose key (`CacheKey.make`) equals a finished, cacheable
// candidate's reuses its sealed patch instead of starting the agent. The patch is re-applied to
// the new worktree, snapshotted and checked like any other; nothing is spent on the model.

extension Tournament {
    /// The newest cacheable candidate with `key` in another run of the same spec and base whose
    /// sealed patch still verifies, and that patch; nil on a miss.
    func cacheSource(key: String, plan: RunPlan, runID: String) -> (run: String, candidate: CandidateRecord, patch: Data)? {
        guard let store = try? workspace.store(),
              let runIDs = try? store.runIDs(specHash: plan.specHash, baseSHA: plan.baseSHA, cacheKey: key) else { return nil }
        for sourceRun in runIDs where sourceRun != runID {
            guard let record = try? store.run(sourceRun) else { continue }
            for candidate in record.candidates where candidate.cacheKey == key && CacheKey.isCacheable(candidate) {
                // A patch that no longer matches its seal (or its snapshot) is not reused.
                if let patch = try? SealedPatch.read(candidate, runID: sourceRun, baseSHA: record.baseSHA, workspace: workspace) {
                    return (sourceRun, candidate, patch)
                }
            }
        }
        return nil
    }

    /// Applies a cache source's patch to `worktree` and fills the candidate's cache fields: $0,
    /// no tokens, no turns, outcome `ok` (the source's clean finish).
    func materialize(_ source: (run: String, candidate: CandidateRecord, patch: Data), into candidate: inout CandidateRecord,
                     worktree: String) throws {
        let started = Date()
        try workspace.repository().apply(source.patch, toWorktree: worktree)
        candidate.cacheHit = CacheHit(sourceRunID: source.run, sourceCostUSD: source.candidate.costUSD)
        candidate.outcome = .ok
        candidate.costUSD = 0
        candidate.computedCostUSD = 0
        candidate.reportedCostUSD = nil
        candidate.costSource = .computed
        candidate.tokens = .zero
        candidate.turns = 0
        candidate.durationMs = Int(Date().timeIntervalSince(started) * 1000)
        candidate.model = candidate.model ?? source.candidate.model
    }
}
