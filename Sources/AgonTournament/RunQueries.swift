import AgonConsensus
import AgonCore
import AgonStore
import Foundation

/// `agon list`, `agon show` and `agon shortlist`: read-only views of recorded runs.
public struct RunQueries {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Resolves a run id, a unique prefix of one, or `latest`; unknown or ambiguous → exit 2.
    public static func resolve(_ reference: String, in store: RunStore) throws -> String {
        do {
            return try store.resolveRunID(reference)
        } catch let error as StoreError {
            throw RunLookupError.unresolved(error)
        } catch {
            throw UsageError("\(error)")
        }
    }

    /// Recorded runs, newest first (none when the repository never ran Agon).
    public func list(limit: Int) throws -> [RunSummary] {
        return workspace.storeExists ? try workspace.store().listRuns(RunFilter(), limit: limit) : []
    }

    /// One run's record.
    public func show(runID reference: String) throws -> RunRecord {
        let store = try workspace.storeForReading()
        let runID = try Self.resolve(reference, in: store)
        guard let record = try store.run(runID) else { throw RunLookupError.notFound(reference: reference) }
        return record
    }

    /// One run's shortlist.
    public func shortlist(runID reference: String, k: Int) throws -> Shortlist {
        Shortlist.make(try show(runID: reference), k: k, layout: workspace.layout, workspace: workspace)
    }
}

/// `agon list --json`'s body.
public struct RunSummaryList: Codable {
    public var runs: [RunSummary]
    public init(runs: [RunSummary]) { self.runs = runs }
}

/// The shortlist of one run: the top `k` passing candidates by consensus, plus any candidate on
/// the cost-vs-consensus Pareto frontier (a cheaper patch that is nearly as good is worth a look).
public struct Shortlist: Codable {
    /// One shortlisted candidate.
    public struct Entry: Codable {
        public var agent: String
        public var harness: Harness
        public var model: String?
        public var rank: Int?
        public var reason: String
        public var costUSD: Double?
        public var costSource: CostSource
        public var checks: CheckSummary
        public var diff: DiffSummary
        public var patchPath: String?
        public var worktree: String
        public var notes: [String: ReviewNote]
        /// What the pre-review screen flagged in this candidate's diff (never gating ones: those are not shortlisted).
        public var findings: [ReviewFinding]

        enum CodingKeys: String, CodingKey {
            case agent, harness, model, rank, reason, costUSD = "cost_usd", costSource = "cost_source", checks, diff
            case patchPath = "patch_path", worktree, notes, findings
        }
    }

    public var runID: String
    public var method: String
    public var split: Bool
    public var entries: [Entry]
    /// Passing candidates no verdict ordered (shown as tied, no winner); not in the JSON document.
    public var tied: [String] = []
    /// Candidates a pre-review finding kept out of review → the gating finding kinds; not in the JSON document.
    public var gatedByFinding: [String: [String]] = [:]

    enum CodingKeys: String, CodingKey { case runID = "run_id", method, split, entries }

    /// The shortlist of `record`: top `k` by consensus (else cheapest passing first), plus the frontier.
    public static func make(_ record: RunRecord, k: Int, layout: ArtifactLayout, workspace: Workspace) -> Shortlist {
        let passing = record.candidates.filter(\.passedGate)
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
                                 worktree: workspace.root + "/" + candidate.worktree, notes: notes,
                                 findings: candidate.findings))
        }
        var list = Shortlist(runID: record.runID, method: method, split: record.consensus?.split ?? false, entries: entries)
        list.tied = record.consensus?.tied ?? []
        for candidate in record.candidates where candidate.gatedByFinding {
            list.gatedByFinding[candidate.agent] = Set(candidate.findings.filter(\.gates).map(\.kind.rawValue)).sorted()
        }
        return list
    }
}
