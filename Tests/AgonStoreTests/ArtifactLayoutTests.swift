import AgonCore
import AgonStore
import AgonTestSupport
import Foundation
import Testing

@Suite struct ArtifactLayoutTests {
    @Test func pathsFollowTheDocumentedLayout() {
        let layout = ArtifactLayout(root: URL(fileURLWithPath: "/repo"))
        #expect(layout.databaseURL.path == "/repo/.agon/agon.sqlite")
        #expect(layout.holdoutDirectory.path == "/repo/.agon/holdout")
        #expect(layout.manifest("r1").path == "/repo/.agon/runs/r1/manifest.json")
        #expect(layout.spec("r1").path == "/repo/.agon/runs/r1/spec.md")
        #expect(layout.prompt("r1").path == "/repo/.agon/runs/r1/prompt.md")
        #expect(layout.runSnapshot("r1").path == "/repo/.agon/runs/r1/run.json")
        #expect(layout.consensus("r1").path == "/repo/.agon/runs/r1/consensus.json")
        #expect(layout.patch("r1", agent: "gpt").path == "/repo/.agon/runs/r1/candidates/gpt/patch.diff")
        #expect(layout.transcript("r1", agent: "gpt").path == "/repo/.agon/runs/r1/candidates/gpt/transcript.jsonl")
        #expect(layout.stderr("r1", agent: "gpt").path == "/repo/.agon/runs/r1/candidates/gpt/stderr.log")
        #expect(layout.checkLog("r1", agent: "gpt", kind: .holdout, index: 2).path
                == "/repo/.agon/runs/r1/candidates/gpt/checks/holdout-2.log")
        #expect(layout.packet("r1", verifier: "judge-a").path == "/repo/.agon/runs/r1/reviews/judge-a/packet.md")
        #expect(layout.verdict("r1", verifier: "judge-a").path == "/repo/.agon/runs/r1/reviews/judge-a/verdict.json")
        #expect(layout.rawVerdict("r1", verifier: "judge-a").path == "/repo/.agon/runs/r1/reviews/judge-a/raw.txt")
    }

    @Test func namesCannotEscapeTheirDirectory() {
        let layout = ArtifactLayout(root: URL(fileURLWithPath: "/repo"))
        #expect(ArtifactLayout.component("claude-sonnet_4.6") == "claude-sonnet_4.6")
        #expect(ArtifactLayout.component("..") == "%2E.")
        #expect(ArtifactLayout.component("a/b") == "a%2Fb")
        #expect(ArtifactLayout.component("") == "%00")
        let patch = layout.patch("r1", agent: "../../../etc").path
        #expect(patch.hasPrefix("/repo/.agon/runs/r1/candidates/"))
        #expect(!patch.contains("/../"))
    }

    @Test func recordedPathsAreRelativeToTheRoot() {
        let layout = ArtifactLayout(root: URL(fileURLWithPath: "/repo/"))
        let patch = layout.patch("r1", agent: "gpt")
        #expect(layout.relativePath(patch) == ".agon/runs/r1/candidates/gpt/patch.diff")
        #expect(layout.resolve(layout.relativePath(patch)).path == patch.path)
        #expect(layout.relativePath(URL(fileURLWithPath: "/elsewhere/x")) == "/elsewhere/x")
        #expect(layout.relativePath(URL(fileURLWithPath: "/repository/x")) == "/repository/x")
    }

    @Test func atomicWriteReplacesContentAndLeavesNoTemporaryFiles() throws {
        let dir = try TemporaryDirectory()
        let target = dir.url.appendingPathComponent("nested/deeper/file.json")
        try AtomicFile.write("first", to: target)
        try AtomicFile.write("second, longer content", to: target)
        #expect(try String(contentsOf: target, encoding: .utf8) == "second, longer content")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path)
        #expect(leftovers == ["file.json"])
    }

    @Test func failedAtomicWriteLeavesTheOldFileAndNoTemporary() throws {
        let dir = try TemporaryDirectory()
        // The target is a non-empty directory, so the final rename must fail.
        let target = dir.url.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("child"), withIntermediateDirectories: true)
        #expect(throws: StoreError.self) { try AtomicFile.write("x", to: target) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["occupied"])
    }

    @Test func runSnapshotAndConsensusFilesRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let layout = ArtifactLayout(root: dir.url)
        let run = Fixtures.run("r1")
        try layout.writeRunSnapshot(run)
        #expect(try layout.readRunSnapshot("r1") == run)
        try layout.writeConsensus(Fixtures.consensus, runID: "r1")
        let data = try Data(contentsOf: layout.consensus("r1"))
        let doc = try AgonJSON.decoder.decode(VersionedDocument<ConsensusRecord>.self, from: data)
        #expect(doc.body == Fixtures.consensus)
        #expect(String(decoding: data, as: UTF8.self).contains("\"schema_version\""))
        try layout.removeRunDirectory("r1")
        #expect(!FileManager.default.fileExists(atPath: layout.runDirectory("r1").path))
        try layout.removeRunDirectory("r1") // already gone: no error
    }

    @Test func corruptSnapshotNamesTheFileAndField() throws {
        let dir = try TemporaryDirectory()
        let layout = ArtifactLayout(root: dir.url)
        try AtomicFile.write(#"{"schema_version": 1, "run_id": 5}"#, to: layout.runSnapshot("r1"))
        do {
            _ = try layout.readRunSnapshot("r1")
            Issue.record("read a corrupt snapshot")
        } catch let error as StoreError {
            #expect(error.description.contains("run.json"))
            #expect(error.description.contains("run_id"))
        }
    }
}

@Suite struct ArtifactRootTests {
    @Test func artifactRootMovesRunArtifactsOnly() {
        let layout = ArtifactLayout(root: URL(fileURLWithPath: "/repo"), artifactRoot: URL(fileURLWithPath: "/mnt/team/agon/"))
        #expect(layout.patch("r1", agent: "gpt").path == "/mnt/team/agon/runs/r1/candidates/gpt/patch.diff")
        #expect(layout.packet("r1", verifier: "j").path == "/mnt/team/agon/runs/r1/reviews/j/packet.md")
        // The index, holdout scripts and locks stay with the repository.
        #expect(layout.databaseURL.path == "/repo/.agon/agon.sqlite")
        #expect(layout.holdoutDirectory.path == "/repo/.agon/holdout")
        // Records keep artifact paths outside the repository absolute, and resolve them back.
        let patch = layout.patch("r1", agent: "gpt")
        #expect(layout.relativePath(patch) == "/mnt/team/agon/runs/r1/candidates/gpt/patch.diff")
        #expect(layout.resolve(layout.relativePath(patch)) == patch)
    }
}
