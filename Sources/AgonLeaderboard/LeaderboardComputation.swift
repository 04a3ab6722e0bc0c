import AgonConsensus
import AgonCore
import Foundation

// The leaderboard's statistics, computed from records alone (no I/O).
//
// Definitions (also in the README's leaderboard section):
// - A row is an agent id (`--by agent`, the default); `--by model` groups the ids that ran the
//   same (harness, model) — an entry with no model stays on its own —, `--by harness` groups by CLI.
// - A *run* of an agent is one finished candidate (outcome recorded, not `interrupted`). A cache
//   hit (`cache_hit`: an exact repeat's result reused, $0) is no run and no rating observation.
// - *Success*: outcome `ok`, a non-empty diff, and acceptance and holdout each passed — a check
//   that was skipped because the spec defines no command of that kind counts as passed.
//   Scope violations are reported per run but do not decide success.
// - *Rating*: Plackett-Luce, fitted by Hunter's MM with choix's `alpha` prior (default 0.01).
//   Every run contributes what it shows (`RunEvidence`): the checks split its candidates into
//   severity tiers (tied within a tier) and each member of a tier is chosen over everything in
//   the tiers below; each valid verifier ranking of the candidates it reviewed is a PL ranking
//   with weight (verifier weight / the run's total valid verifier weight), so a run's panel counts
//   once however many verifiers it has. Each human pick (`agon apply`) adds a top-1 choice of
//   the picked agent over the run's other candidates. Agents with no observation get no rating.
// - *Win rate*: consensus winner share of the agent's runs that have a consensus.
// - *First-attempt success*: Agon runs an agent once per spec run, so "first attempt" means the
//   agent's chronologically first run of each distinct spec (by spec hash, within the filter):
//   the share of those first runs that succeeded. It is pass@1 on first contact with a task,
//   not inflated by re-running the same spec.
// - *Cost per task*: mean cost over runs with a known cost (unpriced runs left out and counted).
//   *Cost per success*: over the same priced runs, total cost / successes (∞ with no success).
// - *Verifier spend* is kept apart: the total over all runs, per verifier, and per agent as its
//   share (each run's verifier cost split evenly over the run's candidates).
// - Times: median time to first attempt (first file edit), median duration of successful runs,
//   median turns (model calls), median tokens/sec.
// - `speed_efficiency_score = success_rate / (1 + median_time_to_success_s / 60)` (0 with no success).

/// What the leaderboard needs besides the records: verifier weights, families, the prior.
public struct LeaderboardSettings: Sendable {
    /// Verifier id → vote weight (missing: 1).
    public var verifierWeights: [String: Double]
    /// Explicit model families from agon.yml (id → family); others are inferred from harness and model.
    public var verifierFamilies: [String: String]
    public var agentFamilies: [String: String]
    /// The configured self-preference policy (decides whether an unmeasurable bias reads "excluded").
    public var selfPreference: SelfPreference
    public var replicates: Int
    public var seed: UInt64
    /// choix's regularisation `alpha` (the consensus module's recommended default).
    public var alpha: Double
    /// Central coverage of the bootstrap intervals.
    public var level: Double
    /// Agents with fewer runs than this are marked provisional.
    public var provisionalBelowRuns: Int
    /// Spread bootstrap replicates over the cores (results do not depend on it).
    public var parallel: Bool
    /// What one leaderboard row is.
    public var grouping: LeaderboardGrouping
    /// k of "success within k follow-ups" (`AttemptStatistics.swift`).
    public var followUpWindow: Int = 1

