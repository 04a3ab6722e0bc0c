import AgonConsensus
import AgonCore
import AgonReport
import AgonStore
import Foundation

/// `agon list`, `agon show` and `agon shortlist`: read-only views of recorded runs.
public struct RunQueries {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Resolves a run id, a unique prefix of one, or `latest`; unknown or ambiguous → exit 2.
    static func resolve(_ reference: String, in store: RunStore) throws -> String {
        do {
            return try store.resolveRunID(reference)
        } catch {
            throw UsageError("\(error)")
        }
    }

    public func list(limit: Int) throws -> CommandOutput {
        let exists = FileManager.default.fileExists(atPath: workspace.layout.databaseURL.path)
        let runs = exists ? try workspace.store().listRuns(RunFilter(), limit: limit) : []
        var table = TextTable(columns: [
            .init("run"), .init("status"), .init("spec", maxWidth: 40), .number("agents"), .init("winner"), .number("cost"),
        ])
        for run in runs {
            table.append([run.runID, run.status.rawValue, run.specTitle, String(run.candidateCount), run.winner ?? Format.none,
                          Format.usd(run.costUSD) + (run.unpricedCount > 0 ? " + \(run.unpricedCount) unpriced" : "")])
        }
        let text = runs.isEmpty ? "no runs yet: `agon run SPEC` starts one\n" : table.render()
        return CommandOutput(text: text, value: VersionedDocument(RunSummaryList(runs: runs)))
    }

    public func show(runID reference: String) throws -> CommandOutput {
        let store = try workspace.storeForReading()
        let runID = try Self.resolve(reference, in: store)
        guard let record = try store.run(runID) else { throw UsageError("no run \(reference)") }
        return CommandOutput(text: RunSummaryText.render(record, workspace: workspace), value: record)
    }

    public func shortlist(runID reference: String, k: Int) throws -> CommandOutput {
        let store = try workspace.storeForReading()
        let runID = try Self.resolve(reference, in: store)
        guard let record = try store.run(runID) else { throw UsageError("no run \(reference)") }
        let list = Shortlist.make(record, k: k, layout: workspace.layout, workspace: workspace)
        return CommandOutput(text: Shortlist.text(list, record: record), value: VersionedDocument(list))
    }
}

struct RunSummaryList: Codable {
    var runs: [RunSummary]
}

/// The shortlist of one run: the top `k` passing candidates by consensus, plus any candidate on
/// the cost-vs-consensus Pareto frontier (a cheaper patch that is nearly as good is worth a look).
struct Shortlist: Codable {
    struct Entry: Codable {
        var agent: String
        var harness: Harness
        var model: String?
        var rank: Int?
        var reason: String
        var costUSD: Double?
        var costSource: CostSource
        var checks: CheckSummary
        var diff: DiffSummary
        var patchPath: String?
        var worktree: String
        var notes: [String: ReviewNote]

        enum CodingKeys: String, CodingKey {
            case agent, harness, model, rank, reason, costUSD = "cost_usd", costSource = "cost_source", checks, diff
            case patchPath = "patch_path", worktree, notes
        }
    }

    var runID: String
    var method: String
    var split: Bool
    var entries: [Entry]

    enum CodingKeys: String, CodingKey { case runID = "run_id", method, split, entries }

    static func make(_ record: RunRecord, k: Int, layout: ArtifactLayout, workspace: Workspace) -> Shortlist {
        let passing = record.candidates.filter(Tournament.passed)
        // Consensus order when reviewed; otherwise passing candidates cheapest first.
        let order: [String]
        let method: String
        if let consensus = record.consensus {
            order = consensus.ranking.filter { agent in passing.contains { $0.agent == agent } }
            method = consensus.method
        } else {
            order = passing.sorted { ($0.costUSD ?? .infinity, $0.agent) < ($1.costUSD ?? .infinity, $1.agent) }.map(\.agent)
            method = "checks only (no reviews): cheapest first"
        }
        // Frontier: quality = -position in the order (higher is better), cost as recorded.
        let costs = order.map { agent in passing.first { $0.agent == agent }?.costUSD }
        let qualities = order.indices.map { -Double($0) }
        let frontier = Set(Pareto.frontier(costs: costs, qualities: qualities))
        var entries: [Entry] = []
        for (position, agent) in order.enumerated() {
            let top = position < k
            guard top || frontier.contains(position), let candidate = passing.first(where: { $0.agent == agent }) else { continue }
            var notes: [String: ReviewNote] = [:]
            for review in record.reviews where review.status == .ok {
                if let note = review.notes[agent] { notes[review.verifier] = note }
            }
            entries.append(Entry(agent: agent, harness: candidate.harness, model: candidate.model, rank: position + 1,
                                 reason: top ? "top \(k)" : "cost-quality frontier", costUSD: candidate.costUSD,
                                 costSource: candidate.costSource, checks: candidate.checks, diff: candidate.diff,
                                 patchPath: candidate.diff.patchPath.map { layout.resolve($0).path },
                                 worktree: workspace.root + "/" + candidate.worktree, notes: notes))
        }
        return Shortlist(runID: record.runID, method: method, split: record.consensus?.split ?? false, entries: entries)
    }

