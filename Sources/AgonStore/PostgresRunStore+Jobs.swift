import AgonCore
import Foundation

// The jobs table on PostgreSQL: the same rules as `RunStore+Jobs.swift`. Each statement that
// decides on a job's state locks the run's row and then the job's row (`FOR UPDATE`), so two
// workers on different machines claiming one attempt are serialised and exactly one wins.
extension PostgresRunStore {
    private static let jobColumns = """
        run_id, job_index, agent, attempt, engine, handle, submitted_at, host, started_at, finished_at, state, reason
        """

    private static func job(_ r: PostgresResult, _ i: Int) -> JobRecord {
        JobRecord(runID: r.string(i, 0) ?? "", index: r.int(i, 1) ?? 0, agent: r.string(i, 2) ?? "", attempt: r.int(i, 3) ?? 1,
                  engine: r.string(i, 4) ?? "", handle: r.string(i, 5),
                  submittedAt: Date(timeIntervalSince1970: r.double(i, 6) ?? 0), host: r.string(i, 7),
                  startedAt: r.double(i, 8).map(Date.init(timeIntervalSince1970:)),
                  finishedAt: r.double(i, 9).map(Date.init(timeIntervalSince1970:)),
                  state: r.string(i, 10).flatMap(JobRecord.State.init(rawValue:)) ?? .queued, reason: r.string(i, 11))
    }

    func registerJobs(runID: String, agents: [(index: Int, agent: String)], engine: String, handle: String,
                      submittedAt: Date) throws {
        try transaction { db in
            guard try Self.lockRun(db, runID) else { throw StoreError.runNotFound(runID) }
            for (index, agent) in agents {
                try db.execute("""
                    INSERT INTO jobs (run_id, job_index, agent, attempt, engine, handle, submitted_at, state)
                    VALUES ($1, $2, $3, 1, $4, $5, $6, 'queued')
                    ON CONFLICT (run_id, job_index) DO UPDATE SET
                        agent = excluded.agent, attempt = 1, engine = excluded.engine, handle = excluded.handle,
                        submitted_at = excluded.submitted_at, token = NULL, host = NULL, started_at = NULL,
                        finished_at = NULL, state = 'queued', reason = NULL
                    WHERE jobs.state <> 'finished'
                    """, [runID, String(index), agent, engine, handle, Self.text(submittedAt.timeIntervalSince1970)])
            }
        }
    }

    func jobs(runID: String) throws -> [JobRecord] {
        try transaction(readOnly: true) { db in
            let r = try db.execute("SELECT \(Self.jobColumns) FROM jobs WHERE run_id = $1 ORDER BY job_index", [runID])
            return (0..<r.rowCount).map { Self.job(r, $0) }
        }
    }

    func claimJob(runID: String, index: Int, host: String, running candidate: (Int) -> CandidateRecord,
                  now: Date) throws -> JobClaim {
        try transaction { db in
            guard try Self.lockRun(db, runID) else { throw StoreError.jobNotFound(runID: runID, index: index) }
            let r = try db.execute("SELECT \(Self.jobColumns) FROM jobs WHERE run_id = $1 AND job_index = $2 FOR UPDATE",
                                   [runID, String(index)])
            guard r.rowCount == 1 else { throw StoreError.jobNotFound(runID: runID, index: index) }
            let job = Self.job(r, 0)
            switch job.state {
            case .finished, .crashed: return .alreadyDone(job.state)
            case .running: return .heldBy(host: job.host, attempt: job.attempt)
            case .queued: break
            }
            let token = UUID().uuidString
            try db.execute("""
                UPDATE jobs SET token = $1, host = $2, started_at = $3, state = 'running' WHERE run_id = $4 AND job_index = $5
                """, [token, host, Self.text(now.timeIntervalSince1970), runID, String(index)])
            try Self.upsertCandidate(db, runID: runID, candidate(job.attempt), position: nil)
            return .claimed(token: token, attempt: job.attempt)
        }
    }

    func finishJob(runID: String, index: Int, token: String, _ candidate: CandidateRecord, now: Date) throws -> Bool {
        try transaction { db in
            guard try Self.lockRun(db, runID) else { return false }
            let held = try db.execute("""
                SELECT 1 FROM jobs WHERE run_id = $1 AND job_index = $2 AND token = $3 AND state = 'running' FOR UPDATE
                """, [runID, String(index), token]).rowCount == 1
            guard held else { return false }
            try Self.upsertCandidate(db, runID: runID, candidate, position: nil)
            try db.execute("UPDATE jobs SET state = 'finished', finished_at = $1 WHERE run_id = $2 AND job_index = $3",
                           [Self.text(now.timeIntervalSince1970), runID, String(index)])
            return true
        }
    }

    func requeueJob(runID: String, index: Int, handle: String, reason: String, now: Date) throws -> Bool {
        try transaction { db in
            _ = try Self.lockRun(db, runID)
            return try db.execute("""
                UPDATE jobs SET attempt = attempt + 1, handle = $1, submitted_at = $2, token = NULL, host = NULL,
                    started_at = NULL, state = 'queued', reason = $3
                WHERE run_id = $4 AND job_index = $5 AND state IN ('queued', 'running')
                """, [handle, Self.text(now.timeIntervalSince1970), reason, runID, String(index)]).affectedRows > 0
        }
    }

    func crashJob(runID: String, index: Int, reason: String, _ candidate: CandidateRecord, now: Date) throws -> Bool {
        try transaction { db in
            guard try Self.lockRun(db, runID) else { return false }
            let changed = try db.execute("""
                UPDATE jobs SET state = 'crashed', token = NULL, finished_at = $1, reason = $2
                WHERE run_id = $3 AND job_index = $4 AND state IN ('queued', 'running')
                """, [Self.text(now.timeIntervalSince1970), reason, runID, String(index)]).affectedRows
            guard changed > 0 else { return false }
            try Self.upsertCandidate(db, runID: runID, candidate, position: nil)
            return true
        }
    }

    func candidate(runID: String, agent: String) throws -> CandidateRecord? {
        try transaction(readOnly: true) { db in
            let r = try db.execute("SELECT record FROM candidates WHERE run_id = $1 AND agent = $2", [runID, agent])
            guard r.rowCount == 1, let text = r.string(0, 0) else { return nil }
            do {
                return try AgonJSON.decoder.decode(CandidateRecord.self, from: Data(text.utf8))
            } catch {
                throw StoreError.corruptRecord(table: "candidates", key: "\(runID)/\(agent)", detail: StoreError.describe(error))
            }
        }
    }
}