    public init(verifierWeights: [String: Double] = [:], verifierFamilies: [String: String] = [:],
                agentFamilies: [String: String] = [:], selfPreference: SelfPreference = .exclude,
                replicates: Int = 1000, seed: UInt64 = 1, alpha: Double = BootstrapOptions().fit.alpha,
                level: Double = 0.90, provisionalBelowRuns: Int = 5, parallel: Bool = true,
                grouping: LeaderboardGrouping = .agent) {
        self.grouping = grouping
        self.verifierWeights = verifierWeights
        self.verifierFamilies = verifierFamilies
        self.agentFamilies = agentFamilies
        self.selfPreference = selfPreference
        self.replicates = replicates
        self.seed = seed
        self.alpha = alpha
        self.level = level
        self.provisionalBelowRuns = provisionalBelowRuns
        self.parallel = parallel
    }

    /// Weights and families from `config`.
    public init(config: Config, replicates: Int, seed: UInt64, grouping: LeaderboardGrouping = .agent) {
        var weights: [String: Double] = [:], verifierFamilies: [String: String] = [:], agentFamilies: [String: String] = [:]
        for entry in config.verifiers {
            weights[entry.id] = entry.weight
            if let family = entry.family { verifierFamilies[entry.id] = family }
        }
        for entry in config.agents { if let family = entry.family { agentFamilies[entry.id] = family } }
        self.init(verifierWeights: weights, verifierFamilies: verifierFamilies, agentFamilies: agentFamilies,
                  selfPreference: config.defaults.selfPreference, replicates: replicates, seed: seed, grouping: grouping)
    }
}

/// What one leaderboard row stands for (`agon leaderboard --by`).
public enum LeaderboardGrouping: String, CaseIterable, Sendable {
    /// One row per agent id in agon.yml.
    case agent
    /// Agent ids that ran the same harness and model share a row (entries without a model never merge).
    case model
    /// One row per harness (CLI).
    case harness
}

/// How often one non-ok outcome happened.
public struct OutcomeCount: Equatable, Sendable {
    public var outcome: Outcome
    public var count: Int
}

/// One agent's leaderboard row, with the raw counts behind each rate.
public struct AgentStanding: Equatable, Sendable {
    public var harness: Harness
    public var model: String?
    /// The agent ids that ran this harness + model, in order of first appearance.
    public var agentIDs: [String]
    public var rating: Double?
    public var ratingLow: Double?
    public var ratingHigh: Double?
    /// 1-based rank by rating among rated agents, and its bootstrap interval.
    public var rank: Int?
    public var rankLow: Int?
    public var rankHigh: Int?
    public var provisional: Bool
    public var runs: Int
    public var successes: Int
    public var successRate: Double
    /// Runs with a consensus, and how many of them the agent won.
    public var reviewedRuns: Int
    public var wins: Int
    public var winRate: Double?
    public var firstAttemptSpecs: Int
    public var firstAttemptSuccesses: Int
    public var firstAttemptSuccess: Double?
    public var pricedRuns: Int
    public var unpricedRuns: Int
    public var totalCostUSD: Double
    public var costPerTask: Double?
    public var costPerSuccess: CostPerSuccess
    public var tokensPerTask: Double
    public var verifierSpendUSD: Double
    public var medianTimeToFirstAttemptS: Double?
    public var medianTimeToSuccessS: Double?
    public var medianTurns: Double?
    public var tokensPerSec: Double?
    public var costKilled: Int
    public var topErrors: [OutcomeCount]
    public var speedEfficiency: Double
    public var onFrontier: Bool
    /// Share of bootstrap replicates with the agent on the frontier (cost resampled with the
    /// runs too); nil without a cost or rating.
    public var frontierFrequency: Double?
    /// Whether the data bound the rating on both sides; a separated agent's `rating` is made by
    /// the prior and only its one-sided bound (`ratingLow` or `ratingHigh`) is shown.
    public var separation: Separation = .none
    /// Human picks (`agon apply`) of this agent.
    public var picks: Int
    /// The follow-up columns (`AttemptStatistics.swift`).
    public var attempts = AttemptTally().standing(window: 1)

    /// The ids shown in the agent column.
    public var displayName: String { agentIDs.joined(separator: ", ") }
}

