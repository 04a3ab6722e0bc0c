import AgonCore
import AgonStore
import AgonTournament
import Foundation

/// `agon run`, `agon review`, `agon show` and `agon list`: runs as text and JSON.
public enum RunPresenter {
    /// One finished run: its summary as text, its record as JSON.
    public static func run(_ record: RunRecord, layout: ArtifactLayout) -> CommandOutput {
        CommandOutput(text: summary(record, layout: layout), value: record)
    }

    /// The runs of one `agon run` (one per spec): summaries one after another; JSON is the record
    /// itself for one run and `{"runs": […]}` for several.
    public static func runs(_ records: [RunRecord], layout: ArtifactLayout) -> CommandOutput {
        let text = records.map { summary($0, layout: layout) }.joined(separator: "\n")
        if records.count == 1 { return CommandOutput(text: text, value: records[0]) }
        return CommandOutput(text: text, value: VersionedDocument(RunList(runs: records)))
    }

    /// `agon list`: one line per run, newest first.
    public static func list(_ runs: [RunSummary], layout: ArtifactLayout) -> CommandOutput {
        var table = TextTable(columns: [
            .init("run"), .init("status"), .init("spec", maxWidth: 40), .number("agents"), .init("winner"), .number("cost"),
        ])
        for run in runs {
            table.append([run.runID, RunLease.displayedStatus(run.status, runID: run.runID, layout: layout),
                          TerminalText.sanitize(run.specTitle), String(run.candidateCount), run.winner ?? Format.none,
                          Format.usd(run.costUSD) + (run.unpricedCount > 0 ? " + \(run.unpricedCount) unpriced" : "")])
        }
        let text = runs.isEmpty ? "no runs yet: `agon run SPEC` starts one\n" : table.render()
        return CommandOutput(text: text, value: VersionedDocument(RunSummaryList(runs: runs)))
    }

    /// The summary printed after a run and by `agon show`.
    public static func summary(_ record: RunRecord, layout: ArtifactLayout) -> String {
        let status = RunLease.displayedStatus(record.status, runID: record.runID, layout: layout)
        var out = "run \(record.runID)  \(status)  \(TerminalText.sanitize(record.specTitle))\n"
        if status == RunLease.staleStatus {
            out += "no agon process holds this run any more (killed or crashed): `agon run --resume \(record.runID)` finishes it\n"
        }
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
                          Format.checks(candidate.checks),
                          "\(candidate.diff.files)f +\(candidate.diff.insertions) -\(candidate.diff.deletions)"])
        }
        out += table.render()
        for candidate in ordered where !candidate.scopeViolations.isEmpty {
            // File names are the agent's: no raw control characters on the terminal.
            out += "scope: \(candidate.agent) changed files outside the spec's paths: \(TerminalText.sanitize(candidate.scopeViolations.joined(separator: ", ")))\n"
        }
        for candidate in ordered where !candidate.tampering.isEmpty {
            out += "tampered: \(candidate.agent): \(TerminalText.sanitize(candidate.tampering.joined(separator: "; ")))\n"
        }
        let unsandboxed = ordered.filter { $0.sandbox == SandboxMode.none.rawValue }.map(\.agent)
        if !unsandboxed.isEmpty { out += "sandbox: none for \(unsandboxed.joined(separator: ", ")) (unsandboxed)\n" }
        out += ReviewFindingsText.lines(record.candidates)
        out += RunStrategyText.lines(record)
        out += FollowUpPresenter.attemptLines(record)
        if let consensus = record.consensus {
            // Ties as `a = b > c`: the check tiers, or (records without tiers) the passing candidates no verdict ordered.
            let tied = consensus.tied
            let order = !consensus.tiers.isEmpty ? consensus.tiers.map { $0.joined(separator: " = ") }.joined(separator: " > ")
                : tied.isEmpty ? consensus.ranking.joined(separator: " > ")
                : tied.joined(separator: " = ") + consensus.ranking.filter { !tied.contains($0) }.map { " > " + $0 }.joined()
            out += "consensus (\(consensus.method)): \(order)"
            if let w = consensus.kendallW { out += "   Kendall's W \(Format.number(w, decimals: 3))" }
            out += consensus.split ? "   SPLIT: \(consensus.splitReasons.joined(separator: "; "))\n" : "\n"
            if consensus.bordaRanking != consensus.ranking {
                out += "borda: \(consensus.bordaRanking.joined(separator: " > "))\n"
            }
        }
        for review in record.reviews where review.status != .ok {
            out += "review \(review.verifier): \(review.status.rawValue)\(review.reason.map { " — \(TerminalText.sanitize($0))" } ?? "")\n"
        }
        for review in record.reviews where review.status == .ok && review.swapConsistency != nil {
            out += "review \(review.verifier): consistency \(Format.number(review.swapConsistency, decimals: 2)) when shown in reversed order "
                + "(\(review.ranking.joined(separator: " > ")) / \(review.swapRanking.joined(separator: " > ")))\n"
        }
        let agentCost = record.candidates.compactMap(\.costUSD).reduce(0, +)
        // A cascade's replaced reviews still cost what they cost.
        let reviewCost = record.reviews.compactMap(\.costUSD).reduce(0, +)
            + (record.cascade?.escalations.compactMap(\.reviewCostUSD).reduce(0, +) ?? 0)
        out += "spent \(Format.usd(agentCost)) on agents"
        if !record.reviews.isEmpty || reviewCost > 0 { out += ", \(Format.usd(reviewCost)) on verifiers" }
        let unpriced = record.candidates.filter { $0.costSource == .unpriced }.count
        if unpriced > 0 { out += " (+ \(unpriced) unpriced)" }
        out += "\nartifacts \(layout.relativePath(layout.runDirectory(record.runID)))/\n"
        return out
    }
}
