import Foundation

/// A verdict translated back from labels to candidate ids, ready for consensus.
public struct MappedVerdict: Codable, Equatable, Sendable {
    public var verifierID: String
    /// Candidate ids best first; partial when candidates were excluded.
    public var ranking: [CandidateID]
    public var notes: [CandidateID: CandidateNote]
    /// Candidates whose placements were dropped (self-preference), in the order the verifier had ranked them.
    public var excludedCandidates: [CandidateID]
    /// Why `excludedCandidates` were dropped; nil when none were.
    public var exclusionReason: String?

    public init(verifierID: String, ranking: [CandidateID], notes: [CandidateID: CandidateNote],
                excludedCandidates: [CandidateID] = [], exclusionReason: String? = nil) {
        self.verifierID = verifierID
        self.ranking = ranking
        self.notes = notes
        self.excludedCandidates = excludedCandidates
        self.exclusionReason = exclusionReason
    }

    /// Maps a validated verdict through the verifier's blinding key.
    public init(verdict: Verdict, key: BlindingKey) throws {
        let expected = key.labels
        func id(_ label: String) throws -> CandidateID {
            guard let id = key.labelToCandidate[label] else {
                throw VerdictError.unknownLabel(label, field: "blinding key of \(key.verifierID)", expected: expected)
            }
            return id
        }
        let ranking = try verdict.ranking.map(id)
        let missing = expected.filter { !verdict.ranking.contains($0) }
        if !missing.isEmpty { throw VerdictError.missingLabels(missing, expected: expected) }
        var notes: [CandidateID: CandidateNote] = [:]
        for (label, note) in verdict.notes { notes[try id(label)] = note }
        self.init(verifierID: key.verifierID, ranking: ranking, notes: notes)
    }

    enum CodingKeys: String, CodingKey {
        case verifierID = "verifier_id", ranking, notes
        case excludedCandidates = "excluded_candidates", exclusionReason = "exclusion_reason"
    }
}

/// Whether a verifier may rank candidates of its own model family.
public enum SelfPreferencePolicy: String, Codable, Sendable {
    /// Drop the verifier's placements of its own family's candidates (its ranking becomes partial).
    case exclude
    /// Keep everything.
    case allow
}

/// Applies the self-preference policy: with `.exclude`, candidates whose `family` equals the
/// verifier's (case-insensitive, trimmed) leave the ranking and notes and are listed in `excludedCandidates`.
public func applySelfPreference(_ verdict: MappedVerdict, verifierFamily: String, candidates: [ReviewCandidate],
                                policy: SelfPreferencePolicy) -> MappedVerdict {
    let family = verifierFamily.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    guard policy == .exclude, !family.isEmpty else { return verdict }
    let own = Set(candidates.filter {
        $0.family.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() == family
    }.map(\.candidateID))
    let dropped = verdict.ranking.filter(own.contains)
    guard !dropped.isEmpty else { return verdict }
    var out = verdict
    out.ranking = verdict.ranking.filter { !own.contains($0) }
    out.notes = verdict.notes.filter { !own.contains($0.key) }
    out.excludedCandidates = verdict.excludedCandidates + dropped
    out.exclusionReason = "self-preference: verifier family \"\(family)\" may not rank its own family's candidates"
    return out
}
