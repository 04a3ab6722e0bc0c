import AgonCore
import AgonGit
import AgonStore
import Foundation

/// The patch review sees and `apply` applies, checked against the record: its SHA-256 taken when
/// Agon wrote it, and the diff rebuilt from the candidate's snapshot commit. Anything that
/// rewrote `patch.diff` afterwards (a process left behind by an agent, a hand edit) is refused.
enum SealedPatch {
    static func read(_ candidate: CandidateRecord, runID: String, baseSHA: String, workspace: Workspace) throws -> Data {
        let layout = workspace.layout
        guard let patchPath = candidate.diff.patchPath else {
            throw SealedPatchError.missing(agent: candidate.agent, runID: runID)
        }
        let url = layout.resolve(patchPath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SealedPatchError.unreadable(agent: candidate.agent, path: layout.relativePath(url))
        }
        if let recorded = candidate.diff.patchSHA256 {
            let actual = SHA256Digest.hex(data)
            guard actual == recorded else {
                throw SealedPatchError.changedAfterRecording(path: layout.relativePath(url), actualSHA256: actual, recordedSHA256: recorded)
            }
        }
        if let snapshot = candidate.snapshotSHA.flatMap(ObjectID.init(hex:)), let base = ObjectID(hex: baseSHA) {
            let rebuilt = try workspace.repository().diff(from: base, to: snapshot).data
            guard rebuilt == data else {
                throw SealedPatchError.differsFromSnapshot(path: layout.relativePath(url), snapshotSHA: snapshot.hex)
            }
        }
        return data
    }
}
