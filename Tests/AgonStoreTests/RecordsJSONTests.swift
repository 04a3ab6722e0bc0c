import AgonCore
import Foundation
import Testing

@Suite struct RecordsJSONTests {
    private func object(_ value: some Encodable) throws -> [String: Any] {
        let data = try AgonJSON.encoder.encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func runRecordRoundTripsExactly() throws {
        let run = Fixtures.run("20260101T000000Z-ab12")
        let decoded = try AgonJSON.decoder.decode(RunRecord.self, from: AgonJSON.encoder.encode(run))
        #expect(decoded == run)
    }

    @Test func everyRecordTypeRoundTrips() throws {
        let candidate = Fixtures.candidate("sonnet")
        #expect(try AgonJSON.decoder.decode(CandidateRecord.self, from: AgonJSON.encoder.encode(candidate)) == candidate)
        let review = Fixtures.review("judge-a")
        #expect(try AgonJSON.decoder.decode(ReviewRecord.self, from: AgonJSON.encoder.encode(review)) == review)
        #expect(try AgonJSON.decoder.decode(ConsensusRecord.self, from: AgonJSON.encoder.encode(Fixtures.consensus)) == Fixtures.consensus)
        let pick = ApplyRecord(runID: "r1", agent: "gpt", appliedAt: Fixtures.created, committed: true, commitSHA: "abc")
        #expect(try AgonJSON.decoder.decode(ApplyRecord.self, from: AgonJSON.encoder.encode(pick)) == pick)
        let minimal = CandidateRecord(agent: "a", harness: .command, worktree: "w", branch: "b")
        #expect(try AgonJSON.decoder.decode(CandidateRecord.self, from: AgonJSON.compactEncoder.encode(minimal)) == minimal)
    }

    @Test func runJSONUsesDesignKeys() throws {
        let json = try object(Fixtures.run("r1"))
        #expect(json["schema_version"] as? Int == AgonJSON.schemaVersion)
        #expect(json["run_id"] as? String == "r1")
        #expect(json["spec"] as? String == "specs/retry.md")
        #expect(json["base_sha"] as? String == "89abcdef0123456789abcdef0123456789abcdef")
        #expect(json["status"] as? String == "done")
        #expect(json["created_at"] as? String == "2026-01-01T00:00:00.123Z")
        #expect(json["dirty_at_start"] as? Bool == true)
        let consensus = try #require(json["consensus"] as? [String: Any])
        #expect(consensus["kendall_w"] as? Double == 0.8125)
        #expect(consensus["split"] as? Bool == true)
        #expect(consensus["ranking"] as? [String] == ["sonnet", "gpt"])
        #expect(consensus["method"] as? String == "kemeny")
        let tau = try #require(consensus["per_verifier_tau"] as? [String: Any])
        #expect(tau["judge-b"] is NSNull)
        let candidates = try #require(json["candidates"] as? [[String: Any]])
        let c = candidates[0]
        for key in ["agent", "harness", "model", "outcome", "cost_usd", "cost_source", "cost_killed_at", "budget_usd",
                    "tokens", "turns", "first_attempt_ms", "duration_ms", "diff", "checks", "worktree", "branch"] {
            #expect(c[key] != nil, "candidate key \(key) missing")
        }
        #expect(c["outcome"] as? String == "cost_killed")
        #expect(c["cost_source"] as? String == "reported")
        #expect(c["cost_killed_at"] as? Double == 0.5001)
        #expect(c["budget_usd"] as? Double == 0.5)
        #expect(c["first_attempt_ms"] as? Int == 12_345)
        #expect(c["duration_ms"] as? Int == 98_765)
        let tokens = try #require(c["tokens"] as? [String: Any])
        #expect(tokens["cached_input"] as? Int == 34_000)
        #expect(tokens["cache_write"] as? Int == 560)
        let diff = try #require(c["diff"] as? [String: Any])
        #expect(diff["patch_path"] as? String == ".agon/runs/x/candidates/sonnet/patch.diff")
        #expect(diff["files"] as? Int == 3)
        let checks = try #require(c["checks"] as? [String: Any])
        #expect(checks["acceptance"] as? String == "passed")
        #expect(checks["holdout"] as? String == "failed")
        #expect(checks["scope"] as? String == "skipped")
        let details = try #require(c["check_results"] as? [[String: Any]])
        #expect(details[1]["exit_code"] is NSNull)
        let review = try #require((json["reviews"] as? [[String: Any]])?.first)
        #expect(review["dropped_self_preference"] as? [String] == ["gpt"])
        // Full 64-bit seeds survive (checked in the text: generic JSON parsers go through Double).
        let text = String(decoding: try AgonJSON.encoder.encode(Fixtures.run("r1")), as: UTF8.self)
        #expect(text.contains("\"seed\" : 18446744073709551557"))
    }

    @Test func absentOptionalsEncodeAsNullNotMissing() throws {
        let c = try object(CandidateRecord(agent: "a", harness: .claude, worktree: "w", branch: "b"))
        for key in ["model", "outcome", "cost_usd", "cost_killed_at", "budget_usd", "first_attempt_ms", "duration_ms"] {
            #expect(c[key] is NSNull, "\(key) should be null")
        }
        #expect(c["cost_source"] as? String == "unpriced")
    }

    @Test func versionedDocumentIsFlatWithSchemaVersion() throws {
        let json = try object(VersionedDocument(Fixtures.consensus))
        #expect(json["schema_version"] as? Int == AgonJSON.schemaVersion)
        #expect(json["method"] as? String == "kemeny")
        let back = try AgonJSON.decoder.decode(VersionedDocument<ConsensusRecord>.self,
                                               from: AgonJSON.encoder.encode(VersionedDocument(Fixtures.consensus)))
        #expect(back.body == Fixtures.consensus)
    }

    @Test func newerSchemaIsRejectedWithAClearMessage() throws {
        var run = Fixtures.run("r1")
        run.schemaVersion = AgonJSON.schemaVersion + 1
        let data = try AgonJSON.encoder.encode(run)
        do {
            _ = try AgonJSON.decoder.decode(RunRecord.self, from: data)
            Issue.record("decoded a document from the future")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains("upgrade agon"))
        }
    }

