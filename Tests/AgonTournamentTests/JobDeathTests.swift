import AgonExecutors
import AgonStore
import Foundation
import Testing
@testable import AgonTournament

/// When the coordinator gives a job up for dead (`Tournament.deathReason`).
@Suite struct JobDeathTests {
    static let submitted = Date(timeIntervalSince1970: 1_000_000)

    static func job(started: Date? = nil) -> JobRecord {
        JobRecord(runID: "r", index: 0, agent: "a", attempt: 1, engine: "slurm", handle: "1", submittedAt: submitted,
                  host: started == nil ? nil : "n1", startedAt: started, finishedAt: nil,
                  state: started == nil ? .queued : .running, reason: nil)
    }

    @Test func queuedOrRunningWithinTheLimitIsAlive() {
        let now = Self.submitted.addingTimeInterval(500)
        #expect(Tournament.deathReason(Self.job(), status: nil, seen: false, limit: 100, now: now) == nil)
        #expect(Tournament.deathReason(Self.job(), status: EngineJobStatus(state: .pending), seen: true, limit: 100, now: now) == nil)
        #expect(Tournament.deathReason(Self.job(started: now.addingTimeInterval(-99)), status: EngineJobStatus(state: .running),
                                       seen: true, limit: 100, now: now) == nil)
    }

    @Test func theEnginesVerdictWithNoRecordIsDeath() {
        let now = Self.submitted
        #expect(Tournament.deathReason(Self.job(started: now), status: EngineJobStatus(state: .failed, reason: "NODE_FAIL"),
                                       seen: true, limit: 100, now: now) == "NODE_FAIL")
        #expect(Tournament.deathReason(Self.job(started: now), status: EngineJobStatus(state: .succeeded), seen: true, limit: 100, now: now)
            == "the engine reports succeeded with no record")
        #expect(Tournament.deathReason(Self.job(started: now), status: nil, seen: true, limit: 100, now: now)
            == "the engine no longer knows the job and no record was written")
    }

    @Test func runningPastTheHardTimeoutAndMarginIsDeath() {
        let now = Self.submitted.addingTimeInterval(1000)
        let reason = Tournament.deathReason(Self.job(started: now.addingTimeInterval(-101)), status: EngineJobStatus(state: .running),
                                            seen: true, limit: 100, now: now)
        #expect(reason == "running 101 s, past the hard timeout plus margin, with no record")
    }
}
