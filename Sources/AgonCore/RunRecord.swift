import Foundation

// The records Agon keeps about a run: what was planned, what each candidate did, what each
// verifier said, and the merged consensus. Pure Codable values; the JSON keys are snake_case
// and spelled out in explicit CodingKeys so they never drift with a Swift rename.
// Optional fields encode as `null` rather than being omitted, so `--json` consumers always
// see the same keys.
// MARK: - Run

/// Lifecycle of a run, as stored and shown by `agon status`.
public enum RunStatus: String, CaseIterable, Codable, Sendable {
    case planned, running, reviewing, done, interrupted, failed

    /// Whether the run has stopped changing (only `--resume` can move it again).
    public var isTerminal: Bool { self == .done || self == .interrupted || self == .failed }
}

/// Everything Agon knows about one run of one spec: the `run.json` snapshot and `agon show --json`.
public struct RunRecord: Codable, Equatable, Sendable {
    /// Version of this document's shape; see `AgonJSON.schemaVersion`.
    public var schemaVersion: Int
    public var runID: String
    /// The spec's path relative to the repository root.
    public var specPath: String
    public var specTitle: String
    /// Content hash of the spec as run (detects a spec edited between runs).
    public var specHash: String
    public var baseRef: String
    public var baseSHA: String
    public var status: RunStatus
    public var createdAt: Date
    public var finishedAt: Date?
    public var agentsPlanned: [String]
    public var verifiersPlanned: [String]
    public var manifestPath: String?
    /// Whether the repository had uncommitted changes when the run started (they are not in the base).
    public var dirtyAtStart: Bool
    public var candidates: [CandidateRecord]
    public var reviews: [ReviewRecord]
    public var consensus: ConsensusRecord?
    /// What a cascade did (`strategy: cascade`); nil for runs that started every agent at once.
    /// Encoded only when set.
    public var cascade: CascadeRecord?
    /// Set when a candidate changed after the run's review and consensus (`agon followup`); cleared
    /// by `agon review RUN`. Until then the reviews and consensus describe earlier patches.
    public var reviewStale: Bool = false

    public init(schemaVersion: Int = AgonJSON.schemaVersion, runID: String, specPath: String, specTitle: String,
                specHash: String, baseRef: String, baseSHA: String, status: RunStatus = .planned,
                createdAt: Date, finishedAt: Date? = nil, agentsPlanned: [String] = [],
                verifiersPlanned: [String] = [], manifestPath: String? = nil, dirtyAtStart: Bool = false,
                candidates: [CandidateRecord] = [], reviews: [ReviewRecord] = [], consensus: ConsensusRecord? = nil) {
        self.schemaVersion = schemaVersion
        self.runID = runID
        self.specPath = specPath
        self.specTitle = specTitle
        self.specHash = specHash
        self.baseRef = baseRef
        self.baseSHA = baseSHA
        self.status = status
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.agentsPlanned = agentsPlanned
        self.verifiersPlanned = verifiersPlanned
        self.manifestPath = manifestPath
        self.dirtyAtStart = dirtyAtStart
        self.candidates = candidates
        self.reviews = reviews
        self.consensus = consensus
    }

    /// The candidate for `agent`, if it has been recorded.
    public func candidate(_ agent: String) -> CandidateRecord? { candidates.first { $0.agent == agent } }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", runID = "run_id", specPath = "spec", specTitle = "spec_title"
        case specHash = "spec_hash", baseRef = "base_ref", baseSHA = "base_sha", status
        case createdAt = "created_at", finishedAt = "finished_at", agentsPlanned = "agents_planned"
        case verifiersPlanned = "verifiers_planned", manifestPath = "manifest_path", dirtyAtStart = "dirty_at_start"
        case candidates, reviews, consensus
        case cascade
        case reviewStale = "review_stale"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try AgonJSON.decodeSchemaVersion(c, forKey: .schemaVersion)
        runID = try c.decode(String.self, forKey: .runID)
        specPath = try c.decode(String.self, forKey: .specPath)
        specTitle = try c.decode(String.self, forKey: .specTitle)
        specHash = try c.decode(String.self, forKey: .specHash)
        baseRef = try c.decode(String.self, forKey: .baseRef)
        baseSHA = try c.decode(String.self, forKey: .baseSHA)
        status = try c.decode(RunStatus.self, forKey: .status)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        finishedAt = try c.decodeIfPresent(Date.self, forKey: .finishedAt)
        agentsPlanned = try c.decode([String].self, forKey: .agentsPlanned)
        verifiersPlanned = try c.decode([String].self, forKey: .verifiersPlanned)
        manifestPath = try c.decodeIfPresent(String.self, forKey: .manifestPath)
        dirtyAtStart = try c.decode(Bool.self, forKey: .dirtyAtStart)
        candidates = try c.decode([CandidateRecord].self, forKey: .candidates)
        reviews = try c.decode([ReviewRecord].self, forKey: .reviews)
        consensus = try c.decodeIfPresent(ConsensusRecord.self, forKey: .consensus)
        cascade = try c.decodeIfPresent(CascadeRecord.self, forKey: .cascade)
        reviewStale = try c.decodeIfPresent(Bool.self, forKey: .reviewStale) ?? false
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(runID, forKey: .runID)
        try c.encode(specPath, forKey: .specPath)
        try c.encode(specTitle, forKey: .specTitle)
        try c.encode(specHash, forKey: .specHash)
        try c.encode(baseRef, forKey: .baseRef)
        try c.encode(baseSHA, forKey: .baseSHA)
        try c.encode(status, forKey: .status)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(agentsPlanned, forKey: .agentsPlanned)
        try c.encode(verifiersPlanned, forKey: .verifiersPlanned)
        try c.encode(manifestPath, forKey: .manifestPath)
        try c.encode(dirtyAtStart, forKey: .dirtyAtStart)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(reviews, forKey: .reviews)
        try c.encode(consensus, forKey: .consensus)
        try c.encodeIfPresent(cascade, forKey: .cascade)
        if reviewStale { try c.encode(reviewStale, forKey: .reviewStale) }
    }
}
