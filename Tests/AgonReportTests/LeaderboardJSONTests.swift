import AgonCore
import Foundation
import Testing
@testable import AgonReport

@Suite struct LeaderboardJSONTests {
    @Test func snakeCaseKeysAndExplicitInfinity() throws {
        let json = try LeaderboardJSON.render(SampleData.leaderboard)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        #expect(object["runs"] as? Int == 24)
        #expect(object["bootstrap_replicates"] as? Int == 1000)
        #expect((object["generated_at"] as? String)?.hasSuffix("Z") == true)
        let agents = try #require(object["agents"] as? [[String: Any]])
        #expect(agents.count == 6)
        #expect(agents.map { $0["agent"] as? String } == SampleData.leaderboard.rows.map(\.agent))
        // Every row has every key, nulls included.
        let keys = Set(agents[0].keys)
        #expect(agents.allSatisfy { Set($0.keys) == keys })
        #expect(keys.contains("cost_per_success_status") && keys.contains("speed_efficiency_score"))
        #expect(!keys.contains { $0.contains(where: \.isUppercase) })
        let sonnet = agents[0], spender = agents[4], mystery = agents[5]
        #expect(sonnet["cost_per_success_usd"] as? Double == 0.41)
        #expect(sonnet["cost_per_success_status"] as? String == "ok")
        #expect(sonnet["harness"] as? String == "claude")
        #expect(spender["cost_per_success_usd"] is NSNull)
        #expect(spender["cost_per_success_status"] as? String == "no_success")
        #expect(mystery["cost_per_success_status"] as? String == "unpriced")
        #expect(mystery["cost_per_task_usd"] is NSNull)
        let verifiers = try #require(object["verifiers"] as? [[String: Any]])
        #expect(verifiers.first?["agreement_tau"] as? Double == 0.71)
        #expect(verifiers.last?["cost_usd"] is NSNull)
    }
}