/// One verifier's row of the verifier table.
public struct VerifierStanding: Equatable, Sendable {
    public var verifier: String
    public var harness: Harness
    public var model: String?
    public var weight: Double
    /// Review attempts recorded (every status).
    public var reviews: Int
    public var validReviews: Int
    public var validVerdictRate: Double
    /// Mean Kendall tau between its ranking and the consensus of the run's OTHER verifiers.
    public var agreementTau: Double?
    /// Mean Spearman rho between display position and assigned rank (both 0 = first/best):
    /// +1 = always ranks in the order shown (favours what it sees first), −1 = the reverse.
    public var positionBias: Double?
    /// Mean swap consistency (`ReviewRecord.swapConsistency`: share of candidate pairs its
    /// reversed-order second pass ordered alike, 1 = no position effect) over its swapped
    /// reviews; nil when none had a usable second pass.
    public var swapConsistency: Double?
    /// Reviews behind `swapConsistency`.
    public var swappedReviews: Int
    /// Mean of (panel position − verifier position) / (k − 1) over its own family's candidates,
    /// positions among the k items both rank: > 0 = it ranks its own family above the panel.
    public var selfPreference: Double?
    /// Share of those cases where it ranked its own family strictly higher than the panel did.
    public var selfPreferenceHigherRate: Double?
    public var selfPreferenceSamples: Int
    /// `measured`, `excluded` (own family barred from its rankings) or `not_measurable`.
    public var selfPreferenceStatus: String
    public var costUSD: Double
    public var unpricedReviews: Int
}

/// The computed leaderboard.
public struct LeaderboardResult: Equatable, Sendable {
    public var runs: Int
    /// Runs with at least one valid review.
    public var reviewedRuns: Int
    public var ratingObservations: Int
    public var picksUsed: Int
    /// Best first: rated agents by rating, then unrated ones by success rate.
    public var agents: [AgentStanding]
    public var verifiers: [VerifierStanding]
    public var verifierSpendUSD: Double
    public var replicates: Int
    public var seed: UInt64
    public var alpha: Double
    public var level: Double
    public var unconvergedReplicates: Int
    /// Replicates left out because their refit diverged under both solvers.
    public var droppedReplicates: Int = 0
    /// Cascade runs per spec by serving tier (`SpecServeMix`); filled by the caller that has the runs' cascades.
    public var serveMix: [SpecServeMix] = []
}

/// Computes the leaderboard from runs and picks (pure; see the definitions at the top of this file).
public struct LeaderboardComputation {
    public let settings: LeaderboardSettings

    public init(settings: LeaderboardSettings = LeaderboardSettings()) { self.settings = settings }

    /// Whether a candidate counts as one of its agent's runs (a cache hit repeats one already counted).
    static func counts(_ candidate: LeaderboardCandidate) -> Bool {
        guard let outcome = candidate.outcome, !candidate.cacheHit else { return false }
        return outcome != .interrupted
    }

    /// `compute` over full records (projected first).
    public func compute(runs: [RunRecord], picks: [ApplyRecord]) -> LeaderboardResult {
        compute(runs: runs.map(LeaderboardRun.init), picks: picks)
    }

