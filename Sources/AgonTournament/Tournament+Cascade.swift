import AgonCore
import AgonLeaderboard
import AgonStore
import Foundation

// `strategy: cascade`: tiers run in turn inside one run; after each, the gates (and the panel,
// when verifiers are configured) decide whether it served the run. Reviews are held over every
// candidate so far (the panel compares the new tier with the old), replacing the previous
// tier's reviews; the replaced reviews' spend is kept on the escalation.

extension Tournament {
    /// The agents of each tier in run order: one tier of every agent when the run is no cascade.
    static func tiers(of plan: RunPlan) -> [[PlannedAgent]] {
        guard let cascade = plan.cascade else { return [plan.agents] }
        return cascade.tiers.map { ids in ids.compactMap { id in plan.agents.first { $0.id == id } } }
    }

    /// Reviews (or, without review, only computes the consensus of) the candidates so far, then
    /// decides whether tier `tier` (1-based) served the run. Updates `record.cascade`; returns
    /// whether the run stops here.
    func closeTier(_ tier: Int, of tiers: [[PlannedAgent]], record: inout RunRecord, spec: Spec, plan: RunPlan,
                   progress: ProgressSink) throws -> Bool {
        let store = try workspace.store()
        var cascade = record.cascade ?? CascadeRecord(tiers: plan.cascade?.tiers ?? [])
        let clearing = record.candidates.contains(where: CascadeRules.clearsGates)
        if clearing && options.review && !plan.verifiers.isEmpty {
            record.status = .reviewing
            try store.saveRun(record)
            let reviewer = ReviewStage(workspace: workspace, stopSignal: stopSignal, progress: progress)
            reviewer.killGrace = options.killGrace
            let earlier = record.reviews
            record = try reviewer.reviewRun(record, spec: spec, verifiers: plan.verifiers)
            // The same condition ReviewStage calls verifiers on (after its screen): when it held,
            // the earlier tier's reviews were replaced, so their spend moves to that escalation.
            let reviewed = record.candidates.filter(\.passedGate).count >= 2
            if reviewed, !earlier.isEmpty, let last = cascade.escalations.indices.last {
                cascade.escalations[last].reviewCostUSD = earlier.compactMap(\.costUSD).reduce(0, +)
            }
            record.status = .running
        } else {
            try makeUnreviewedConsensus(&record)
        }
        let decision = CascadeRules.decide(candidates: record.candidates, consensus: record.consensus,
                                           reviews: record.reviews)
        if decision.served {
            cascade.servedByTier = tier
            let skipped = tiers.dropFirst(tier).flatMap { $0.map(\.id) }
            cascade.skippedAgents = skipped
            cascade.costAvoided = skipped.isEmpty ? nil : estimateCost(of: skipped)
            progress.note("cascade: tier \(tier) served the run (\(decision.detail))"
                          + (skipped.isEmpty ? "" : "; not started: \(skipped.joined(separator: ", "))"))
        } else {
            cascade.escalations.removeAll { $0.fromTier == tier }
            cascade.escalations.append(CascadeEscalation(fromTier: tier, reason: decision.reason ?? .noCandidatePassed,
                                                         detail: decision.detail))
            progress.note(tier < tiers.count ? "cascade: tier \(tier) escalates (\(decision.detail))"
                                             : "cascade: last tier \(tier) did not serve the run (\(decision.detail))")
        }
        record.cascade = cascade
        try store.saveRun(record)
        return decision.served
    }

    /// The checks alone make the consensus: tiers, and a winner when exactly one candidate passed.
    func makeUnreviewedConsensus(_ record: inout RunRecord) throws {
        let config = workspace.config
        let consensus = try ReviewConsensus.make(candidates: record.candidates, reviews: record.reviews) {
            config.verifier($0)?.weight ?? 1
        }
        record.consensus = consensus
        try workspace.store().saveConsensus(runID: record.runID, consensus)
        try workspace.layout.writeConsensus(consensus, runID: record.runID)
    }

    /// The skipped agents' expected cost: each one's leaderboard cost per task (priced runs' mean).
    func estimateCost(of agents: [String]) -> CostAvoidedEstimate? {
        let query = LeaderboardQuery(since: nil, specGlob: nil, replicates: 0, seed: 1)
        guard let board = try? LeaderboardBuilder(workspace: workspace).compute(query) else { return nil }
        return CostAvoidedEstimate.estimate(skipped: agents) { agent in
            board.agents.first { $0.agentIDs.contains(agent) }?.costPerTask
        }
    }
}
