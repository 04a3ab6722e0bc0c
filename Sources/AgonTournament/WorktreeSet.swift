import AgonCore
import AgonGit
import Foundation

/// The worktrees of one run: `worktrees/<run-id>/<agent>` on branch `agon/<run-id>/<agent>`,
/// plus short-lived holdout worktrees. Creation is concurrent, one libgit2 handle per thread.
final class WorktreeSet: @unchecked Sendable {
    let workspace: Workspace
    let runID: String
    let directory: String
    let base: ObjectID

    init(workspace: Workspace, runID: String, base: ObjectID) {
        self.workspace = workspace
        self.runID = runID
        self.base = base
        self.directory = workspace.worktreeRoot + "/" + runID
    }

    func path(for agent: String) -> String { directory + "/" + agent }
    func branch(for agent: String) -> String { "agon/\(runID)/\(agent)" }
    static func name(runID: String, agent: String) -> String { GitRepository.safeWorktreeName("agon-\(runID)-\(agent)") }

    /// Creates fresh worktrees for `agents` at `base`, discarding any left from an earlier attempt.
    /// On failure every worktree this call created is removed again: nothing is left half-made.
    func create(agents: [String]) throws {
        guard !agents.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for agent in agents { try discard(agent) }
        var failures = [String?](repeating: nil, count: agents.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: agents.count) { index in
            let agent = agents[index]
            do {
                let repository = try workspace.repository()
                _ = try repository.addWorktree(name: Self.name(runID: runID, agent: agent), path: path(for: agent),
                                               branch: branch(for: agent), at: base)
            } catch {
                lock.lock(); failures[index] = "\(agent): \(error)"; lock.unlock()
            }
        }
        let problems = failures.compactMap { $0 }
        if !problems.isEmpty {
            for agent in agents { try? discard(agent) }
            throw WorkError("could not create worktrees: " + problems.joined(separator: "; "))
        }
    }

    /// Removes an agent's worktree and branch if they exist.
    func discard(_ agent: String) throws {
        let repository = try workspace.repository()
        let name = Self.name(runID: runID, agent: agent)
        if (try? repository.worktreeInfo(name)) != nil {
            try repository.removeWorktree(name, deleteBranch: true)
        } else {
            if FileManager.default.fileExists(atPath: path(for: agent)) {
                try FileManager.default.removeItem(atPath: path(for: agent))
            }
            if try repository.branchExists(branch(for: agent)) { try repository.deleteBranch(branch(for: agent)) }
        }
    }

    /// Scratch worktrees live under `_<purpose>/`: agent ids start with a letter or digit, so no
    /// agent's worktree or branch can collide with them.
    static func scratchName(_ purpose: String, _ id: String) -> String { "_\(purpose)/\(id)" }

    func holdoutName(_ agent: String) -> String { Self.scratchName("holdout", agent) }

    /// A fresh worktree of the base with `patch` applied, for the holdout checks.
    func createHoldout(for agent: String, applying patch: Data) throws -> String {
        let name = holdoutName(agent)
        try discard(name)
        let repository = try workspace.repository()
        _ = try repository.addWorktree(name: Self.name(runID: runID, agent: name), path: path(for: name),
                                       branch: branch(for: name), at: base)
        if !patch.isEmpty { try repository.apply(patch, toWorktree: path(for: name)) }
        return path(for: name)
    }

    func removeHoldout(for agent: String) {
        try? discard(holdoutName(agent))
    }

    /// Every worktree of this run that the repository knows, by name.
    static func all(in repository: GitRepository, runID: String?) throws -> [WorktreeInfo] {
        let prefix = runID.map { GitRepository.safeWorktreeName("agon-\($0)-") } ?? "agon-"
        return try repository.worktrees().filter { $0.name.hasPrefix(prefix) }
    }
}
