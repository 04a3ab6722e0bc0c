import Foundation
import Testing
@testable import AgonReview

@Suite struct VerdictParserTests {
    let labels = ["A", "B", "C"]

    func parse(_ text: String) -> Result<Verdict, VerdictError> { VerdictParser.parse(text: text, labels: labels) }

    func error(_ text: String) -> VerdictError? {
        if case .failure(let e) = parse(text) { return e }
        return nil
    }

    let good = """
    {"ranking": ["B", "A", "C"], "candidates": {
      "A": {"summary": "adds retry", "risks": "no jitter", "recommendation": "revise"},
      "B": {"summary": "complete", "risks": "none", "recommendation": "apply"},
      "C": {"summary": "breaks build", "risks": "high", "recommendation": "reject"}}}
    """

    @Test func plainJSON() throws {
        let v = try parse(good).get()
        #expect(v.ranking == ["B", "A", "C"])
        #expect(v.notes["B"] == CandidateNote(summary: "complete", risks: "none", recommendation: .apply))
        #expect(v.notes["C"]?.recommendation == .reject)
    }

    @Test func proseAndFencesAroundJSON() throws {
        let text = "Sure! Here is my review {as requested}.\n\n```json\n\(good)\n```\nLet me know if {anything} else."
        #expect(try parse(text).get().ranking == ["B", "A", "C"])
    }

    @Test func candidateLabelFormAndCaseAreAccepted() throws {
        let v = try parse(#"{"ranking": ["Candidate C", "candidate a", " b "], "candidates": {"Candidate A": {"recommendation": "Apply"}}}"#).get()
        #expect(v.ranking == ["C", "A", "B"])
        #expect(v.notes["A"] == CandidateNote(summary: "", risks: "", recommendation: .apply))
    }

    @Test func bracesInsideStringsDoNotConfuseExtraction() throws {
        let v = try parse(#"{"ranking": ["A","B","C"], "candidates": {"A": {"summary": "uses } and { in code", "risks": "", "recommendation": "apply"}}}"#).get()
        #expect(v.notes["A"]?.summary == "uses } and { in code")
    }

    @Test func objectWithRankingWinsOverEarlierObjects() throws {
        let text = #"The schema was {"type": "object"}. Answer: {"ranking": ["C","B","A"]}"#
        #expect(try parse(text).get().ranking == ["C", "B", "A"])
    }

    @Test func wrongLabel() {
        #expect(error(#"{"ranking": ["A", "B", "D"]}"#) == .unknownLabel("D", field: "\"ranking\"", expected: labels))
        #expect(error(#"{"ranking": ["A", "B", "D"]}"#)?.description == "\"ranking\" names unknown label \"D\" (labels are A, B, C)")
        #expect(error(#"{"ranking": ["A", "B", "C"], "candidates": {"Z": {"recommendation": "apply"}}}"#)
                == .unknownLabel("Z", field: "\"candidates\"", expected: labels))
        #expect(error(#"{"ranking": ["A", "B", 3]}"#) == .unknownLabel("3", field: "\"ranking\"", expected: labels))
    }

    @Test func duplicates() {
        #expect(error(#"{"ranking": ["A", "Candidate A", "B", "C"]}"#) == .duplicateLabel("A", field: "\"ranking\""))
        #expect(error(#"{"ranking": ["A","B","C"], "candidates": {"A": {"recommendation": "apply"}, "Candidate A": {"recommendation": "reject"}}}"#)
                == .duplicateLabel("A", field: "\"candidates\""))
    }

    @Test func missingLabels() {
        let e = error(#"{"ranking": ["B"]}"#)
        #expect(e == .missingLabels(["A", "C"], expected: labels))
        #expect(e?.description == "\"ranking\" is missing A, C (rank all 3: A, B, C)")
    }

    @Test func badRecommendation() {
        #expect(error(#"{"ranking": ["A","B","C"], "candidates": {"B": {"recommendation": "merge"}}}"#)
                == .badRecommendation(label: "B", value: "\"merge\""))
        #expect(error(#"{"ranking": ["A","B","C"], "candidates": {"B": {"summary": "ok"}}}"#)
                == .badRecommendation(label: "B", value: "missing"))
    }

    @Test func truncatedNoJSONAndShapeErrors() {
        #expect(error(#"{"ranking": ["A", "B", "C"], "candidates": {"A": {"summary": "ok", "recommendation": "apply"}, "B": {"sum"#) == .truncatedJSON)
        #expect(error("I think B is best, then A, then C.") == .noJSONObject)
        #expect(error("“ranking”: {“A”}") == .noJSONObject)   // smart quotes are not JSON
        #expect(error(#"{"order": ["A","B","C"]}"#) == .missingRanking)
        #expect(error(#"{"ranking": "B > A > C"}"#) == .rankingNotAList)
        #expect(error(#"{"ranking": ["A","B","C"], "candidates": ["A"]}"#) == .candidatesNotAnObject)
    }

    @Test func wrappedVerdictIsUnwrappedOneLevel() throws {
        #expect(try parse(#"{"verdict": {"ranking": ["C","A","B"]}}"#).get().ranking == ["C", "A", "B"])
    }

    @Test func hostileRepliesAreBounded() {
        // 200k unclosed braces: extraction gives up after a bounded number of attempts.
        #expect(error(String(repeating: "{", count: 200_000)) == .truncatedJSON)
        // Deep but valid nesting around no ranking.
        #expect(error(String(repeating: "[", count: 50) + String(repeating: "]", count: 50)) == .noJSONObject)
    }

    @Test func retryPromptQuotesTheError() {
        let e = VerdictError.missingLabels(["C"], expected: labels)
        let prompt = VerdictParser.retryPrompt(error: e, labels: labels)
        #expect(prompt.hasPrefix("Your previous reply could not be used: \"ranking\" is missing C (rank all 3: A, B, C)."))
        #expect(prompt.contains("\"ranking\": [\"A\", \"B\", \"C\"]"))
        // The example in the prompt is itself a valid verdict once a recommendation is picked.
        let example = VerdictSchema.example(labels: labels).replacingOccurrences(of: "apply|revise|reject", with: "revise")
        #expect((try? VerdictParser.parse(text: example, labels: labels).get()) != nil)
    }

    @Test func schemaIsStrictModeShaped() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(VerdictSchema.schemaJSON(labels: labels).utf8)) as! [String: Any]
        #expect(schema["additionalProperties"] as? Bool == false)
        #expect(Set(schema["required"] as! [String]) == ["ranking", "candidates"])
        let candidates = (schema["properties"] as! [String: Any])["candidates"] as! [String: Any]
        #expect(candidates["required"] as! [String] == labels)
        // Stable bytes: sorted keys.
        #expect(VerdictSchema.schemaJSON(labels: labels) == VerdictSchema.schemaJSON(labels: labels))
    }
}