    public func compute(runs: [LeaderboardRun], picks: [ApplyRecord]) -> LeaderboardResult {
        var keys = AgentKeys(agentFamilies: settings.agentFamilies, grouping: settings.grouping)
        var tallies: [AgentTally] = []
        var verifierIndex: [String: Int] = [:]
        var verifierTallies: [VerifierTally] = []
        var observationsByRun: [[RatingChoice]] = []
        observationsByRun.reserveCapacity(runs.count)
        var costsByRun: [[(key: Int, cost: Double)]] = []
        costsByRun.reserveCapacity(runs.count)
        var reviewedRuns = 0
        var verifierSpend = 0.0

        var picksByRun: [String: [String]] = [:]
        for pick in picks where !(picksByRun[pick.runID]?.contains(pick.agent) ?? false) {
            picksByRun[pick.runID, default: []].append(pick.agent)
        }
        var picksUsed = 0

        // Spec hashes interned once per run, so per-candidate bookkeeping hashes integers.
        var specIndex: [String: Int] = [:]
        // Per-run scratch, reused: each candidate's agent id and key index (-1 when it does not count).
        var keyOf: [Int] = []
        var ids: [String] = []
        for i in runs.indices {
            // Only the parts used are taken out of the record (copying whole records costs retains).
            let runID = runs[i].runID, createdAt = runs[i].createdAt
            let consensus = runs[i].consensus
            let spec: Int
            if let known = specIndex[runs[i].specHash] {
                spec = known
            } else {
                spec = specIndex.count
                specIndex[runs[i].specHash] = spec
            }
            let candidates = runs[i].candidates
            let reviews = runs[i].reviews
            keyOf.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
            for c in candidates.indices {
                ids.append(candidates[c].agent)
                guard Self.counts(candidates[c]) else { keyOf.append(-1); continue }
                let key = keys.index(for: candidates[c])
                if key == tallies.count {
                    tallies.append(AgentTally(harness: candidates[c].harness, model: settings.grouping == .harness ? nil : candidates[c].model,
                                              followUpWindow: settings.followUpWindow))
                }
                keyOf.append(key)
            }
            func position(of agent: String) -> Int? { ids.firstIndex(of: agent) }

            // Per-agent tallies.
            var runReviewCost = 0.0
            for r in reviews.indices { runReviewCost += reviews[r].costUSD ?? 0 }
            verifierSpend += runReviewCost
            let counted = keyOf.filter { $0 >= 0 }.count
            let winner = consensus?.winner
            for c in candidates.indices where keyOf[c] >= 0 {
                tallies[keyOf[c]].add(candidates[c], created: createdAt, runID: runID, spec: spec, winner: winner,
                                      verifierShare: runReviewCost / Double(counted))
            }

            // Verifier diagnostics, and each verifier's tally index for the rating weights below.
            var tallyOf: [Int] = []
            for r in reviews.indices {
                let v: Int
                if let existing = verifierIndex[reviews[r].verifier] {
                    v = existing
                } else {
                    v = verifierTallies.count
                    verifierIndex[reviews[r].verifier] = v
                    let family = settings.verifierFamilies[reviews[r].verifier]
                        ?? ModelFamily.infer(harness: reviews[r].harness, model: reviews[r].model)
                    verifierTallies.append(VerifierTally(verifier: reviews[r].verifier, family: family,
                                                         weight: settings.verifierWeights[reviews[r].verifier] ?? 1))
                }
                tallyOf.append(v)
            }
            // Each verifier is compared with the consensus of the run's OTHER valid verifiers.
            let valid = reviews.indices.filter { reviews[$0].status == .ok && !reviews[$0].ranking.isEmpty }
            let validRankings = valid.map { r in
                WeightedRanking(reviews[r].ranking.compactMap(position(of:)), weight: verifierTallies[tallyOf[r]].weight)
            }
            for r in reviews.indices {
                var othersOrder: [Int]?
                if let own = valid.firstIndex(of: r) {
                    let others = validRankings.indices.filter { $0 != own && validRankings[$0].weight > 0 }.map { validRankings[$0] }
                    let items = Set(others.flatMap(\.order)).intersection(validRankings[own].order).sorted()
                    if !others.isEmpty, items.count >= 2 {
                        othersOrder = Kemeny.aggregate(items: items, rankings: others, itemCount: candidates.count).ranking
                    }
                }
                verifierTallies[tallyOf[r]].add(reviews[r], othersOrder: othersOrder, position: position(of:), keyOf: keyOf, keys: keys)
            }

            // Rating observations of this run.
            var observations = RunEvidence.checkTiers(candidates: candidates, keyOf: keyOf)
            let reviewed = !valid.isEmpty
            let panelWeight = valid.reduce(0.0) { $0 + verifierTallies[tallyOf[$1]].weight }
            for r in valid where panelWeight > 0 {
                var items: [Int] = []
                for agent in reviews[r].ranking {
                    guard let c = position(of: agent), keyOf[c] >= 0, !items.contains(keyOf[c]) else { continue }
                    items.append(keyOf[c])
                }
                guard items.count >= 2 else { continue }
                observations.append(RatingChoice(items: items, stages: items.count - 1,
                                                 weight: verifierTallies[tallyOf[r]].weight / panelWeight))
            }
            if reviewed { reviewedRuns += 1 }
            for agent in picksByRun.isEmpty ? [] : picksByRun[runID] ?? [] {
                guard let c = position(of: agent), keyOf[c] >= 0 else { continue }
                let winnerKey = keyOf[c]
                var losers: [Int] = []
                for key in keyOf where key >= 0 && key != winnerKey && !losers.contains(key) { losers.append(key) }
                guard !losers.isEmpty else { continue }
                observations.append(RatingChoice(items: [winnerKey] + losers, stages: 1, weight: 1))
                tallies[winnerKey].picks += 1
                picksUsed += 1
            }
            observationsByRun.append(observations)
            var costs: [(key: Int, cost: Double)] = []
            for c in candidates.indices where keyOf[c] >= 0 {
                if candidates[c].costSource != .unpriced, let cost = candidates[c].costUSD, cost.isFinite { costs.append((keyOf[c], cost)) }
            }
            costsByRun.append(costs)
        }

        // Plackett-Luce over the agents that were observed in at least one choice.
        var observed = [Bool](repeating: false, count: tallies.count)
        var observationCount = 0
        for observations in observationsByRun {
            for observation in observations {
                observationCount += 1
                for item in observation.items { observed[item] = true }
            }
        }
        let rated = observed.indices.filter { observed[$0] }
        var itemOf = [Int](repeating: -1, count: tallies.count)
        for (item, key) in rated.enumerated() { itemOf[key] = item }
        let identity = rated.count == tallies.count
        let groups = observationsByRun.map { run in run.map { $0.observation(itemOf: identity ? nil : itemOf) } }
        var standings = tallies.map { $0.standing(provisionalBelow: settings.provisionalBelowRuns) }
        var unconverged = 0, dropped = 0
        if !rated.isEmpty, let data = try? PLDataset(itemCount: rated.count, runs: groups) {
            let costs = rated.map { standings[$0].costPerTask }
            let runCosts = costsByRun.map { run in run.compactMap { itemOf[$0.key] >= 0 ? ItemCost(item: itemOf[$0.key], cost: $0.cost) : nil } }
            var options = BootstrapOptions(replicates: settings.replicates, seed: settings.seed, level: settings.level,
                                           parallel: settings.parallel)
            options.fit.alpha = settings.alpha
            let result = Bootstrap.plackettLuce(data, runCosts: runCosts, options: options)
            unconverged = result.unconvergedReplicates
            dropped = result.droppedReplicates
            let ratings = result.fit.ratings
            let frontier = Pareto.membership(costs: costs, qualities: ratings)
            for (item, key) in rated.enumerated() {
                let summary = result.items[item]
                standings[key].rating = ratings[item]
                standings[key].ratingLow = summary.ratingLow
                standings[key].ratingHigh = summary.ratingHigh
                standings[key].rank = summary.rank
                standings[key].rankLow = summary.rankLow
                standings[key].rankHigh = summary.rankHigh
                standings[key].onFrontier = frontier[item]
                standings[key].frontierFrequency = costs[item] == nil ? nil : summary.paretoFrequency
                standings[key].separation = summary.separation
            }
        }
        standings.sort(by: Self.displayOrder)

        let verifiers = verifierTallies.map { $0.standing(policy: settings.selfPreference) }.sorted { $0.verifier < $1.verifier }
        return LeaderboardResult(
            runs: runs.count, reviewedRuns: reviewedRuns, ratingObservations: observationCount, picksUsed: picksUsed,
            agents: standings, verifiers: verifiers, verifierSpendUSD: verifierSpend, replicates: max(0, settings.replicates),
            seed: settings.seed, alpha: settings.alpha, level: settings.level, unconvergedReplicates: unconverged,
            droppedReplicates: dropped)
    }

