import AgonCore
import Foundation

/// `defaults.worktree_root` must be a directory Agon can own for this repository alone: not `/`,
/// not the repository root, not inside `.git` or `.agon`, and (outside the repository) not
/// claimed by another repository, so no `clean` of one repository can reach another's runs.
enum WorktreeRootCheck {
    /// The file naming the repository that owns a worktree root outside it.
    static let markerName = ".agon-repository"

    static func problem(_ workspace: Workspace) -> String? {
        let root = workspace.worktreeRoot
        if root == "/" { return "is the filesystem root" }
        if root == workspace.root { return "is the repository itself; use a subdirectory such as `worktrees`" }
        for reserved in [".git", ".agon"] where SandboxLayout.isInside(root, workspace.root + "/" + reserved) {
            return "lies inside \(reserved)/"
        }
        if SandboxLayout.isInside(workspace.root, root) { return "contains the repository" }
        if !SandboxLayout.isInside(root, workspace.root),
           let owner = try? String(contentsOfFile: root + "/" + markerName, encoding: .utf8),
           owner.trimmingCharacters(in: .whitespacesAndNewlines) != workspace.root {
            return "already holds the runs of another repository (\(owner.trimmingCharacters(in: .whitespacesAndNewlines))); give each repository its own"
        }
        return nil
    }

    /// Throws the one-line input error for a bad root.
    static func validate(_ workspace: Workspace) throws {
        if let problem = problem(workspace) {
            throw AgonInputError(file: workspace.configPath.map(workspace.relative) ?? "agon.yml", field: "defaults.worktree_root",
                                 message: "\(workspace.worktreeRoot) \(problem)")
        }
    }

    /// Marks a root outside the repository as this repository's.
    static func claim(_ workspace: Workspace) throws {
        let root = workspace.worktreeRoot
        guard !SandboxLayout.isInside(root, workspace.root) else { return }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let marker = root + "/" + markerName
        if !FileManager.default.fileExists(atPath: marker) { try Data((workspace.root + "\n").utf8).write(to: URL(fileURLWithPath: marker)) }
    }
}
