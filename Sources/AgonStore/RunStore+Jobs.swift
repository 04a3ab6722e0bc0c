import AgonCore
import Foundation
import GRDB

/// One candidate's job when a run's candidates run as cluster jobs: which attempt is current,
/// which worker holds it (its claim token and host), and how it ended.
public struct JobRecord: Equatable, Sendable {
    /// Where a job stands in the store (the engine's view is separate).
    public enum State: String, Sendable {
        /// Submitted; no worker has claimed the current attempt yet.
        case queued
        /// A worker claimed the current attempt and has not written its record yet.
        case running
        /// The current attempt's worker wrote the candidate's record.
        case finished
        /// The coordinator gave up on the job (its record says why).
        case crashed
    }

    public var runID: String
    public var index: Int
    public var agent: String
    /// 1, then 2 after one retry.
    public var attempt: Int
    public var engine: String
    /// The engine's handle of the current attempt (Slurm job id).
    public var handle: String?
    public var submittedAt: Date
    public var host: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var state: State
    public var reason: String?

    public init(runID: String, index: Int, agent: String, attempt: Int, engine: String, handle: String?, submittedAt: Date,
                host: String?, startedAt: Date?, finishedAt: Date?, state: State, reason: String?) {
        self.runID = runID
        self.index = index
        self.agent = agent
        self.attempt = attempt
        self.engine = engine
        self.handle = handle
        self.submittedAt = submittedAt
        self.host = host
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.state = state
        self.reason = reason
    }
}

/// What `claimJob` found.
public enum JobClaim: Equatable, Sendable {
    /// This worker holds the current attempt; only a write carrying `token` is accepted.
    case claimed(token: String, attempt: Int)
    /// The job's record is already written (a duplicate or late worker): nothing to do.
    case alreadyDone(JobRecord.State)
    /// Another worker holds the current attempt.
    case heldBy(host: String?, attempt: Int)
}

