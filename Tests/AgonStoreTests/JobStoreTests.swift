import AgonCore
import AgonStore
import AgonTestSupport
import Foundation
import Testing

/// The jobs table (`v6-jobs`): exactly one worker's record counts per job, whatever the order in
/// which duplicate, late and retried workers claim and finish. Two connections to one store (a SQLite file,
/// a PostgreSQL schema) stand for two machines.
@Suite struct JobStoreTests {
    /// A store with one run of two registered jobs, opened twice (the coordinator and a worker's machine).
    static func setUp(_ backend: StoreBackend) throws -> (ScratchStore, RunStore, RunStore, String) {
        let scratch = try ScratchStore(backend)
        let coordinator = try scratch.open()
        let run = LeaderboardRecords.run(1, candidates: [LeaderboardRecords.candidate("a"), LeaderboardRecords.candidate("b")])
        try coordinator.createRun(run)
        try coordinator.registerJobs(runID: run.runID, agents: [(0, "a"), (1, "b")], engine: "slurm", handle: "100")
        return (scratch, coordinator, try scratch.open(), run.runID)
    }

    static func candidate(_ agent: String, from host: String, _ outcome: Outcome, attempt: Int) -> CandidateRecord {
        var record = LeaderboardRecords.candidate(agent, outcome: outcome)
        record.workerHost = host
        record.attempt = attempt
        return record
    }

    static func running(_ agent: String, host: String) -> (Int) -> CandidateRecord {
        { attempt in
            var record = candidate(agent, from: host, .ok, attempt: attempt)
            record.state = .running
            return record
        }
    }