    static func text(_ list: Shortlist, record: RunRecord) -> String {
        guard !list.entries.isEmpty else {
            return "run \(list.runID): no candidate passed its checks; `agon show \(list.runID)` says why\n"
        }
        var out = "Shortlist for run \(list.runID) (\(list.method))\(list.split ? " — the panel is SPLIT: read them all" : "")\n\n"
        for entry in list.entries {
            out += "\(entry.rank.map { "#\($0)" } ?? "") \(entry.agent)  [\(entry.harness.rawValue)\(entry.model.map { " \($0)" } ?? "")]  (\(entry.reason))\n"
            out += "   cost \(Format.usd(entry.costUSD, source: entry.costSource))   checks \(Format.checks(CheckResults(acceptance: entry.checks.acceptance, holdout: entry.checks.holdout, scope: entry.checks.scope)))"
            out += "   diff \(entry.diff.files) files +\(entry.diff.insertions) -\(entry.diff.deletions)\n"
            if let patch = entry.patchPath { out += "   patch    \(patch)\n" }
            out += "   worktree \(entry.worktree)\n"
            for (verifier, note) in entry.notes.sorted(by: { $0.key < $1.key }) {
                out += "   \(verifier): [\(note.recommendation)] \(note.summary)\n"
                for risk in note.risks { out += "      risk: \(risk)\n" }
            }
            out += "\n"
        }
        out += "Apply one with `agon apply \(list.runID) AGENT`.\n"
        return out
    }
}

/// The summary printed after a run and by `agon show`.
enum RunSummaryText {
    static func render(_ record: RunRecord, workspace: Workspace) -> String {
        var out = "run \(record.runID)  \(record.status.rawValue)  \(record.specTitle)\n"
        out += "spec \(record.specPath)  base \(record.baseRef) = \(record.baseSHA.prefix(12))"
        out += record.dirtyAtStart ? "  (uncommitted changes in the work tree were not included)\n" : "\n"
        var ranks = Dictionary(uniqueKeysWithValues: (record.consensus?.ranking ?? []).enumerated().map { ($1, $0 + 1) })
        if let tiers = record.consensus?.tiers, !tiers.isEmpty {
            // Tied candidates share a rank (1, 2, 2, 4): the consensus does not order them.
            var better = 0
            for tier in tiers {
                for agent in tier { ranks[agent] = better + 1 }
                better += tier.count
            }
        }
        var table = TextTable(columns: [
            .number("#"), .init("agent"), .init("harness"), .init("outcome"), .number("cost / budget"), .number("tokens"),
            .number("turns"), .number("time"), .init("checks A/H/S"), .number("diff"),
        ])
        let ordered = record.candidates.sorted { (ranks[$0.agent] ?? Int.max, $0.agent) < (ranks[$1.agent] ?? Int.max, $1.agent) }
        for candidate in ordered {
            var cost = Format.costAgainstBudget(candidate.costUSD, source: candidate.costSource, budget: candidate.budgetUSD)
            if let killed = candidate.costKilledAt { cost += " (killed at \(Format.usd(killed)))" }
            table.append([ranks[candidate.agent].map(String.init) ?? "", candidate.agent, candidate.harness.rawValue,
                          candidate.outcome?.rawValue ?? candidate.state.rawValue, cost,
                          Format.tokens(candidate.tokens.total), String(candidate.turns),
                          Format.duration(ms: candidate.durationMs),
                          Format.checks(CheckResults(acceptance: candidate.checks.acceptance, holdout: candidate.checks.holdout,
                                                     scope: candidate.checks.scope)),
                          "\(candidate.diff.files)f +\(candidate.diff.insertions) -\(candidate.diff.deletions)"])
        }
        out += table.render()
        for candidate in ordered where !candidate.scopeViolations.isEmpty {
            out += "scope: \(candidate.agent) changed files outside the spec's paths: \(candidate.scopeViolations.joined(separator: ", "))\n"
        }
        if let consensus = record.consensus {
            let order = consensus.tiers.isEmpty ? consensus.ranking.joined(separator: " > ")
                : consensus.tiers.map { $0.joined(separator: " = ") }.joined(separator: " > ")
            out += "consensus (\(consensus.method)): \(order)"
            if let w = consensus.kendallW { out += "   Kendall's W \(Format.number(w, decimals: 3))" }
            out += consensus.split ? "   SPLIT: \(consensus.splitReasons.joined(separator: "; "))\n" : "\n"
            if consensus.bordaRanking != consensus.ranking {
                out += "borda: \(consensus.bordaRanking.joined(separator: " > "))\n"
            }
        }
        for review in record.reviews where review.status != .ok {
            out += "review \(review.verifier): \(review.status.rawValue)\(review.reason.map { " — \($0)" } ?? "")\n"
        }
        let agentCost = record.candidates.compactMap(\.costUSD).reduce(0, +)
        let reviewCost = record.reviews.compactMap(\.costUSD).reduce(0, +)
        out += "spent \(Format.usd(agentCost)) on agents"
        if !record.reviews.isEmpty { out += ", \(Format.usd(reviewCost)) on verifiers" }
        let unpriced = record.candidates.filter { $0.costSource == .unpriced }.count
        if unpriced > 0 { out += " (+ \(unpriced) unpriced)" }
        out += "\nartifacts \(workspace.layout.relativePath(workspace.layout.runDirectory(record.runID)))/\n"
        return out
    }
}
