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
            throw WorkError("candidate \(candidate.agent) of run \(runID) has no stored patch")
        }
        let url = layout.resolve(patchPath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw WorkError("cannot read \(candidate.agent)'s patch \(layout.relativePath(url))")
        }
        let fix = "; `agon run --resume` cannot repair a sealed record: rerun the spec, or inspect the file by hand"
        if let recorded = candidate.diff.patchSHA256 {
            let actual = SHA256Digest.hex(data)
            guard actual == recorded else {
                throw WorkError("\(layout.relativePath(url)) was changed after it was recorded (sha256 \(actual.prefix(12)), "
                    + "recorded \(recorded.prefix(12))): refusing to use it" + fix)
            }
        }
        if let snapshot = candidate.snapshotSHA.flatMap(ObjectID.init(hex:)), let base = ObjectID(hex: baseSHA) {
            let rebuilt = try workspace.repository().diff(from: base, to: snapshot).data
            guard rebuilt == data else {
                throw WorkError("\(layout.relativePath(url)) differs from the diff of its snapshot commit "
                    + "\(snapshot.hex.prefix(10)): refusing to use it" + fix)
            }
        }
        return data
    }
}
