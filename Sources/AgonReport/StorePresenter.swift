import AgonCore
import AgonStore
import Foundation

/// `agon store migrate`: what was copied where.
public enum StorePresenter {
    /// Text, and the counts as JSON.
    public static func migration(_ result: StoreMigrationResult) -> CommandOutput {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        var text = "copied \(count(result.runsCopied, "run")) (\(count(result.candidatesCopied, "candidate")), "
        text += "\(count(result.reviewsCopied, "review")), \(count(result.picksCopied, "pick"))) "
        text += "from \(result.source) to \(result.target)\n"
        if result.runsAlreadyPresent > 0 {
            text += "skipped \(count(result.runsAlreadyPresent, "run")) already in the target (left as they are)\n"
        }
        return CommandOutput(text: text, value: VersionedDocument(result))
    }
}
