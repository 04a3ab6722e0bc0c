import AgonAgents
import AgonCore
import Foundation

/// Where a tournament reports progress: a table redrawn in place, plain lines, or nothing.
public protocol ProgressSink: AnyObject {
    /// A one-off message (warnings, where artifacts are).
    func note(_ line: String)
    /// The current rows; called often (throttle inside).
    func rows(_ rows: [ProgressRow], stateChanged: Bool)
    /// One candidate's state changed (queued → running → checking → done).
    func changed(_ row: ProgressRow)
    /// The run's agents are done: leave the last frame on screen.
    func close()
}

/// Where a candidate is in the pipeline, for progress display.
public enum ProgressState: Equatable, Sendable {
    case queued, running, checking
    case done(Outcome)

    /// `queued`, `running`, `checking`, or the outcome (`done ok`, `done cost_killed`).
    public var label: String {
        switch self {
        case .queued: return "queued"
        case .running: return "running"
        case .checking: return "checking"
        case .done(let outcome): return "done " + outcome.rawValue
        }
    }
}

/// One candidate's live status.
public struct ProgressRow: Equatable, Sendable {
    public var agent: String
    public var state: ProgressState
    public var elapsedMs: Int
    public var tokens: Int
    public var costUSD: Double?
    public var costSource: CostSource
    /// Nil or 0: no enforced budget.
    public var budgetUSD: Double?
    /// Nil until checks have run.
    public var checks: CheckSummary?
    /// The candidate reused an exact repeat's result: no agent ran, nothing was spent.
    public var cacheHit = false
    /// Advisory expectations the agent has exceeded so far (`expected_ttft`, `expected_time_to_solution`).
    public var slow: [SlowExpectation] = []

    public init(agent: String, state: ProgressState, elapsedMs: Int = 0, tokens: Int = 0, costUSD: Double? = nil,
                costSource: CostSource = .computed, budgetUSD: Double? = nil, checks: CheckSummary? = nil,
                cacheHit: Bool = false, slow: [SlowExpectation] = []) {
        self.cacheHit = cacheHit
        self.slow = slow
        self.agent = agent
        self.state = state
        self.elapsedMs = elapsedMs
        self.tokens = tokens
        self.costUSD = costUSD
        self.costSource = costSource
        self.budgetUSD = budgetUSD
        self.checks = checks
    }
}

/// A sink that drops everything (tests, `--quiet`).
public final class SilentProgress: ProgressSink {
    public init() {}
    public func note(_ line: String) {}
    public func rows(_ rows: [ProgressRow], stateChanged: Bool) {}
    public func changed(_ row: ProgressRow) {}
    public func close() {}
}

/// The rows of one run's progress table, updated from the agents' threads.
final class ProgressBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [ProgressRow]
    private var started: [String: Double] = [:]
    private let sink: ProgressSink
    /// Agent → its advisory expectations (seconds), for the live `slow` flag.
    private var expectations: [String: (ttft: Double?, solution: Double?)] = [:]

    init(agents: [PlannedAgent], sink: ProgressSink) {
        self.sink = sink
        rows = agents.map(Self.row)
    }

    private static func row(_ agent: PlannedAgent) -> ProgressRow {
        ProgressRow(agent: agent.id, state: .queued, costSource: agent.price == nil ? .unpriced : .computed,
                    budgetUSD: agent.budget.isTallyOnly ? nil : agent.budget.maxCostUSD)
    }

    /// Adds rows for a cascade tier that starts now.
    func add(_ agents: [PlannedAgent]) {
        lock.lock()
        for agent in agents where !rows.contains(where: { $0.agent == agent.id }) { rows.append(Self.row(agent)) }
        let snapshot = rows
        lock.unlock()
        sink.rows(snapshot, stateChanged: true)
    }

    /// Sets an agent's advisory expectations (nil: none).
    func expect(_ agent: String, ttft: AgonDuration?, solution: AgonDuration?) {
        lock.lock(); expectations[agent] = (ttft?.seconds, solution?.seconds); lock.unlock()
    }

    /// The candidate reuses a cached result instead of running its agent.
    func cached(_ agent: String) {
        change(agent, stateChanged: true) { $0.cacheHit = true; $0.costUSD = 0 }
    }

    func note(_ line: String) { sink.note(line) }

    func started(_ agent: String) {
        change(agent, stateChanged: true) { $0.state = .running }
    }

    func update(_ agent: String, _ progress: AgentProgress) {
        lock.lock(); let expected = expectations[agent]; lock.unlock()
        var slow: [SlowExpectation] = []
        if let ttft = expected?.ttft, progress.usage.total == 0, progress.elapsed > ttft { slow.append(.ttft) }
        if let solution = expected?.solution, progress.elapsed > solution { slow.append(.timeToSolution) }
        change(agent, stateChanged: false) { row in
            row.elapsedMs = Int(progress.elapsed * 1000)
            row.tokens = progress.usage.total
            row.costUSD = progress.costUSD
            for flag in slow where !row.slow.contains(flag) { row.slow.append(flag) }
        }
    }

    func checking(_ agent: String) {
        change(agent, stateChanged: true) { $0.state = .checking }
    }

    func finished(_ candidate: CandidateRecord) {
        change(candidate.agent, stateChanged: true) { row in
            row.state = .done(candidate.outcome ?? .interrupted)
            row.elapsedMs = candidate.durationMs ?? row.elapsedMs
            row.tokens = candidate.tokens.total
            row.costUSD = candidate.costUSD
            row.costSource = candidate.costSource
            row.checks = candidate.checks
            row.cacheHit = candidate.cacheHit != nil
            for flag in candidate.slow.map(\.expectation) where !row.slow.contains(flag) { row.slow.append(flag) }
        }
    }

    func close() { sink.close() }

    private func change(_ agent: String, stateChanged: Bool, _ edit: (inout ProgressRow) -> Void) {
        lock.lock()
        guard let index = rows.firstIndex(where: { $0.agent == agent }) else { lock.unlock(); return }
        edit(&rows[index])
        let snapshot = rows
        let row = rows[index]
        lock.unlock()
        sink.rows(snapshot, stateChanged: stateChanged)
        if stateChanged { sink.changed(row) }
    }
}