    /// Rated agents by rating (best first), then unrated ones by success rate; ties by name.
    static func displayOrder(_ a: AgentStanding, _ b: AgentStanding) -> Bool {
        switch (a.rating, b.rating) {
        case let (x?, y?) where x != y: return x > y
        case (_?, nil): return true
        case (nil, _?): return false
        default:
            if a.successRate != b.successRate { return a.successRate > b.successRate }
            return a.displayName < b.displayName
        }
    }

    /// Median of `values` (mean of the middle two for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// One choice for the rating fit, in agent-key space (at least two items).
struct RatingChoice: Equatable {
    /// The first `stages` items were each chosen over everything after them (the rest unordered).
    let items: [Int]
    let stages: Int
    let weight: Double

    /// The Plackett-Luce observation, with items renumbered through `itemOf` when given.
    func observation(itemOf: [Int]?) -> PLObservation {
        let mapped = itemOf.map { map in items.map { map[$0] } } ?? items
        return PLObservation(items: mapped, stages: stages, weight: weight)
    }
}

/// Interns (harness, model) keys and remembers each key's model family.
private struct AgentKeys {
    struct Key: Hashable {
        let harness: Harness
        let model: String
        /// Set only when the entry has no model: the agent id stands in for it.
        let agent: String
    }

    let agentFamilies: [String: String]
    let grouping: LeaderboardGrouping
    private var index: [Key: Int] = [:]
    private var families: [String?] = []

