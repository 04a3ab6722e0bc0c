import AgonCore
import AgonTournament
import Foundation

/// `agon shortlist`: the candidates worth a human's time, with paths and the verifiers' notes.
public enum ShortlistPresenter {
    /// Text, and the shortlist as JSON.
    public static func output(_ list: Shortlist) -> CommandOutput {
        CommandOutput(text: text(list), value: VersionedDocument(list))
    }

    /// The shortlist as text.
    public static func text(_ list: Shortlist) -> String {
        guard !list.entries.isEmpty else {
            return "run \(list.runID): no candidate passed its checks; `agon show \(list.runID)` says why\n"
        }
        var out = "Shortlist for run \(list.runID) (\(list.method))\(list.split ? " — the panel is SPLIT: read them all" : "")\n"
        if !list.tied.isEmpty { out += "No verdict ordered the candidates: \(list.tied.joined(separator: ", ")) are tied and none is the winner.\n" }
        for (agent, kinds) in list.gatedByFinding.sorted(by: { $0.key < $1.key }) {
            out += "Gated before review (\(kinds.joined(separator: ", "))): \(agent); `agon show` lists the findings.\n"
        }
        out += "\n"
        for entry in list.entries {
            out += "\(entry.rank.map { "#\($0)" } ?? "") \(entry.agent)  [\(entry.harness.rawValue)\(entry.model.map { " \($0)" } ?? "")]  (\(entry.reason))\n"
            out += "   cost \(Format.usd(entry.costUSD, source: entry.costSource))   checks \(Format.checks(entry.checks))"
            out += "   diff \(entry.diff.files) files +\(entry.diff.insertions) -\(entry.diff.deletions)\n"
            if let patch = entry.patchPath { out += "   patch    \(patch)\n" }
            out += "   worktree \(entry.worktree)\n"
            for finding in entry.findings { out += "   FLAGGED \(TerminalText.sanitize(finding.summary))\n" }
            for (verifier, note) in entry.notes.sorted(by: { $0.key < $1.key }) {
                // Verifier-written text: escape sequences must not reach the terminal.
                out += "   \(verifier): [\(TerminalText.sanitize(note.recommendation))] \(TerminalText.sanitize(note.summary))\n"
                for risk in note.risks { out += "      risk: \(TerminalText.sanitize(risk))\n" }
            }
            out += "\n"
        }
        out += "Apply one with `agon apply \(list.runID) AGENT`.\n"
        return out
    }
}