    @Test func datesAreISO8601WithMilliseconds() throws {
        #expect(AgonJSON.formatDate(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(AgonJSON.formatDate(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(AgonJSON.parseDate("2026-01-01T00:00:00Z") == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(AgonJSON.parseDate("2026-01-01T00:00:00.1Z") == Date(timeIntervalSince1970: 1_767_225_600.1))
        #expect(AgonJSON.parseDate("2026-01-01T02:00:00.123456+02:00") == Date(timeIntervalSince1970: 1_767_225_600.123))
        #expect(AgonJSON.parseDate("2026-01-01 00:00:00Z") == nil)
        #expect(AgonJSON.parseDate("2026-13-01T00:00:00Z") == nil)
        #expect(AgonJSON.parseDate("2026-01-01T00:00:00") == nil)
        #expect(AgonJSON.parseDate("2026-01-01T00:00:00.Z") == nil)
        for ms: Int64 in [0, 1, 999, 1_767_225_600_123, -1, -86_400_001] {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            #expect(AgonJSON.parseDate(AgonJSON.formatDate(date)) == date)
        }
    }

    @Test func badDateNamesTheField() throws {
        var json = try object(Fixtures.run("r1"))
        json["created_at"] = "yesterday"
        let data = try JSONSerialization.data(withJSONObject: json)
        do {
            _ = try AgonJSON.decoder.decode(RunRecord.self, from: data)
            Issue.record("accepted a bad date")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.codingPath.map(\.stringValue) == ["created_at"])
            #expect(context.debugDescription.contains("yesterday"))
        }
    }
}
