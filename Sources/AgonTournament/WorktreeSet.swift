import AgonCore
import AgonGit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Creates worktrees for `agents` at `base`, reusing pooled ones where it can (see
    /// `WorktreePool`) and otherwise checking out fresh ones; worktrees left from an earlier attempt
    /// go back to the pool first (or are deleted). Every worktree made gets a handover record.
    /// On failure every worktree this call created is removed again: nothing is left half-made.
    func create(agents: [String]) throws {
        guard !agents.isEmpty else { return }
        try WorktreeRootCheck.claim(workspace)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pool = WorktreePool(workspace: workspace)
        let keepIgnored = workspace.config.defaults.poolKeepIgnored
        var failures = [String?](repeating: nil, count: agents.count)
        try Self.acrossProcesses(workspace) {
            let repository = try workspace.repository()
            for agent in agents { try retire(agent, to: pool, repository) }
            let entries = pool.take(agents.count, repository)
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: agents.count) { index in
                let agent = agents[index]
                // A pooled entry that cannot be reused is deleted by recycleWorktree; a fresh one replaces it.
                if index < entries.count, (try? recycle(entries[index], for: agent, keepIgnored: keepIgnored)) != nil {
                    return
                }
                do {
                    try addWithRetry(agent)
                } catch {
                    lock.lock(); failures[index] = "\(agent): \(error)"; lock.unlock()
                }
            }
        }
        let problems = failures.compactMap { $0 }
        if !problems.isEmpty {
            for agent in agents { try? discard(agent) }
            throw WorktreeSetupError.notCreated(problems: problems)
        }
        // Without a record the worktrees still work; they are just never pooled.
        try? pool.recordHandover(agents.map { (Self.name(runID: runID, agent: $0), path(for: $0)) }, commit: base, probeDirectory: directory)
    }

    private func recycle(_ entry: WorktreePool.Entry, for agent: String, keepIgnored: Bool) throws {
        let repository = try workspace.repository()
        try repository.recycleWorktree(entry.name, path: entry.path, handover: entry.handover,
                                       as: Self.name(runID: runID, agent: agent), path: path(for: agent),
                                       branch: branch(for: agent), at: base, keepIgnored: keepIgnored)
    }

    /// Returns an agent's worktree to the pool (or removes it when the pool cannot take it), and its branch.
    func release(_ agent: String) throws {
        let pool = WorktreePool(workspace: workspace)
        try Self.acrossProcesses(workspace) { try retire(agent, to: pool, try workspace.repository()) }
    }

    /// An agent's worktree from an earlier attempt goes back to the pool when it can, else is removed;
    /// its branch goes either way.
    private func retire(_ agent: String, to pool: WorktreePool, _ repository: GitRepository) throws {
        let name = Self.name(runID: runID, agent: agent)
        if (try? repository.worktreeInfo(name)) != nil, pool.park(name, repository) {
            if try repository.branchExists(branch(for: agent)) { try repository.deleteBranch(branch(for: agent)) }
            return
        }
        try discard(agent)
    }

    /// libgit2 checks that a branch is not checked out elsewhere by reading every worktree's
    /// metadata; another `agon` process creating its own worktree at that moment leaves an entry
    /// half-written, which reads as "reference is already checked out". Our branch names are
    /// unique per run, so that answer is transient: retry a few times (a failed add leaves nothing).
    /// So is "failed to make directory": a branch deleted by another thread (a pooled worktree that
    /// could not be reused) prunes the reflog directory this one is being created in.
    func addWithRetry(_ agent: String, attempts: Int = 6) throws {
        for attempt in 1...attempts {
            do {
                let repository = try workspace.repository()
                _ = try repository.addWorktree(name: Self.name(runID: runID, agent: agent), path: path(for: agent),
                                               branch: branch(for: agent), at: base)
                return
            } catch let error as GitError where attempt < attempts
                        && (error.message.contains("already checked out") || error.message.contains("failed to make directory")) {
                try? discard(agent)   // whatever the failed attempt left (its branch)
                usleep(useconds_t(25_000 * attempt + Int.random(in: 0..<25_000)))
            }
        }
    }

    /// Runs `body` holding the repository's worktree-metadata lock (`GitRepository.withWorktreeMetadataLock`).
    static func acrossProcesses<T>(_ workspace: Workspace, _ body: () throws -> T) throws -> T {
        try workspace.repository().withWorktreeMetadataLock(body)
    }

    /// Removes an agent's worktree, branch and handover record if they exist.
    func discard(_ agent: String) throws {
        let repository = try workspace.repository()
        let name = Self.name(runID: runID, agent: agent)
        WorktreePool(workspace: workspace).forget(name)
        if (try? repository.worktreeInfo(name)) != nil {
            try repository.removeWorktree(name, deleteBranch: true)
        } else {
            // A worker killed while adding this worktree leaves metadata libgit2 cannot read.
            try repository.removeHalfMadeWorktree(name)
            if FileManager.default.fileExists(atPath: path(for: agent)) {
                try FileManager.default.removeItem(atPath: path(for: agent))
            }
            if try repository.branchExists(branch(for: agent)) { try repository.deleteBranch(branch(for: agent)) }
        }
    }

    /// Rewrites the worktree's `.git` link to its own admin dir: an agent could point it at a
    /// rival's, and Agon's snapshot would then commit onto the rival's branch and index.
    func restoreGitLink(_ agent: String) throws {
        let repository = try workspace.repository()
        let link = path(for: agent) + "/.git"
        let admin = repository.commonDir + "/worktrees/" + Self.name(runID: runID, agent: agent)
        let wanted = "gitdir: " + admin + "\n"
        if (try? String(contentsOfFile: link, encoding: .utf8)) == wanted { return }
        try? FileManager.default.removeItem(atPath: link)
        try Data(wanted.utf8).write(to: URL(fileURLWithPath: link))
    }

    /// The worktree's index file as bytes' SHA-256 (nil when absent): whether an agent wrote it.
    func indexStamp(_ agent: String) -> String? {
        guard let commonDir = try? workspace.repository().commonDir,
              let data = FileManager.default.contents(atPath: commonDir + "/worktrees/" + Self.name(runID: runID, agent: agent) + "/index")
        else { return nil }
        return SHA256Digest.hex(data)
    }

    /// Scratch worktrees live under `_<purpose>/`: agent ids start with a letter or digit, so no
    /// agent's worktree or branch can collide with them.
    static func scratchName(_ purpose: String, _ id: String) -> String { "_\(purpose)/\(id)" }

    func holdoutName(_ agent: String) -> String { Self.scratchName("holdout", agent) }

    /// A fresh worktree of the base with `patch` applied, for the holdout checks.
    func createHoldout(for agent: String, applying patch: Data) throws -> String {
        let name = holdoutName(agent)
        try Self.acrossProcesses(workspace) {
            try discard(name)
            try addWithRetry(name)
        }
        let repository = try workspace.repository()
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
