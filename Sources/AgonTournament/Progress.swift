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

    public init(agent: String, state: ProgressState, elapsedMs: Int = 0, tokens: Int = 0, costUSD: Double? = nil,
                costSource: CostSource = .computed, budgetUSD: Double? = nil, checks: CheckSummary? = nil) {
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

    init(agents: [PlannedAgent], sink: ProgressSink) {
        self.sink = sink
        rows = agents.map {
            ProgressRow(agent: $0.id, state: .queued, costSource: $0.price == nil ? .unpriced : .computed,
                        budgetUSD: $0.budget.isTallyOnly ? nil : $0.budget.maxCostUSD)
        }
    }

    func started(_ agent: String) {
        change(agent, stateChanged: true) { $0.state = .running }
    }

    func update(_ agent: String, _ progress: AgentProgress) {
        change(agent, stateChanged: false) { row in
            row.elapsedMs = Int(progress.elapsed * 1000)
            row.tokens = progress.usage.total
            row.costUSD = progress.costUSD
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
