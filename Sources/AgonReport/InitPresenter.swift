import AgonCore
import AgonTournament
import Foundation

/// `agon init`: what was created and what to do next.
public enum InitPresenter {
    /// Text, and the result as JSON.
    public static func output(_ result: Initializer.Result) -> CommandOutput {
        let text = "created \(result.created.joined(separator: " and "))\n"
            + (result.excluded.isEmpty ? "" : "excluded \(result.excluded.joined(separator: " ")) in .git/info/exclude\n")
            + "next: edit agon.yml, then `agon validate specs/example.md`\n"
        return CommandOutput(text: text, value: VersionedDocument(result))
    }
}
