import Foundation

/// A string that must not appear in anything sent to a verifier.
public struct SensitiveTerm: Equatable, Sendable {
    /// What the term is; named in leak messages.
    public enum Kind: String, Sendable {
        case identityToken = "identity token"
        case runID = "run id"
        case branch = "branch name"
        case worktreePath = "worktree path"
        case timestamp = "timestamp"
        case holdout = "holdout text"
    }

    public var text: String
    public var kind: Kind

    public init(_ text: String, kind: Kind) {
        self.text = text
        self.kind = kind
    }

    /// Identity tokens match boundary-aware (as the redactor does), everything else as a substring.
    var matchMode: TermMatcher.Mode { kind == .identityToken ? .identity : .literal }

    /// Every term for a run: all candidates' identity tokens plus the run's own details.
    public static func all(candidates: [ReviewCandidate], secrets: RunSecrets) -> [SensitiveTerm] {
        var terms = IdentityTokens.normalized(candidates.flatMap(\.allIdentityTokens)).map { SensitiveTerm($0, kind: .identityToken) }
        terms.append(SensitiveTerm(secrets.runID, kind: .runID))
        terms += secrets.branches.map { SensitiveTerm($0, kind: .branch) }
        terms += secrets.worktreePaths.map { SensitiveTerm($0, kind: .worktreePath) }
        terms += secrets.timestamps.map { SensitiveTerm($0, kind: .timestamp) }
        terms += secrets.holdout.map { SensitiveTerm($0, kind: .holdout) }
        return terms.filter { !$0.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }
}

/// One named part of what a verifier receives ("instructions", "spec", "Candidate B diff", …).
public struct PacketSection: Equatable, Sendable {
    public var name: String
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }
}

/// Where a sensitive term was found.
public struct LeakFinding: Equatable, Sendable {
    /// How the term was written where it was found.
    public enum Form: String, Sendable {
        /// As itself (case-insensitively).
        case plain
        /// Spaced out, with look-alike letters, digits for letters, zero-width characters, … (`TextSkeleton`).
        case disguised
        /// Inside a base64 or hex run, decoded.
        case base64, hex
    }

    public var term: SensitiveTerm
    public var section: String
    public var line: Int
    public var form: Form

    public init(term: SensitiveTerm, section: String, line: Int, form: Form = .plain) {
        self.term = term
        self.section = section
        self.line = line
        self.form = form
    }

    public var description: String {
        let how = form == .plain ? "" : " (\(form == .disguised ? "disguised" : form.rawValue + "-encoded"))"
        return "\(term.kind.rawValue) \"\(term.text)\"\(how) found in \(section), line \(line)"
    }
}

/// A review packet or prompt that would reveal authorship or hidden run details; the review is blocked.
public struct LeakError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public var verifierID: String
    /// Every finding, in section order; the message names the first.
    public var findings: [LeakFinding]

    public var description: String {
        let more = findings.count > 1 ? " (and \(findings.count - 1) more)" : ""
        return "packet for verifier \(verifierID): \(findings[0].description)\(more)"
    }

    public var errorDescription: String? { description }
}

/// The safety net after redaction: scans every section for every sensitive term.
public struct LeakScanner: Sendable {
    public let terms: [SensitiveTerm]

    public init(terms: [SensitiveTerm]) {
        self.terms = terms.filter { !$0.text.isEmpty }
    }

    /// All findings, section by section (first occurrence of each term per section).
    public func findings(in sections: [PacketSection]) -> [LeakFinding] {
        var out: [LeakFinding] = []
        let set = TermSet(terms.map { TermMatcher(term: $0.text, mode: $0.matchMode) })
        // Identity tokens are also looked for in disguise and inside encoded runs.
        let identityIndices = terms.indices.filter { terms[$0].kind == .identityToken }
        let disguises = DisguiseMatcher(terms: identityIndices.map { terms[$0].text })
        for section in sections {
            let scalars = Array(section.text.unicodeScalars)
            var hits = set.firstOccurrences(in: scalars, folded: scalars.map(TermMatcher.fold))
                .map { (offset: $0.value, term: terms[$0.key], form: LeakFinding.Form.plain) }
            let plainTerms = Set(hits.map(\.term.text))
            for hit in disguises.hits(in: scalars) {
                let term = terms[identityIndices[hit.term]]
                guard !plainTerms.contains(term.text) else { continue }
                let form: LeakFinding.Form = hit.form == .disguised ? .disguised : (hit.form == .hex ? .hex : .base64)
                hits.append((hit.offset, term, form))
            }
            hits.sort { ($0.offset, $0.term.text) < ($1.offset, $1.term.text) }
            for (offset, term, form) in hits {
                out.append(LeakFinding(term: term, section: section.name,
                                       line: lineNumber(ofScalarOffset: offset, in: scalars), form: form))
            }
        }
        return out
    }

    /// Throws `LeakError` naming the first hit when anything sensitive is present.
    public func check(_ sections: [PacketSection], verifierID: String) throws {
        let found = findings(in: sections)
        if !found.isEmpty { throw LeakError(verifierID: verifierID, findings: found) }
    }
}