    init(agentFamilies: [String: String], grouping: LeaderboardGrouping) {
        self.agentFamilies = agentFamilies
        self.grouping = grouping
    }

    mutating func index(for candidate: LeaderboardCandidate) -> Int {
        let model = candidate.model ?? ""
        let key: Key
        switch grouping {
        case .agent: key = Key(harness: .command, model: "", agent: candidate.agent)
        case .model: key = Key(harness: candidate.harness, model: model, agent: model.isEmpty ? candidate.agent : "")
        case .harness: key = Key(harness: candidate.harness, model: "", agent: "")
        }
        if let existing = index[key] { return existing }
        let new = families.count
        index[key] = new
        families.append(agentFamilies[candidate.agent] ?? ModelFamily.infer(harness: candidate.harness, model: candidate.model))
        return new
    }

    func family(_ key: Int) -> String? { families[key] }
}

/// Running totals for one agent.
private struct AgentTally {
    let harness: Harness
    let model: String?
    var agentIDs: [String] = []
    var runs = 0
    var successes = 0
    var reviewedRuns = 0
    var wins = 0
    var pricedRuns = 0
    var pricedSuccesses = 0
    var pricedCost = 0.0
    var tokens = 0
    var verifierShare = 0.0
    var firstAttemptTimes: [Double] = []
    var successTimes: [Double] = []
    var turns: [Double] = []
    var tokensPerSec: [Double] = []
    var costKilled = 0
    var errors: [Outcome: Int] = [:]
    /// Spec (interned hash) → (created, run id, succeeded) of the earliest run of that spec.
    var firstRuns: [Int: (Date, String, Bool)] = [:]
    var picks = 0
    var attempts = AttemptTally()

    let followUpWindow: Int

    init(harness: Harness, model: String?, followUpWindow: Int) {
        self.harness = harness
        self.model = model
        self.followUpWindow = followUpWindow
    }

