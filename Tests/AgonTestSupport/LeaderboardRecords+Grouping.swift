import AgonCore
import Foundation

extension LeaderboardRecords {
    /// One model run through two harnesses, and one harness running two models, for `--by`.
    ///
    /// claude-sonnet-4-6 via claude (ids sonnet-cc, sonnet-cc-2) and via opencode (sonnet-oc);
    /// gpt-5 via codex (gpt-cx) and via opencode (gpt-oc). Every (harness, model) pair has 3 runs
    /// with 2 successes; its spend: sonnet-cc $0.10 + $0.30 and sonnet-cc-2 $0.20, sonnet-oc
    /// 3 × $0.05, gpt-cx 3 × $0.20, gpt-oc 3 × $0.08.
    public static func groupingRuns() -> [RunRecord] {
        func sonnetCC(_ id: String, _ cost: Double, ok: Bool = true) -> CandidateRecord {
            candidate(id, harness: .claude, model: "claude-sonnet-4-6", cost: cost, acceptance: ok ? .passed : .failed, durationMs: 60_000)
        }
        func sonnetOC(_ outcome: Outcome = .ok) -> CandidateRecord {
            candidate("sonnet-oc", harness: .opencode, model: "claude-sonnet-4-6", outcome: outcome, cost: 0.05, durationMs: 90_000)
        }
        func gptCX(ok: Bool = true) -> CandidateRecord {
            candidate("gpt-cx", harness: .codex, model: "gpt-5", cost: 0.20, acceptance: ok ? .passed : .failed, durationMs: 120_000)
        }
        func gptOC(ok: Bool = true) -> CandidateRecord {
            candidate("gpt-oc", harness: .opencode, model: "gpt-5", cost: 0.08, acceptance: ok ? .passed : .failed, durationMs: 30_000)
        }
        return [
            run(0, candidates: [sonnetCC("sonnet-cc", 0.10), sonnetOC(), gptCX(), gptOC(ok: false)]),
            run(1, candidates: [sonnetCC("sonnet-cc", 0.30, ok: false), sonnetOC(.timeout), gptCX(), gptOC()]),
            run(2, candidates: [sonnetCC("sonnet-cc-2", 0.20), sonnetOC(), gptCX(ok: false), gptOC()]),
        ]
    }
}
