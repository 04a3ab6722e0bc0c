import AgonCore
import AgonTournament
import Foundation

/// `agon clean`: what was removed, and which runs were left alone.
public enum CleanPresenter {
    /// Text, and the result as JSON.
    public static func output(_ result: Cleaner.Result) -> CommandOutput {
        var text = ""
        if result.cleanedRuns {
            text += "cleaned \(result.runs.count) run\(result.runs.count == 1 ? "" : "s"): "
            text += "\(result.worktreesRemoved.count) worktrees, \(result.branchesDeleted.count) branches removed"
            if !result.worktreesPooled.isEmpty { text += ", \(result.worktreesPooled.count) worktrees kept for reuse" }
        }
        if result.processesKilled > 0 { text += ", \(result.processesKilled) leftover processes killed" }
        if result.cleanedRuns { text += result.purged ? "; records and artifacts deleted\n" : "; records kept (`--purge` deletes them)\n" }
        if let removed = result.poolEntriesRemoved {
            text += "emptied the worktree pool: \(removed) worktree\(removed == 1 ? "" : "s") deleted\n"
        }
        if !result.skipped.isEmpty {
            text += "skipped \(result.skipped.joined(separator: ", ")): still being run by another agon process\n"
        }
        return CommandOutput(text: text, value: VersionedDocument(result))
    }
}
