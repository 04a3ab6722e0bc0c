import AgonCore
import AgonGit
import AgonStore
import Foundation

/// `agon apply RUN CANDIDATE`: the candidate's patch onto the main work tree, optionally
/// committed, recorded as a human pick for the leaderboard.
public struct CandidateApplier {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// What `agon apply` did.
    public struct Result: Codable {
        public var runID: String
        public var agent: String
        public var files: Int
        public var committed: Bool
        public var commitSHA: String?
        public var threeWay: Bool
        enum CodingKeys: String, CodingKey {
            case runID = "run_id", agent, files, committed, commitSHA = "commit_sha", threeWay = "three_way"
        }
    }

    public func apply(runID reference: String, agentID: String, commit: Bool, ontoCurrent: Bool) throws -> Result {
        let store = try workspace.storeForReading()
        let runID = try RunQueries.resolve(reference, in: store)
        guard let record = try store.run(runID) else { throw RunLookupError.notFound(reference: reference) }
        guard let candidate = record.candidate(agentID) else {
            throw RunLookupError.noCandidate(runID: runID, agent: agentID, candidates: record.candidates.map(\.agent))
        }
        guard candidate.diff.patchPath != nil, !candidate.diff.isEmpty else {
            throw ApplyError.nothingToApply(agent: agentID, runID: runID)
        }
        let patch = try SealedPatch.read(candidate, runID: runID, baseSHA: record.baseSHA, workspace: workspace)
        let repository = try workspace.repository()
        let dirty = try repository.dirtyPaths(includeUntracked: false)
        if !dirty.isEmpty {
            throw ApplyError.uncommittedChanges(paths: dirty)
        }
        let head = try repository.headCommit()
        var threeWay = false
        if head.hex != record.baseSHA {
            guard ontoCurrent else {
                throw ApplyError.headMoved(head: head.hex, base: record.baseSHA)
            }
            threeWay = true
        }
        // Untracked files in the way of the patch belong to the user: refuse rather than touch them.
        let paths = candidate.diff.changedPaths
        let inTheWay = paths.filter { path in
            FileManager.default.fileExists(atPath: workspace.root + "/" + path)
                && GitCommandLine.run(["ls-files", "--error-unmatch", "--", path], in: workspace.root).0 != 0
        }
        if !inTheWay.isEmpty {
            throw ApplyError.untrackedInTheWay(paths: inTheWay)
        }
        do {
            if threeWay {
                do {
                    try GitCommandLine.apply3Way(patch: patch, in: workspace.root)
                } catch {
                    // A failed 3-way apply leaves conflict markers; the tree was clean, so put
                    // every path the patch touches back the way HEAD has it.
                    GitCommandLine.restore(candidate.diff.changedPaths, in: workspace.root)
                    throw error
                }
            } else {
                try repository.apply(patch, toWorktree: workspace.root)
            }
        } catch {
            throw ApplyError.doesNotApply(agent: agentID, reason: "\(error)")
        }
        var commitSHA: String?
        if commit {
            // Only the patch's paths: the user's other untracked files are none of Agon's business.
            commitSHA = try GitCommandLine.commit(paths: paths, message: record.specTitle
                + "\n\nApplied with agon from run \(runID), candidate \(agentID).", in: workspace.root)
        }
        try store.recordPick(ApplyRecord(runID: runID, agent: agentID, appliedAt: Date(), committed: commit, commitSHA: commitSHA))
        return Result(runID: runID, agent: agentID, files: candidate.diff.files, committed: commit, commitSHA: commitSHA,
                      threeWay: threeWay)
    }
}

/// The few things Agon asks of the `git` CLI itself: a 3-way apply (libgit2 has none) and commits
/// made on the user's behalf (their identity and hooks apply).
enum GitCommandLine {
    static func apply3Way(patch: Data, in directory: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agon-\(UUID().uuidString).diff")
        try patch.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = run(["apply", "--3way", file.path], in: directory)
        if status != 0 { throw ApplyError.threeWayFailed(output: output.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Puts `paths` back to HEAD in the index and work tree; paths HEAD lacks are deleted.
    static func restore(_ paths: [String], in directory: String) {
        for path in paths {
            if run(["cat-file", "-e", "HEAD:\(path)"], in: directory).0 == 0 {
                _ = run(["checkout", "-f", "HEAD", "--", path], in: directory)
            } else {
                _ = run(["rm", "-q", "--cached", "--ignore-unmatch", "--", path], in: directory)
                try? FileManager.default.removeItem(atPath: directory + "/" + path)
            }
        }
    }

    /// Stages exactly `paths` and commits them as the user (their identity, their hooks).
    static func commit(paths: [String], message: String, in directory: String) throws -> String {
        let (added, addOutput) = run(["add", "-A", "--"] + paths, in: directory)
        if added != 0 { throw ApplyError.addFailed(output: addOutput.trimmingCharacters(in: .whitespacesAndNewlines)) }
        // The user's identity when git has one; otherwise a neutral one rather than failing.
        var identity: [String] = []
        if run(["config", "user.name"], in: directory).1.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            identity += ["-c", "user.name=agon"]
        }
        if run(["config", "user.email"], in: directory).1.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            identity += ["-c", "user.email=agon@localhost"]
        }
        let (status, output) = run(identity + ["commit", "-q", "-m", message, "--"] + paths, in: directory)
        if status != 0 {
            throw ApplyError.commitFailed(output: output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return run(["rev-parse", "HEAD"], in: directory).1.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func run(_ arguments: [String], in directory: String) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (127, "cannot run git: \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
