import AgonCore
import AgonTournament
import Foundation

/// `agon apply`: which patch went where, and whether it was committed.
public enum ApplyPresenter {
    /// Text, and the result as JSON.
    public static func output(_ result: CandidateApplier.Result) -> CommandOutput {
        let text = "applied \(result.agent)'s patch from run \(result.runID) (\(result.files) files)"
            + (result.threeWay ? " with a 3-way merge onto HEAD" : "")
            + (result.commitSHA.map { "; committed \($0.prefix(10))" } ?? "; not committed") + "\n"
        return CommandOutput(text: text, value: VersionedDocument(result))
    }
}
