import AgonCore
import Foundation

/// The prompt every competing agent gets: the task, how it is checked, where it may work, and
/// what it may spend. It names no other agent and never includes holdout checks.
public enum AgentPrompt {
    public static func render(spec: Spec, budget: ResolvedBudget) -> String {
        var out = "# Task: \(spec.title)\n\n"
        out += spec.body.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
        if !spec.acceptance.isEmpty {
            out += "## Acceptance\n\nYour change is accepted when these commands succeed, run from the repository root:\n\n"
            out += spec.acceptance.map { "- `\($0)`" }.joined(separator: "\n") + "\n\n"
        }
        if !spec.paths.isEmpty {
            out += "## Scope\n\nChange only files matching: " + spec.paths.map { "`\($0)`" }.joined(separator: ", ")
            out += ". Changes elsewhere are reported as scope violations.\n\n"
        }
        out += "## Budget\n\n"
        if let cap = budget.maxCostUSD, !budget.isTallyOnly {
            out += "You may spend at most \(Format.usd(cap)) of model usage; you are stopped the moment you cross it, "
            out += "and whatever you have written by then is what gets judged.\n"
        } else {
            out += "Your cost is measured but not capped.\n"
        }
        out += "You have \(Format.duration(seconds: budget.hardTimeout)) of wall-clock time; "
        out += "\(Format.duration(seconds: budget.silenceTimeout)) without any output ends the run.\n\n"
        out += """
        ## Rules

        - Work only inside the current directory (a git worktree of the repository). Do not read or write outside it.
        - Leave your changes uncommitted in the working tree: Agon snapshots them itself.
        - Do not touch `.git`, do not switch branches, do not push.
        - When you are done, stop. Your result is judged on the diff you leave and on the acceptance commands.

        """
        return out
    }
}