enum JobTable {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE jobs (
                run_id       TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                job_index    INTEGER NOT NULL,
                agent        TEXT NOT NULL,
                attempt      INTEGER NOT NULL,
                engine       TEXT NOT NULL,
                handle       TEXT,
                submitted_at REAL NOT NULL,
                token        TEXT,             -- the claim of the worker holding the current attempt
                host         TEXT,
                started_at   REAL,
                finished_at  REAL,
                state        TEXT NOT NULL,    -- queued, running, finished, crashed
                reason       TEXT,
                PRIMARY KEY (run_id, job_index)
            );
            """)
    }

    static func record(_ row: Row) -> JobRecord {
        JobRecord(runID: row["run_id"], index: row["job_index"], agent: row["agent"], attempt: row["attempt"],
                  engine: row["engine"], handle: row["handle"],
                  submittedAt: Date(timeIntervalSince1970: row["submitted_at"]), host: row["host"],
                  startedAt: (row["started_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                  finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                  state: JobRecord.State(rawValue: row["state"]) ?? .queued, reason: row["reason"])
    }
}

extension RunStore {
    /// Records the jobs of a submission (attempt 1, queued); a job already finished is left alone,
    /// so a resumed run resubmits only what is missing.
    public func registerJobs(runID: String, agents: [(index: Int, agent: String)], engine: String, handle: String,
                             submittedAt: Date = Date()) throws {
        if let postgres { return try postgres.registerJobs(runID: runID, agents: agents, engine: engine, handle: handle, submittedAt: submittedAt) }
        try write { db in
            guard try Self.runExists(db, runID) else { throw StoreError.runNotFound(runID) }
            for (index, agent) in agents {
                try db.execute(sql: """
                    INSERT INTO jobs (run_id, job_index, agent, attempt, engine, handle, submitted_at, state)
                    VALUES (?, ?, ?, 1, ?, ?, ?, 'queued')
                    ON CONFLICT(run_id, job_index) DO UPDATE SET
                        agent = excluded.agent, attempt = 1, engine = excluded.engine, handle = excluded.handle,
                        submitted_at = excluded.submitted_at, token = NULL, host = NULL, started_at = NULL,
                        finished_at = NULL, state = 'queued', reason = NULL
                    WHERE jobs.state <> 'finished'
                    """, arguments: [runID, index, agent, engine, handle, submittedAt.timeIntervalSince1970])
            }
        }
    }

    /// The run's jobs by index (none when it never ran as jobs).
    public func jobs(runID: String) throws -> [JobRecord] {
        if let postgres { return try postgres.jobs(runID: runID) }
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE run_id = ? ORDER BY job_index", arguments: [runID])
                .map(JobTable.record)
        }
    }

    /// A worker takes the current attempt of job `index`: only a queued attempt can be claimed, so
    /// of two workers started for one attempt (a duplicate, a late one) exactly one gets the token.
    /// The claiming worker records its running candidate in the same transaction.
    public func claimJob(runID: String, index: Int, host: String, running candidate: (Int) -> CandidateRecord,
                         now: Date = Date()) throws -> JobClaim {
        if let postgres { return try postgres.claimJob(runID: runID, index: index, host: host, running: candidate, now: now) }
        return try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE run_id = ? AND job_index = ?",
                                             arguments: [runID, index]) else {
                throw StoreError.jobNotFound(runID: runID, index: index)
            }
            let job = JobTable.record(row)
            switch job.state {
            case .finished, .crashed: return .alreadyDone(job.state)
            case .running: return .heldBy(host: job.host, attempt: job.attempt)
            case .queued: break
            }
            let token = UUID().uuidString
            try db.execute(sql: """
                UPDATE jobs SET token = ?, host = ?, started_at = ?, state = 'running'
                WHERE run_id = ? AND job_index = ?
                """, arguments: [token, host, now.timeIntervalSince1970, runID, index])
            try Self.upsertCandidate(db, runID: runID, candidate(job.attempt), position: nil)
            return .claimed(token: token, attempt: job.attempt)
        }
    }

    /// Writes a worker's finished candidate when it still holds the current attempt; returns false
    /// (and writes nothing) for a worker whose attempt was given up or retried meanwhile.
    public func finishJob(runID: String, index: Int, token: String, _ candidate: CandidateRecord,
                          now: Date = Date()) throws -> Bool {
        if let postgres { return try postgres.finishJob(runID: runID, index: index, token: token, candidate, now: now) }
        return try write { db in
            let held = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM jobs WHERE run_id = ? AND job_index = ? AND token = ? AND state = 'running')
                """, arguments: [runID, index, token]) ?? false
            guard held else { return false }
            try Self.upsertCandidate(db, runID: runID, candidate, position: nil)
            try db.execute(sql: "UPDATE jobs SET state = 'finished', finished_at = ? WHERE run_id = ? AND job_index = ?",
                           arguments: [now.timeIntervalSince1970, runID, index])
            return true
        }
    }

    /// Starts the next attempt of a job that died (the old attempt's token stops counting); false
    /// when its worker finished after all, or the job was given up.
    public func requeueJob(runID: String, index: Int, handle: String, reason: String, now: Date = Date()) throws -> Bool {
        if let postgres { return try postgres.requeueJob(runID: runID, index: index, handle: handle, reason: reason, now: now) }
        return try write { db in
            try db.execute(sql: """
                UPDATE jobs SET attempt = attempt + 1, handle = ?, submitted_at = ?, token = NULL, host = NULL,
                    started_at = NULL, state = 'queued', reason = ?
                WHERE run_id = ? AND job_index = ? AND state IN ('queued', 'running')
                """, arguments: [handle, now.timeIntervalSince1970, reason, runID, index])
            return db.changesCount > 0
        }
    }

    /// Gives a job up: records `candidate` (outcome `crashed`, with the reason) unless its worker
    /// finished after all; false in that case.
    public func crashJob(runID: String, index: Int, reason: String, _ candidate: CandidateRecord,
                         now: Date = Date()) throws -> Bool {
        if let postgres { return try postgres.crashJob(runID: runID, index: index, reason: reason, candidate, now: now) }
        return try write { db in
            try db.execute(sql: """
                UPDATE jobs SET state = 'crashed', token = NULL, finished_at = ?, reason = ?
                WHERE run_id = ? AND job_index = ? AND state IN ('queued', 'running')
                """, arguments: [now.timeIntervalSince1970, reason, runID, index])
            guard db.changesCount > 0 else { return false }
            try Self.upsertCandidate(db, runID: runID, candidate, position: nil)
            return true
        }
    }

    /// One candidate of a run as stored (nil when absent).
    public func candidate(runID: String, agent: String) throws -> CandidateRecord? {
        if let postgres { return try postgres.candidate(runID: runID, agent: agent) }
        return try read { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT record FROM candidates WHERE run_id = ? AND agent = ?",
                                               arguments: [runID, agent]) else { return nil }
            do {
                return try AgonJSON.decoder.decode(CandidateRecord.self, from: data)
            } catch {
                throw StoreError.corruptRecord(table: "candidates", key: "\(runID)/\(agent)", detail: StoreError.describe(error))
            }
        }
    }
}
