import AgonCore
import AgonGit
import AgonStore
import Foundation

/// The repository's worktrees kept for reuse, so a run pays a checkout of what changed instead of
/// every file. A pooled worktree is parked at `<worktree_root>/_pool/<id>` with git metadata
/// `agon-pool-<id>`. Every worktree Agon hands to a candidate gets a handover record,
/// `.agon/worktrees/<metadata name>.json` (commit and filesystem time of the handover): reuse trusts
/// no file touched after it, and a worktree without one is never pooled. Callers hold
/// `WorktreeSet.acrossProcesses` around everything that changes the pool.
struct WorktreePool {
    let workspace: Workspace

    static let namePrefix = "agon-pool-"

    /// Where parked worktrees live.
    var directory: String { workspace.worktreeRoot + "/_pool" }
    var recordsDirectory: URL { workspace.layout.agonDirectory.appendingPathComponent("worktrees", isDirectory: true) }
    var capacity: Int { workspace.config.defaults.effectivePoolSize }

    /// A parked worktree that can be reused.
    struct Entry {
        let name: String
        let path: String
        let handover: WorktreeHandover
    }

    /// A handover record as stored.
    struct Record: Codable {
        var path: String
        var commit: String
        var seconds: Int64
        var nanoseconds: Int64

        var handover: WorktreeHandover? {
            ObjectID(hex: commit).map { WorktreeHandover(commit: $0, seconds: seconds, nanoseconds: nanoseconds) }
        }
    }

    // MARK: Handover records

    /// Records that the worktrees `names` (at `paths`) were handed over now, holding `commit`.
    func recordHandover(_ worktrees: [(name: String, path: String)], commit: ObjectID, probeDirectory: String) throws {
        let handover = try WorktreeHandover.now(commit: commit, directory: probeDirectory)
        for worktree in worktrees {
            try write(Record(path: worktree.path, commit: commit.hex, seconds: handover.seconds, nanoseconds: handover.nanoseconds),
                      for: worktree.name)
        }
    }

    func record(for name: String) -> Record? {
        guard let data = try? Data(contentsOf: recordURL(name)) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: data)
    }

    func forget(_ name: String) {
        try? FileManager.default.removeItem(at: recordURL(name))
    }

    private func write(_ record: Record, for name: String) throws {
        try AtomicFile.write(try JSONEncoder().encode(record), to: recordURL(name))
    }

    private func recordURL(_ name: String) -> URL { recordsDirectory.appendingPathComponent(name + ".json") }

    // MARK: Entries

    /// The usable entries, oldest name first. An entry whose record, metadata or directory is
    /// missing or unreadable is deleted here, never offered.
    func entries(_ repository: GitRepository) -> [Entry] {
        let fm = FileManager.default
        var names = Set<String>()
        let records = (try? fm.contentsOfDirectory(atPath: recordsDirectory.path)) ?? []
        names.formUnion(records.filter { $0.hasPrefix(Self.namePrefix) && $0.hasSuffix(".json") }.map { String($0.dropLast(5)) })
        let metadata = (try? fm.contentsOfDirectory(atPath: repository.commonDir + "/worktrees")) ?? []
        names.formUnion(metadata.filter { $0.hasPrefix(Self.namePrefix) })
        let parked = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        names.formUnion(parked.filter { !$0.hasPrefix(".") }.map { Self.namePrefix + $0 })

        var usable: [Entry] = []
        for name in names.sorted() {
            let id = String(name.dropFirst(Self.namePrefix.count))
            let record = record(for: name)
            // Only a `_pool/<id>` directory is ever moved or deleted, whatever a record says.
            let path = record.map(\.path).flatMap { Self.isPoolPath($0, id: id) ? $0 : nil }
            var isDirectory: ObjCBool = false
            if let path, let handover = record?.handover,
               fm.fileExists(atPath: repository.commonDir + "/worktrees/" + name),
               fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                usable.append(Entry(name: name, path: path, handover: handover))
            } else {
                delete(name: name, path: path ?? directory + "/" + id, repository)
            }
        }
        return usable
    }

    /// Parks worktree `name` (the branch it had stays; the caller deletes it) when it has a
    /// handover record and the pool has room; returns false when it was not parked.
    func park(_ name: String, _ repository: GitRepository) -> Bool {
        guard capacity > 0, let record = record(for: name), let handover = record.handover,
              entries(repository).count < capacity else { return false }
        let id = Self.randomID()
        let parkedName = Self.namePrefix + id
        let path = directory + "/" + id
        do {
            try repository.parkWorktree(name, as: parkedName, path: path, commit: handover.commit)
            try write(Record(path: path, commit: record.commit, seconds: record.seconds, nanoseconds: record.nanoseconds), for: parkedName)
        } catch {
            // The worktree may be half moved: whatever is left is removed by the caller or by `entries`.
            return false
        }
        forget(name)
        return true
    }

    /// Parks run `runID`'s worktrees while the pool has room and removes the rest (branches stay);
    /// returns the paths of both.
    func retireRun(_ runID: String, _ repository: GitRepository) throws -> (pooled: [String], removed: [String]) {
        var pooled: [String] = [], removed: [String] = []
        for worktree in try WorktreeSet.all(in: repository, runID: runID) {
            if park(worktree.name, repository) {
                pooled.append(worktree.path)
            } else {
                try repository.removeWorktree(worktree.name, deleteBranch: false)
                forget(worktree.name)
                removed.append(worktree.path)
            }
        }
        return (pooled, removed)
    }

    /// `keep_worktrees: false`: a finished run's worktrees go back to the pool at once (or are
    /// removed); branches and records stay. A failure is reported, not fatal: the run is done.
    func retireFinishedRun(_ runID: String, progress: ProgressSink) {
        do {
            let repository = try workspace.repository()
            try WorktreeSet.acrossProcesses(workspace) {
                _ = try retireRun(runID, repository)
                // Only empty directories are left (e.g. `_holdout/`) once git knows no worktree of the run.
                if try WorktreeSet.all(in: repository, runID: runID).isEmpty {
                    try? FileManager.default.removeItem(atPath: workspace.worktreeRoot + "/" + runID)
                }
            }
        } catch {
            progress.note("warning: could not return run \(runID)'s worktrees to the pool: \(error)")
        }
    }

    /// Takes up to `count` entries out of the pool (their records go: each is used at most once).
    func take(_ count: Int, _ repository: GitRepository) -> [Entry] {
        guard count > 0 else { return [] }
        let taken = Array(entries(repository).prefix(count))
        for entry in taken { forget(entry.name) }
        return taken
    }

    /// Deletes every entry, damaged ones included; returns how many there were.
    @discardableResult
    func removeAll(_ repository: GitRepository) -> Int {
        let all = entries(repository)
        for entry in all { delete(name: entry.name, path: entry.path, repository) }
        try? FileManager.default.removeItem(atPath: directory)
        return all.count
    }

    /// True when `path` ends in `_pool/<id>`.
    static func isPoolPath(_ path: String, id: String) -> Bool {
        let url = URL(fileURLWithPath: path)
        return !id.isEmpty && url.lastPathComponent == id && url.deletingLastPathComponent().lastPathComponent == "_pool"
    }

    private func delete(name: String, path: String, _ repository: GitRepository) {
        repository.deleteWorktreeEntry(name: name, path: path)
        forget(name)
    }

    private static func randomID() -> String {
        String((0..<10).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }
}