@Suite struct VerdictMappingTests {
    let candidates = Samples.candidates()

    @Test func mapsLabelsBackToCandidateIDs() throws {
        let key = BlindingKey(verifierID: "judge-a", seed: 1,
                              labelToCandidate: ["A": "cand-3", "B": "cand-1", "C": "cand-2"],
                              displayOrder: ["cand-3", "cand-1", "cand-2"])
        let verdict = try VerdictParser.parse(text: #"{"ranking": ["B","C","A"], "candidates": {"A": {"recommendation": "reject"}}}"#,
                                              labels: key.labels).get()
        let mapped = try MappedVerdict(verdict: verdict, key: key)
        #expect(mapped.verifierID == "judge-a")
        #expect(mapped.ranking == ["cand-1", "cand-2", "cand-3"])
        #expect(mapped.notes["cand-3"]?.recommendation == .reject)
        #expect(mapped.excludedCandidates.isEmpty)
    }

    @Test func mappingRejectsAVerdictForAnotherKey() {
        let key = Blinder.key(runID: "r", verifierID: "v", candidates: ["x", "y"])
        #expect(throws: VerdictError.self) {
            try MappedVerdict(verdict: Verdict(ranking: ["A", "B", "C"], notes: [:]), key: key)
        }
    }

    @Test func selfPreferenceExcludesOwnFamily() {
        let mapped = MappedVerdict(verifierID: "judge-opus", ranking: ["cand-1", "cand-3", "cand-2"],
                                   notes: ["cand-1": CandidateNote(summary: "", risks: "", recommendation: .apply)])
        let excluded = applySelfPreference(mapped, verifierFamily: " Anthropic ", candidates: candidates, policy: .exclude)
        #expect(excluded.ranking == ["cand-3", "cand-2"])
        #expect(excluded.notes.isEmpty)
        #expect(excluded.excludedCandidates == ["cand-1"])
        #expect(excluded.exclusionReason?.contains("anthropic") == true)

        let allowed = applySelfPreference(mapped, verifierFamily: "anthropic", candidates: candidates, policy: .allow)
        #expect(allowed == mapped)
        let otherFamily = applySelfPreference(mapped, verifierFamily: "mistral", candidates: candidates, policy: .exclude)
        #expect(otherFamily == mapped)
    }

    @Test func mappedVerdictJSONUsesSnakeCase() throws {
        let mapped = MappedVerdict(verifierID: "v", ranking: ["a"], notes: [:], excludedCandidates: ["b"], exclusionReason: "x")
        let json = String(decoding: try JSONEncoder().encode(mapped), as: UTF8.self)
        #expect(json.contains("\"excluded_candidates\""))
        #expect(try JSONDecoder().decode(MappedVerdict.self, from: Data(json.utf8)) == mapped)
    }
}

@Suite struct VerdictRoundTests {
    let key = BlindingKey(verifierID: "judge-a", seed: 7, labelToCandidate: ["A": "x", "B": "y"], displayOrder: ["x", "y"])

    @Test func acceptRetryExclude() {
        #expect(VerdictRound.evaluate(reply: #"{"ranking": ["B", "A"]}"#, key: key, attempt: 1)
                == .accepted(MappedVerdict(verifierID: "judge-a", ranking: ["y", "x"], notes: [:])))
        guard case let .retry(prompt, error) = VerdictRound.evaluate(reply: #"{"ranking": ["B"]}"#, key: key, attempt: 1) else {
            Issue.record("expected a retry")
            return
        }
        #expect(error == .missingLabels(["A"], expected: ["A", "B"]))
        #expect(prompt.contains(error.description))
        #expect(VerdictRound.evaluate(reply: #"{"ranking": ["B"]}"#, key: key, attempt: 2)
                == .excluded(reason: "malformed verdict from judge-a after one retry: \"ranking\" is missing A (rank all 2: A, B)"))
    }
}