    mutating func add(_ candidate: LeaderboardCandidate, created: Date, runID: String, spec: Int, winner: String?,
                      verifierShare share: Double) {
        if !agentIDs.contains(candidate.agent) { agentIDs.append(candidate.agent) }
        runs += 1
        attempts.add(candidate.attempts, window: followUpWindow)
        let success = candidate.succeeded
        if success { successes += 1 }
        if let winner {
            reviewedRuns += 1
            if winner == candidate.agent { wins += 1 }
        }
        if candidate.costSource != .unpriced, let cost = candidate.costUSD, cost.isFinite {
            pricedRuns += 1
            pricedCost += cost
            if success { pricedSuccesses += 1 }
        }
        tokens += candidate.tokens
        verifierShare += share
        if let ms = candidate.firstAttemptMs { firstAttemptTimes.append(Double(ms) / 1000) }
        if success, let ms = candidate.durationMs { successTimes.append(Double(ms) / 1000) }
        turns.append(Double(candidate.turns))
        if let tps = candidate.tokensPerSec, tps.isFinite { tokensPerSec.append(tps) }
        if let outcome = candidate.outcome, outcome != .ok {
            errors[outcome, default: 0] += 1
            if outcome == .costKilled { costKilled += 1 }
        }
        let earliest = (created, runID, success)
        if let existing = firstRuns[spec] {
            if (earliest.0, earliest.1) < (existing.0, existing.1) { firstRuns[spec] = earliest }
        } else {
            firstRuns[spec] = earliest
        }
    }

    func standing(provisionalBelow: Int) -> AgentStanding {
        var standing = tallyStanding(provisionalBelow: provisionalBelow)
        standing.attempts = attempts.standing(window: followUpWindow)
        return standing
    }

    private func tallyStanding(provisionalBelow: Int) -> AgentStanding {
        let successRate = runs > 0 ? Double(successes) / Double(runs) : 0
        let costPerSuccess: CostPerSuccess
        if pricedRuns == 0 {
            costPerSuccess = .unpriced
        } else if pricedSuccesses == 0 {
            costPerSuccess = .noSuccess
        } else {
            costPerSuccess = .usd(pricedCost / Double(pricedSuccesses))
        }
        let medianSuccess = LeaderboardComputation.median(successTimes)
        let firstSuccesses = firstRuns.values.filter(\.2).count
        let topErrors = errors.map { OutcomeCount(outcome: $0.key, count: $0.value) }
            .sorted { ($0.count, $1.outcome.rawValue) > ($1.count, $0.outcome.rawValue) }
        return AgentStanding(
            harness: harness, model: model, agentIDs: agentIDs, rating: nil, ratingLow: nil, ratingHigh: nil, rank: nil,
            rankLow: nil, rankHigh: nil, provisional: runs < provisionalBelow, runs: runs, successes: successes,
            successRate: successRate, reviewedRuns: reviewedRuns, wins: wins,
            winRate: reviewedRuns > 0 ? Double(wins) / Double(reviewedRuns) : nil,
            firstAttemptSpecs: firstRuns.count, firstAttemptSuccesses: firstSuccesses,
            firstAttemptSuccess: firstRuns.isEmpty ? nil : Double(firstSuccesses) / Double(firstRuns.count),
            pricedRuns: pricedRuns, unpricedRuns: runs - pricedRuns, totalCostUSD: pricedCost,
            costPerTask: pricedRuns > 0 ? pricedCost / Double(pricedRuns) : nil, costPerSuccess: costPerSuccess,
            tokensPerTask: runs > 0 ? Double(tokens) / Double(runs) : 0, verifierSpendUSD: verifierShare,
            medianTimeToFirstAttemptS: LeaderboardComputation.median(firstAttemptTimes),
            medianTimeToSuccessS: medianSuccess, medianTurns: LeaderboardComputation.median(turns),
            tokensPerSec: LeaderboardComputation.median(tokensPerSec), costKilled: costKilled,
            topErrors: Array(topErrors.prefix(3)),
            speedEfficiency: medianSuccess.map { successRate / (1 + $0 / 60) } ?? 0,
            onFrontier: false, frontierFrequency: nil, picks: picks)
    }
}

/// Running totals for one verifier.
private struct VerifierTally {
    let verifier: String
    let family: String?
    let weight: Double
    var harness: Harness = .command
    var model: String?
    var attempts = 0
    var valid = 0
    var tauSum = 0.0
    var tauCount = 0
    var rhoSum = 0.0
    var rhoCount = 0
    var swapSum = 0.0
    var swapCount = 0
    var selfShiftSum = 0.0
    var selfHigher = 0
    var selfSamples = 0
    var droppedOwnFamily = false
    var cost = 0.0
    var unpriced = 0