    @Test(arguments: StoreBackend.available) func aDuplicateWorkerCannotClaimAHeldAttempt(_ backend: StoreBackend) throws {
        let (dir, coordinator, worker, runID) = try Self.setUp(backend)
        _ = dir
        let first = try worker.claimJob(runID: runID, index: 0, host: "n1", running: Self.running("a", host: "n1"))
        guard case let .claimed(token, attempt) = first else { Issue.record("not claimed: \(first)"); return }
        #expect(attempt == 1)
        #expect(try coordinator.claimJob(runID: runID, index: 0, host: "n2", running: Self.running("a", host: "n2"))
            == .heldBy(host: "n1", attempt: 1))
        // The running record is the claimer's.
        #expect(try coordinator.candidate(runID: runID, agent: "a")?.workerHost == "n1")
        #expect(try worker.finishJob(runID: runID, index: 0, token: token, Self.candidate("a", from: "n1", .ok, attempt: 1)))
        #expect(try coordinator.claimJob(runID: runID, index: 0, host: "n3", running: Self.running("a", host: "n3"))
            == .alreadyDone(.finished))
        let stored = try #require(try coordinator.candidate(runID: runID, agent: "a"))
        #expect(stored.workerHost == "n1" && stored.attempt == 1 && stored.state == .finished)
        #expect(try coordinator.jobs(runID: runID).first?.state == .finished)
    }

    @Test(arguments: StoreBackend.available) func aLateWorkerOfARetriedAttemptIsDiscarded(_ backend: StoreBackend) throws {
        let (dir, coordinator, worker, runID) = try Self.setUp(backend)
        _ = dir
        guard case let .claimed(lateToken, _) = try worker.claimJob(runID: runID, index: 1, host: "slow",
                                                                    running: Self.running("b", host: "slow")) else {
            Issue.record("not claimed"); return
        }
        // The coordinator gives attempt 1 up; attempt 2 runs elsewhere and finishes.
        #expect(try coordinator.requeueJob(runID: runID, index: 1, handle: "101", reason: "NODE_FAIL"))
        guard case let .claimed(retryToken, attempt) = try coordinator.claimJob(runID: runID, index: 1, host: "n2",
                                                                                running: Self.running("b", host: "n2")) else {
            Issue.record("retry not claimed"); return
        }
        #expect(attempt == 2)
        #expect(try coordinator.finishJob(runID: runID, index: 1, token: retryToken, Self.candidate("b", from: "n2", .ok, attempt: 2)))
        // The first worker comes back with a different result: not written.
        #expect(try !worker.finishJob(runID: runID, index: 1, token: lateToken, Self.candidate("b", from: "slow", .agentError, attempt: 1)))
        let stored = try #require(try coordinator.candidate(runID: runID, agent: "b"))
        #expect(stored.workerHost == "n2" && stored.attempt == 2 && stored.outcome == .ok)
        // Nor can the coordinator requeue or crash a finished job.
        #expect(try !coordinator.requeueJob(runID: runID, index: 1, handle: "102", reason: "late"))
        #expect(try !coordinator.crashJob(runID: runID, index: 1, reason: "late", Self.candidate("b", from: "x", .crashed, attempt: 2)))
        let job = try #require(try coordinator.jobs(runID: runID).last)
        #expect(job.state == .finished && job.attempt == 2 && job.host == "n2" && job.handle == "101" && job.reason == "NODE_FAIL")
    }

    @Test(arguments: StoreBackend.available) func aCrashedJobRefusesItsLateWorker(_ backend: StoreBackend) throws {
        let (dir, coordinator, worker, runID) = try Self.setUp(backend)
        _ = dir
        guard case let .claimed(token, _) = try worker.claimJob(runID: runID, index: 0, host: "n1",
                                                                running: Self.running("a", host: "n1")) else {
            Issue.record("not claimed"); return
        }
        #expect(try coordinator.crashJob(runID: runID, index: 0, reason: "TIMEOUT", Self.candidate("a", from: "n1", .crashed, attempt: 1)))
        #expect(try !worker.finishJob(runID: runID, index: 0, token: token, Self.candidate("a", from: "n1", .ok, attempt: 1)))
        #expect(try coordinator.candidate(runID: runID, agent: "a")?.outcome == .crashed)
    }

    @Test(arguments: StoreBackend.available) func resubmittingKeepsFinishedJobs(_ backend: StoreBackend) throws {
        let (dir, coordinator, worker, runID) = try Self.setUp(backend)
        _ = dir
        guard case let .claimed(token, _) = try worker.claimJob(runID: runID, index: 0, host: "n1",
                                                                running: Self.running("a", host: "n1")) else {
            Issue.record("not claimed"); return
        }
        #expect(try worker.finishJob(runID: runID, index: 0, token: token, Self.candidate("a", from: "n1", .ok, attempt: 1)))
        try coordinator.registerJobs(runID: runID, agents: [(0, "a"), (1, "b")], engine: "slurm", handle: "200")
        let jobs = try coordinator.jobs(runID: runID)
        #expect(jobs.map(\.state) == [.finished, .queued])
        #expect(jobs.map(\.handle) == ["100", "200"])
    }

    @Test(arguments: StoreBackend.available) func anUnknownJobIsATypedError(_ backend: StoreBackend) throws {
        let (dir, coordinator, _, runID) = try Self.setUp(backend)
        _ = dir
        #expect(throws: StoreError.jobNotFound(runID: runID, index: 7)) {
            try coordinator.claimJob(runID: runID, index: 7, host: "n1", running: Self.running("a", host: "n1"))
        }
    }

    @Test func recordsWithoutWorkerFieldsStillDecode() throws {
        var record = LeaderboardRecords.candidate("a")
        record.workerHost = "node7"
        record.attempt = 2
        let json = String(decoding: try AgonJSON.encoder.encode(record), as: UTF8.self)
        #expect(json.contains("\"worker_host\" : \"node7\"") && json.contains("\"attempt\" : 2"))
        let old = json.replacingOccurrences(of: ",\n  \"worker_host\" : \"node7\"", with: "")
            .replacingOccurrences(of: ",\n  \"attempt\" : 2", with: "")
        #expect(!old.contains("worker_host"))
        let decoded = try AgonJSON.decoder.decode(CandidateRecord.self, from: Data(old.utf8))
        #expect(decoded.workerHost == nil && decoded.attempt == nil)
        #expect(try AgonJSON.decoder.decode(CandidateRecord.self, from: Data(json.utf8)) == record)
    }
}
