import AgonCore
import Foundation

/// Where Agon keeps everything under a repository's `.agon/` directory.
///
/// ```
/// .agon/agon.sqlite                       the index (RunStore)
/// .agon/holdout/                          holdout scripts: outside every worktree, so no agent sees them
/// .agon/runs/<run-id>/manifest.json       CLI versions, models, prices, base SHA (written before agents start)
///                     spec.md, prompt.md  the spec as run and the prompt agents got
///                     run.json            the full RunRecord snapshot
///                     consensus.json
///                     candidates/<agent>/patch.diff, transcript.jsonl, stderr.log, checks/<kind>-<n>.log
///                     reviews/<verifier>/packet.md, verdict.json, raw.txt
/// ```
///
/// Agent, verifier and run ids become single path components; anything that could escape the
/// directory (`/`, a leading `.`, control characters) is percent-escaped.
public struct ArtifactLayout: Sendable, Equatable {
    /// The repository root (the directory containing `.agon/`).
    public let root: URL
    /// Where run artifacts go instead of `.agon/` (agon.yml's `artifact_root:`, a path all
    /// machines of a team share); nil keeps them under `.agon/`.
    public let artifactRoot: URL?

    public init(root: URL, artifactRoot: URL? = nil) {
        self.root = root.standardizedFileURL
        self.artifactRoot = artifactRoot?.standardizedFileURL
    }

    public var agonDirectory: URL { root.appendingPathComponent(".agon", isDirectory: true) }
    public var databaseURL: URL { agonDirectory.appendingPathComponent("agon.sqlite") }
    /// `.agon/runs/`, or `<artifact_root>/runs/` when one is configured.
    public var runsDirectory: URL { (artifactRoot ?? agonDirectory).appendingPathComponent("runs", isDirectory: true) }
    /// Holdout scripts named by specs live here (never inside a worktree).
    public var holdoutDirectory: URL { agonDirectory.appendingPathComponent("holdout", isDirectory: true) }

    // MARK: Run

    public func runDirectory(_ runID: String) -> URL {
        runsDirectory.appendingPathComponent(Self.component(runID), isDirectory: true)
    }
    public func manifest(_ runID: String) -> URL { runDirectory(runID).appendingPathComponent("manifest.json") }
    public func spec(_ runID: String) -> URL { runDirectory(runID).appendingPathComponent("spec.md") }
    public func prompt(_ runID: String) -> URL { runDirectory(runID).appendingPathComponent("prompt.md") }
    public func consensus(_ runID: String) -> URL { runDirectory(runID).appendingPathComponent("consensus.json") }
    public func runSnapshot(_ runID: String) -> URL { runDirectory(runID).appendingPathComponent("run.json") }

    // MARK: Candidate

    public func candidateDirectory(_ runID: String, agent: String) -> URL {
        runDirectory(runID).appendingPathComponent("candidates", isDirectory: true)
            .appendingPathComponent(Self.component(agent), isDirectory: true)
    }
    public func patch(_ runID: String, agent: String) -> URL {
        candidateDirectory(runID, agent: agent).appendingPathComponent("patch.diff")
    }
    public func transcript(_ runID: String, agent: String) -> URL {
        candidateDirectory(runID, agent: agent).appendingPathComponent("transcript.jsonl")
    }
    public func stderr(_ runID: String, agent: String) -> URL {
        candidateDirectory(runID, agent: agent).appendingPathComponent("stderr.log")
    }
    /// Output of the `index`-th (1-based) command of one check kind.
    public func checkLog(_ runID: String, agent: String, kind: CheckKind, index: Int) -> URL {
        candidateDirectory(runID, agent: agent).appendingPathComponent("checks", isDirectory: true)
            .appendingPathComponent("\(kind.rawValue)-\(index).log")
    }

    // MARK: Review

    public func reviewDirectory(_ runID: String, verifier: String) -> URL {
        runDirectory(runID).appendingPathComponent("reviews", isDirectory: true)
            .appendingPathComponent(Self.component(verifier), isDirectory: true)
    }
    public func packet(_ runID: String, verifier: String) -> URL {
        reviewDirectory(runID, verifier: verifier).appendingPathComponent("packet.md")
    }
    public func verdict(_ runID: String, verifier: String) -> URL {
        reviewDirectory(runID, verifier: verifier).appendingPathComponent("verdict.json")
    }
    /// The verifier's raw reply, kept when its verdict could not be parsed.
    public func rawVerdict(_ runID: String, verifier: String) -> URL {
        reviewDirectory(runID, verifier: verifier).appendingPathComponent("raw.txt")
    }

    // MARK: Paths in records

    /// `url` relative to the repository root (how records store artifact paths), or its absolute
    /// path when it lies outside the root.
    public func relativePath(_ url: URL) -> String {
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(rootPath) ? String(path.dropFirst(rootPath.count)) : path
    }

    /// Resolves a path stored in a record (relative to the root, or absolute).
    public func resolve(_ recordedPath: String) -> URL {
        recordedPath.hasPrefix("/") ? URL(fileURLWithPath: recordedPath)
                                    : root.appendingPathComponent(recordedPath)
    }

    // MARK: Writing

    /// Writes `record` to `run.json` atomically.
    public func writeRunSnapshot(_ record: RunRecord) throws {
        try AtomicFile.write(try AgonJSON.encoder.encode(record), to: runSnapshot(record.runID))
    }

    /// Reads `run.json` (the fallback when the database lost a run).
    public func readRunSnapshot(_ runID: String) throws -> RunRecord {
        let url = runSnapshot(runID)
        let data = try Data(contentsOf: url)
        do {
            return try AgonJSON.decoder.decode(RunRecord.self, from: data)
        } catch {
            throw StoreError.corruptFile(path: url.path, detail: StoreError.describe(error))
        }
    }

    /// Writes `consensus.json` atomically, with `schema_version`.
    public func writeConsensus(_ consensus: ConsensusRecord, runID: String) throws {
        try AtomicFile.write(try AgonJSON.encoder.encode(VersionedDocument(consensus)), to: self.consensus(runID))
    }

    /// Removes a run's whole directory (for `agon clean --purge`); no error if it is already gone.
    public func removeRunDirectory(_ runID: String) throws {
        let dir = runDirectory(runID)
        if FileManager.default.fileExists(atPath: dir.path) {
            try FileManager.default.removeItem(at: dir)
        }
    }

    /// A name usable as exactly one path component: unchanged when it is plain
    /// (`[A-Za-z0-9_.@+-]`, not starting with `.`), otherwise percent-escaped byte by byte.
    public static func component(_ name: String) -> String {
        let plain = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@+-".utf8)
        var out = ""
        for (i, byte) in name.utf8.enumerated() {
            if plain.contains(byte), !(i == 0 && byte == UInt8(ascii: ".")) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out.isEmpty ? "%00" : out
    }
}