    init(verifier: String, family: String?, weight: Double) {
        self.verifier = verifier
        self.family = family
        self.weight = weight
    }

    /// `keyOf[c]`: the agent key of the run's candidate c (−1 when it does not count).
    /// `othersOrder`: the Kemeny consensus of the run's other valid verifiers over the candidates
    /// this one shares with them, as candidate positions (nil when there is none): a verifier is
    /// never scored against a consensus it helped form.
    mutating func add(_ review: LeaderboardReview, othersOrder consensusOrder: [Int]?, position: (String) -> Int?, keyOf: [Int], keys: AgentKeys) {
        harness = review.harness
        model = review.model
        attempts += 1
        if let c = review.costUSD, c.isFinite { cost += c } else { unpriced += 1 }
        if review.droppedSelfPreference > 0 { droppedOwnFamily = true }
        if let consistency = review.swapConsistency, consistency.isFinite {
            swapSum += consistency
            swapCount += 1
        }
        guard review.status == .ok, !review.ranking.isEmpty else { return }
        valid += 1
        // Items are candidate positions in the run (small arrays, no dictionaries per run).
        let ranking = review.ranking.compactMap(position)
        let shown = review.displayOrder.compactMap(position)
        if let rho = VerifierDiagnostics.positionRho(shown: shown, ranking: ranking) {
            rhoSum += rho
            rhoCount += 1
        }
        guard let consensusOrder else { return }
        if let tau = Agreement.kendallTauB(order: ranking, order: consensusOrder) {
            tauSum += tau
            tauCount += 1
        }
        func ownFamily(_ c: Int) -> Bool { keyOf[c] >= 0 && keys.family(keyOf[c]) == family }
        guard family != nil, ranking.contains(where: ownFamily) else { return }
        let shared = ranking.filter { consensusOrder.contains($0) }
        guard shared.count >= 2 else { return }
        let panel = consensusOrder.filter { shared.contains($0) }
        for (mine, item) in shared.enumerated() where ownFamily(item) {
            guard let theirs = panel.firstIndex(of: item) else { continue }
            selfShiftSum += Double(theirs - mine) / Double(shared.count - 1)
            if mine < theirs { selfHigher += 1 }
            selfSamples += 1
        }
    }

    func standing(policy: SelfPreference) -> VerifierStanding {
        let status: String
        if selfSamples > 0 {
            status = "measured"
        } else if droppedOwnFamily || policy == .exclude {
            status = "excluded"
        } else {
            status = "not_measurable"
        }
        return VerifierStanding(
            verifier: verifier, harness: harness, model: model, weight: weight, reviews: attempts, validReviews: valid,
            validVerdictRate: attempts > 0 ? Double(valid) / Double(attempts) : 0,
            agreementTau: tauCount > 0 ? tauSum / Double(tauCount) : nil,
            positionBias: rhoCount > 0 ? rhoSum / Double(rhoCount) : nil,
            swapConsistency: swapCount > 0 ? swapSum / Double(swapCount) : nil, swappedReviews: swapCount,
            selfPreference: selfSamples > 0 ? selfShiftSum / Double(selfSamples) : nil,
            selfPreferenceHigherRate: selfSamples > 0 ? Double(selfHigher) / Double(selfSamples) : nil,
            selfPreferenceSamples: selfSamples, selfPreferenceStatus: status, costUSD: cost, unpricedReviews: unpriced)
    }
}
