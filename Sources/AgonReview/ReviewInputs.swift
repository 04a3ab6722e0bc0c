import Foundation
import AgonCore

/// Opaque internal identifier of a candidate (never shown to a verifier).
public typealias CandidateID = String

/// Everything the review stage needs to know about one candidate; supplied by the pipeline.
///
/// `identityTokens` are the strings that would reveal who wrote the patch (agent id, model id,
/// harness name, vendor and product names). The lead supplies them; `IdentityTokens.normalized`
/// trims, dedupes and drops words too generic to identify anyone.
public struct ReviewCandidate: Equatable, Sendable {
    public var candidateID: CandidateID
    public var agentID: String
    public var harness: Harness
    public var model: String
    /// Model family / vendor ("anthropic", "openai", …), compared case-insensitively for self-preference.
    public var family: String
    public var identityTokens: [String]
    /// Unified diff text against the base commit, exactly as it will be applied.
    public var patch: String
    public var checks: [String: CheckStatus]
    /// One short line per check (e.g. "12 tests, 0 failures"); shown only when checks are shown.
    public var checkSummaries: [String: String]

    public init(candidateID: CandidateID, agentID: String, harness: Harness, model: String, family: String,
                identityTokens: [String], patch: String, checks: [String: CheckStatus] = [:],
                checkSummaries: [String: String] = [:]) {
        self.candidateID = candidateID
        self.agentID = agentID
        self.harness = harness
        self.model = model
        self.family = family
        self.identityTokens = identityTokens
        self.patch = patch
        self.checks = checks
        self.checkSummaries = checkSummaries
    }

    /// `identityTokens` plus the agent id and model id, so a caller that forgets them still gets them
    /// redacted and scanned. Family and harness names are NOT added: some are ordinary words
    /// ("meta", "pi" as in `math.pi`); the caller decides those (AgonCore's `ModelFamily.identityTokens`).
    public var allIdentityTokens: [String] {
        IdentityTokens.normalized(identityTokens + [agentID, model])
    }
}

/// The task as verifiers see it: the spec WITHOUT its holdout commands.
public struct ReviewSpec: Equatable, Sendable {
    public var title: String
    public var body: String
    public var acceptance: [String]

    public init(title: String, body: String, acceptance: [String] = []) {
        self.title = title
        self.body = body
        self.acceptance = acceptance
    }
}

/// Strings tied to a run that must never reach a verifier (beyond the candidates' identity tokens).
public struct RunSecrets: Equatable, Sendable {
    public var runID: String
    /// Candidate branch names, e.g. `agon/<run>/<agent>`.
    public var branches: [String]
    /// Absolute or repo-relative worktree paths of the candidates.
    public var worktreePaths: [String]
    /// Timestamps as they might appear in text (run start, agent start…).
    public var timestamps: [String]
    /// Holdout commands or their content, for the assertion that none of it is in a packet.
    public var holdout: [String]

    public init(runID: String, branches: [String] = [], worktreePaths: [String] = [],
                timestamps: [String] = [], holdout: [String] = []) {
        self.runID = runID
        self.branches = branches
        self.worktreePaths = worktreePaths
        self.timestamps = timestamps
        self.holdout = holdout
    }
}

/// Cleaning of identity-token lists supplied by the pipeline.
public enum IdentityTokens {
    /// Words that name a harness or role but identify nobody; redacting them would maim ordinary code.
    public static let generic: Set<String> = ["command", "agent", "model", "default", "local", "verifier"]

    /// Trimmed, non-empty, case-insensitively unique tokens, longest first, without `generic` words.
    public static func normalized(_ tokens: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for raw in tokens {
            let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let key = token.lowercased()
            guard !token.isEmpty, !generic.contains(key), seen.insert(key).inserted else { continue }
            out.append(token)
        }
        // Longest first so "claude-sonnet-4-6" is handled before "claude".
        return out.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lowercased() < $1.lowercased() }
    }
}
