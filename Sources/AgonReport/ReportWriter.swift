import AgonCore
import AgonStore
import AgonTournament
import Foundation

/// Writes `agon report`: one self-contained HTML file for a run, the leaderboard, or both.
public struct ReportWriter {
    public let workspace: Workspace
    /// Replicates and seed of the leaderboard section.
    public var leaderboardQuery: LeaderboardQuery = .all

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Renders and atomically writes the report; returns its absolute path. `output` is taken
    /// relative to the current directory; by default the file goes to `.agon/reports/`.
    public func write(runID: String?, leaderboard: Bool, output: String?) throws -> String {
        guard runID != nil || leaderboard else { throw UsageError("name a run, or pass --leaderboard") }
        var run: RunView?
        var name = "leaderboard"
        if let reference = runID {
            let store = try workspace.storeForReading()
            let id = try RunQueries.resolve(reference, in: store)
            guard let record = try store.run(id) else { throw UsageError("no run \(reference)") }
            run = RunReportBuilder(workspace: workspace).view(record)
            name = id
        }
        var board: LeaderboardView?
        if leaderboard {
            let (result, insights) = try LeaderboardBuilder(workspace: workspace).computeWithInsights(leaderboardQuery)
            board = LeaderboardPresenter.view(result, generatedAt: Date())
            board?.insights = insights
        }
        let html = HTMLReport.render(run: run, leaderboard: board)
        let path: String
        if let output {
            path = Workspace.absolute(output, relativeTo: FileManager.default.currentDirectoryPath)
        } else {
            path = workspace.layout.agonDirectory.appendingPathComponent("reports")
                .appendingPathComponent(ArtifactLayout.component(name) + ".html").path
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ReportOutputError.isADirectory(output ?? path)
        }
        do {
            try AtomicFile.write(html, to: URL(fileURLWithPath: path))
        } catch {
            throw WorkError("cannot write the report to \(path): \(error)")
        }
        return path
    }
}

/// Builds the report's view of one run from its record and the files in its run directory.
struct RunReportBuilder {
    let workspace: Workspace
    /// Bytes of a patch read into the report; the rest is noted, not shown (the file keeps it all).
    var maxPatchBytes = 2 << 20

    func view(_ record: RunRecord) -> RunView {
        let layout = workspace.layout
        let ranks = Dictionary((record.consensus?.ranking ?? []).enumerated().map { ($1, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        let candidates = record.candidates.map { c in
            CandidateView(agent: c.agent, harness: c.harness, model: c.model ?? Format.none,
                          // A candidate that never finished has no outcome; it was interrupted.
                          outcome: c.outcome ?? .interrupted, costUSD: c.costUSD, costSource: c.costSource,
                          budgetUSD: c.budgetUSD, tokens: c.tokens, turns: c.turns, durationMs: c.durationMs,
                          checks: c.checks,
                          diff: DiffSummary(files: c.diff.files, insertions: c.diff.insertions, deletions: c.diff.deletions),
                          rank: ranks[c.agent], sandbox: c.sandbox, tampering: c.tampering)
        }
        var consensus: ConsensusView?
        if let record = record.consensus {
            consensus = ConsensusView(ranking: record.ranking, method: record.method, kendallW: record.kendallW, split: record.split,
                                      alternativeMethod: record.bordaRanking != record.ranking && !record.bordaRanking.isEmpty ? "borda" : nil,
                                      alternativeRanking: record.bordaRanking != record.ranking && !record.bordaRanking.isEmpty
                                          ? record.bordaRanking : nil)
        }
        if consensus != nil {
            consensus?.shortlist = Shortlist.make(record, k: 3, layout: layout, workspace: workspace).entries.map(\.agent)
        }
        let reviews = record.reviews.map { r in
            ReviewView(verifier: r.verifier, harness: r.harness, model: r.model ?? Format.none,
                       ranking: r.status == .ok ? r.ranking : [],
                       excludedReason: r.status == .ok ? nil : "\(r.status.rawValue)\(r.reason.map { ": \($0)" } ?? "")",
                       notes: Self.notes(r, order: record.consensus?.ranking ?? record.candidates.map(\.agent)),
                       weight: workspace.config.verifier(r.verifier)?.weight ?? 1, costUSD: r.costUSD)
        }
        var diffs: [String: String] = [:]
        for c in record.candidates {
            guard let path = c.diff.patchPath else { continue }
            if let text = readPatch(layout.resolve(path)) { diffs[c.agent] = text }
        }
        var view = RunView(runID: record.runID, specTitle: record.specTitle, specBody: specBody(record), baseSHA: record.baseSHA,
                           status: record.status.rawValue, candidates: candidates, consensus: consensus, reviews: reviews,
                           diffs: diffs)
        view.findings = record.candidates.flatMap { c in c.findings.map { "\(c.agent): \($0.summary)" } }
        view.strategyNotes = RunStrategyText.lines(record).split(separator: "\n").map(String.init)
        view.reviewStale = record.reviewStale
        view.attemptLines = FollowUpPresenter.attemptLines(record).split(separator: "\n").map(String.init)
        return view
    }

    /// A verifier's notes as plain text, one candidate after another in consensus order.
    static func notes(_ review: ReviewRecord, order: [String]) -> String? {
        guard !review.notes.isEmpty else { return nil }
        let agents = order.filter { review.notes[$0] != nil } + review.notes.keys.filter { !order.contains($0) }.sorted()
        return agents.compactMap { agent -> String? in
            guard let note = review.notes[agent] else { return nil }
            var text = "\(agent)\(note.recommendation.isEmpty ? "" : " [\(note.recommendation)]"): \(note.summary)"
            for risk in note.risks { text += "\n  risk: \(risk)" }
            return text
        }.joined(separator: "\n\n")
    }

    /// The spec as run (the run directory's copy), else the spec file in the repository.
    func specBody(_ record: RunRecord) -> String {
        let copy = workspace.layout.spec(record.runID)
        if let text = try? String(contentsOf: copy, encoding: .utf8) { return text }
        let original = Workspace.absolute(record.specPath, relativeTo: workspace.root)
        if let text = try? String(contentsOf: URL(fileURLWithPath: original), encoding: .utf8) {
            return text + "\n\n(the run directory has no copy of the spec; this is the current \(record.specPath))"
        }
        return "(spec \(record.specPath) not found)"
    }

    /// The patch text, cut at `maxPatchBytes` on a line boundary with a note; nil when unreadable.
    func readPatch(_ url: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maxPatchBytes + 1) else { return nil }
        guard data.count > maxPatchBytes else { return String(decoding: data, as: UTF8.self) }
        var kept = data.prefix(maxPatchBytes)
        if let newline = kept.lastIndex(of: 0x0A) { kept = kept[..<(newline + 1)] }
        let total = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        let size = total.map { "\($0) bytes" } ?? "more"
        return String(decoding: kept, as: UTF8.self)
            + "… patch truncated: showing the first \(kept.count) of \(size); the full patch is \(workspace.relative(url.path))\n"
    }
}

/// The report cannot be written where asked (bad input: exit 2). `agon` names the flag.
public enum ReportOutputError: AgonFailure, Equatable {
    case isADirectory(String)

    public var exitCode: Int32 { 2 }

    /// The path asked for.
    public var path: String {
        switch self {
        case .isADirectory(let path): return path
        }
    }

    /// What is wrong with it and what to do.
    public var reason: String {
        switch self {
        case .isADirectory: return "is a directory; name a file such as report.html"
        }
    }

    public var message: String { "\(path): \(reason)" }
}
