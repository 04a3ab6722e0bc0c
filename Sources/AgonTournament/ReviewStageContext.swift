import AgonCore
import AgonReview
import AgonStore
import Foundation

/// Everything every verifier of one run shares: the spec as verifiers see it, the passing
/// candidates (with their review-copy inputs and identity tokens) and the run's secrets.
struct ReviewContext {
    var runID: String
    var baseSHA: String
    var spec: ReviewSpec
    /// The candidates sent to verifiers (those that passed), in run order. `candidateID` is the agent id.
    var candidates: [ReviewCandidate]
    var secrets: RunSecrets
    var includeChecks: Bool
    var selfPreference: SelfPreferencePolicy
    /// What each `openai` base URL has refused this run (shared by its verifiers).
    var chatMemory = ChatServerMemory()

    /// Builds the shared review inputs for `record`'s passing candidates; reads their patch files.
    static func make(record: RunRecord, spec: Spec, workspace: Workspace) throws -> ReviewContext {
        let config = workspace.config
        // A gated candidate's name inside a passing diff reveals as much as a passing one's, so
        // every candidate's tokens are scanned and redacted in every review copy.
        let allTokens = record.candidates.flatMap { identityTokens(of: $0, config: config) }
            + record.candidates.flatMap { [$0.agent] + ($0.model.map { [$0] } ?? []) }
        let ordinary = templateWords(among: allTokens)
        let everyToken = allTokens.filter { !ordinary.contains($0.lowercased()) }
        var candidates: [ReviewCandidate] = []
        for candidate in record.candidates where candidate.passedGate {
            guard candidate.diff.patchPath != nil else { continue }
            let data = try SealedPatch.read(candidate, runID: record.runID, baseSHA: record.baseSHA, workspace: workspace)
            let entry = config.agent(candidate.agent)
            var checks: [String: CheckStatus] = [:]
            var summaries: [String: String] = [:]
            if candidate.checks.acceptance != .skipped { checks["acceptance"] = candidate.checks.acceptance }
            if candidate.checks.scope != .skipped { checks["scope"] = candidate.checks.scope }
            if !candidate.scopeViolations.isEmpty {
                summaries["scope"] = "changed outside the task's paths: " + candidate.scopeViolations.joined(separator: ", ")
            }
            // agentID and model only feed the token list; an id that is an ordinary word of Agon's
            // own prompt (see `templateWords`) is left out like any other such token.
            let model = candidate.model ?? entry?.model ?? ""
            candidates.append(ReviewCandidate(
                candidateID: candidate.agent, agentID: ordinary.contains(candidate.agent.lowercased()) ? "" : candidate.agent,
                harness: candidate.harness, model: ordinary.contains(model.lowercased()) ? "" : model,
                family: entry?.resolvedFamily ?? ModelFamily.infer(harness: candidate.harness, model: candidate.model) ?? "",
                identityTokens: everyToken, patch: String(decoding: data, as: UTF8.self),
                checks: checks, checkSummaries: summaries))
        }
        let worktreeRoot = workspace.worktreeRoot + "/" + record.runID
        let secrets = RunSecrets(
            runID: record.runID,
            branches: record.candidates.map(\.branch),
            worktreePaths: record.candidates.flatMap { [workspace.root + "/" + $0.worktree, $0.worktree] } + [worktreeRoot],
            timestamps: [ISO8601DateFormatter().string(from: record.createdAt)],
            holdout: spec.holdout + holdoutFiles(workspace.layout.holdoutDirectory))
        return ReviewContext(runID: record.runID, baseSHA: record.baseSHA,
                             spec: ReviewSpec(title: spec.title, body: spec.body, acceptance: spec.acceptance),
                             candidates: candidates, secrets: secrets, includeChecks: config.defaults.reviewChecks,
                             selfPreference: config.defaults.selfPreference == .allow ? .allow : .exclude)
    }

    /// Paths of the holdout scripts relative to `.agon/holdout/` (`edge-cases.sh`, `data/x.json`):
    /// a diff naming one has seen what it should not have. Names shorter than 6 characters are
    /// left out (too likely to be ordinary words).
    static func holdoutFiles(_ directory: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var out: [String] = []
        while let relative = walker.nextObject() as? String, out.count < 200 {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory.path + "/" + relative, isDirectory: &isDirectory)
            if !isDirectory.boolValue, relative.count >= 6 { out.append(relative) }
        }
        return out.sorted()
    }

    /// Tokens (lowercased) that occur in Agon's own prompt text: the fixed instructions, the answer
    /// template, the retry note and the CLI verdict-file note. An agent called `wrong` or `apply`
    /// is named by ordinary words of that text ("what could go wrong"), which reveal nothing; scanning
    /// for them would block every review and redacting them would maim ordinary code.
    static func templateWords(among tokens: [String]) -> Set<String> {
        let probe = ReviewCandidate(candidateID: "x", agentID: "", harness: .command, model: "", family: "",
                                    identityTokens: [], patch: "+x\n", checks: ["acceptance": .passed, "scope": .failed])
        let scratchNote = CLIVerifierChannel.instructions
        let options = PacketOptions(includeChecks: true, redact: false, baseTreePath: "/tmp/base", extraInstructions: scratchNote,
                                    boundary: "agon-000000000000000000000000")
        var text = VerdictParser.retryPrompt(error: .noJSONObject, labels: ["A", "B"])
        if let packet = try? ReviewPacketBuilder.build(spec: ReviewSpec(title: "", body: ""), candidates: [probe],
                                                        key: Blinder.key(verifierID: "v", seed: 1, candidates: ["x"]),
                                                        secrets: RunSecrets(runID: ""), options: options) {
            text += "\n" + packet.text
        }
        let terms = IdentityTokens.normalized(tokens).map { SensitiveTerm($0, kind: .identityToken) }
        let found = LeakScanner(terms: terms).findings(in: [PacketSection(name: "template", text: text)])
        return Set(found.map { $0.term.text.lowercased() })
    }

    /// The strings that would name `candidate`'s author: its config entry's tokens (id, model,
    /// harness and vendor names), plus what the record itself says (a model the CLI reported).
    static func identityTokens(of candidate: CandidateRecord, config: Config) -> [String] {
        let entry = config.agent(candidate.agent)
            ?? AgentEntry(id: candidate.agent, harness: candidate.harness, model: candidate.model)
        var tokens = ModelFamily.identityTokens(for: entry) + [candidate.agent]
        if let model = candidate.model { tokens.append(model) }
        return tokens
    }
}
