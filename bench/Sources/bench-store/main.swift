// bench-store: `agon leaderboard` on a generated history (release build:
// `swift build -c release --product bench-store && .build/release/bench-store [runs] [replicates] [dir]`).
// Goal: 20,000 runs × 5 candidates (100,000 candidates, 50 agents) × 3 verifiers, B = 1000, under 3 s.
//
// Populates a temporary repository's store with SyntheticStore runs (5 of 50 agents per run), then
// times LeaderboardBuilder.compute and LeaderboardPresenter.render with the store load, the computation and
// the rendering reported apart, plus the
// peak resident memory of the leaderboard alone (VmHWM, reset after populating).
// With a directory argument that already holds a store, the populate step is skipped.
//
// PostgreSQL vs SQLite (issue 15): with AGON_BENCH_POSTGRES_URL set (an empty database or schema,
// e.g. from scripts/with-postgres.sh), the same runs are copied there with `agon store migrate`'s
// code, then the leaderboard's store load and the whole leaderboard are timed from both stores
// in the same process, alternately.
import AgonCore
import AgonLeaderboard
import AgonReport
import AgonStore
import AgonTestSupport
import AgonTournament
import Dispatch
import Foundation

let arguments = CommandLine.arguments
let runCount = arguments.count > 1 ? Int(arguments[1]) ?? 20_000 : 20_000
let replicates = arguments.count > 2 ? Int(arguments[2]) ?? 1000 : 1000
let agentCount = 50
let perRun = 5

func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

/// A line of /proc/self/status in MB (Linux), e.g. VmHWM (peak RSS) or VmRSS.
func statusMB(_ field: String) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first
        return kb.map { $0 / 1024 }
    }
    return nil
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so the next peak is the leaderboard's own.
func resetPeakRSS() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

#if os(Linux)
let RUSAGE_SELF_ARG = Int32(RUSAGE_SELF.rawValue)
#else
let RUSAGE_SELF_ARG = RUSAGE_SELF
#endif

/// Process CPU seconds over all threads (robust to other processes competing for the cores).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF_ARG, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Run `index` with 5 of the 50 agents; each agent keeps one harness, model and price level
/// across runs so the leaderboard has exactly 50 rows.
func makeRun(index: Int, agents: [String], rng: inout SplitMix64) -> RunRecord {
    var chosen = Set<Int>()
    while chosen.count < perRun { chosen.insert(Int(rng.next() % UInt64(agentCount))) }
    let ids = chosen.sorted()
    var run = SyntheticStore.makeRun(index: index, agents: ids.map { agents[$0] }, start: Date(timeIntervalSince1970: 1_767_225_600),
                                     rng: &rng)
    let harnesses: [Harness] = [.claude, .codex, .gemini, .opencode, .pi, .aider, .command]
    for (k, g) in ids.enumerated() {
        run.candidates[k].harness = harnesses[g % harnesses.count]
        if g % 5 == 4 {
            run.candidates[k].costUSD = nil
            run.candidates[k].computedCostUSD = nil
            run.candidates[k].costSource = .unpriced
        } else if run.candidates[k].costUSD == nil {
            let cost = (0.02 + Double(g) / Double(agentCount - 1) * 0.8) * (0.5 + rng.unit())
            run.candidates[k].costUSD = cost
            run.candidates[k].computedCostUSD = cost
            run.candidates[k].costSource = .computed
        }
    }
    return run
}

/// Fills an empty store with the generated history (the handle is released on return).
func populateIfEmpty(_ workspace: Workspace) throws {
    let store = try workspace.store()
    let existing = try store.runCount()
    if existing == 0 {
        let start = DispatchTime.now().uptimeNanoseconds
        let agents = (0..<agentCount).map { String(format: "agent-%02d", $0) }
        var rng = SplitMix64(seed: 42)
        var batch: [RunRecord] = []
        for i in 0..<runCount {
            batch.append(makeRun(index: i, agents: agents, rng: &rng))
            if batch.count == 500 {
                try store.importRuns(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try store.importRuns(batch) }
        print(String(format: "populated %d runs × %d candidates × %d verifiers (%d agents) in %.1f s",
                     runCount, perRun, SyntheticStore.verifiers.count, agentCount, seconds(since: start)))
    } else {
        print("store at \(workspace.root) already holds \(existing) runs; not populating")
    }
}

do {
    let directory: String
    if arguments.count > 3 {
        directory = arguments[3]
    } else {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("agon-bench-store-\(getpid())").path
    }
    let temporary = arguments.count <= 3
    defer { if temporary { try? FileManager.default.removeItem(atPath: directory) } }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    if !FileManager.default.fileExists(atPath: directory + "/.git") { _ = try GitCLI(directory: directory).data(["init", "-q"]) }

    let workspace = try Workspace.open(from: directory)
    // The populating handle is dropped before the leaderboard opens its own.
    try populateIfEmpty(workspace)

    resetPeakRSS()
    let rssBefore = statusMB("VmRSS") ?? 0
    let query = LeaderboardQuery(since: nil, specGlob: nil, replicates: replicates, seed: 1)
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuSeconds()
    let (result, timings) = try LeaderboardBuilder(workspace: workspace).computeTimed(query)
    let renderStart = DispatchTime.now().uptimeNanoseconds
    let board = LeaderboardPresenter.render(result, query: query)
    let renderSeconds = seconds(since: renderStart)
    let total = seconds(since: start)
    let cpu = cpuSeconds() - cpuStart
    let peak = statusMB("VmHWM") ?? 0
    let rows = board.csv.split(separator: "\r\n").count - 1
    print(String(format: "leaderboard B=%d: total %.2f s (store load %.2f s, computation %.2f s, render %.3f s) — goal < 3 s",
                 replicates, total, timings.loadSeconds, timings.computeSeconds, renderSeconds))
    print(String(format: "CPU time %.2f s over all threads (load avg %@)", cpu,
                 (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"))
    print(String(format: "rows %d; RSS before %.0f MB, peak during the leaderboard %.0f MB (VmHWM)", rows, rssBefore, peak))
    print(board.text.split(separator: "\n").prefix(8).joined(separator: "\n"))

    // Full records (every run's JSON decoded, as a schema backfill or an export does).
    let fullStart = DispatchTime.now().uptimeNanoseconds
    let fullCPU = cpuSeconds()
    let full = try workspace.store().allRunsForLeaderboard()
    print(String(format: "full records: %d runs decoded in %.2f s wall, %.2f s CPU", full.count, seconds(since: fullStart),
                 cpuSeconds() - fullCPU))

    // Where the computation goes: tallies and the point fit alone (B = 0) vs the full bootstrap.
    let runs = try workspace.store().leaderboardRuns()
    for b in [0, replicates] {
        let settings = LeaderboardSettings(config: workspace.config, replicates: b, seed: 1)
        let t = DispatchTime.now().uptimeNanoseconds
        let c = cpuSeconds()
        let result = LeaderboardComputation(settings: settings).compute(runs: runs, picks: [])
        print(String(format: "computation alone, B=%d: %.2f s wall, %.2f s CPU; %d replicates unconverged, %d dropped", b,
                     seconds(since: t), cpuSeconds() - c, result.unconvergedReplicates, result.droppedReplicates))
    }

    // The report's insights (trend, cost-speed frontier, error codes, spend per applied patch) and their HTML.
    let insightsStart = DispatchTime.now().uptimeNanoseconds
    let insights = LeaderboardInsights(runs: runs, picks: try workspace.store().picks())
    let insightsSeconds = seconds(since: insightsStart)
    var view = LeaderboardPresenter.view(result, generatedAt: Date())
    view.insights = insights
    let htmlStart = DispatchTime.now().uptimeNanoseconds
    let html = HTMLReport.render(run: nil, leaderboard: view)
    print(String(format: "report insights: computed in %.3f s (%d trend buckets × %d agents), whole leaderboard page rendered in %.3f s (%.1f MB)",
                 insightsSeconds, insights.trend.buckets.count, insights.trend.agents.count, seconds(since: htmlStart),
                 Double(html.utf8.count) / 1e6))
    if let postgresURL = ProcessInfo.processInfo.environment["AGON_BENCH_POSTGRES_URL"] {
        try comparePostgres(postgresURL, workspace: workspace, directory: directory, query: query)
    }
} catch {
    FileHandle.standardError.write(Data("bench-store: \(error)\n".utf8))
    exit(1)
}

/// The same history from PostgreSQL and SQLite: copy, store load (median of 5, alternating) and
/// the whole leaderboard (load + statistics + render) from each.
func comparePostgres(_ url: String, workspace: Workspace, directory: String, query: LeaderboardQuery) throws {
    let sqlite = try workspace.store()
    let postgres = try RunStore(postgresURL: url)
    if try postgres.runCount() == 0 {
        let start = DispatchTime.now().uptimeNanoseconds
        let copied = try postgres.copyNewRuns(from: sqlite)
        print(String(format: "postgres: copied %d runs (%d candidates, %d reviews) in %.1f s (agon store migrate)",
                     copied.runsCopied, copied.candidatesCopied, copied.reviewsCopied, seconds(since: start)))
    }
    guard try postgres.runCount() == sqlite.runCount() else {
        throw StoreError.database(path: url, detail: "holds a different history than the SQLite store; give an empty database")
    }
    var loads: [String: [Double]] = ["sqlite": [], "postgres": []]
    var loaded: [String: [LeaderboardRun]] = [:]
    for _ in 0..<5 {
        for (name, store) in [("sqlite", sqlite), ("postgres", postgres)] {
            let start = DispatchTime.now().uptimeNanoseconds
            loaded[name] = try store.leaderboardRuns()
            loads[name]!.append(seconds(since: start))
        }
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    print(String(format: "store load (leaderboardRuns, median of 5): SQLite %.2f s, PostgreSQL %.2f s; same runs: %@",
                 median(loads["sqlite"]!), median(loads["postgres"]!), loaded["sqlite"] == loaded["postgres"] ? "yes" : "NO"))
    var environment = ProcessInfo.processInfo.environment
    environment[StoreLocation.environmentVariable] = url
    let shared = try Workspace.open(from: directory, environment: environment)
    for (name, space) in [("sqlite", workspace), ("postgres", shared)] {
        let start = DispatchTime.now().uptimeNanoseconds
        let (result, timings) = try LeaderboardBuilder(workspace: space).computeTimed(query)
        _ = LeaderboardPresenter.render(result, query: query)
        print(String(format: "leaderboard from %@ B=%d: total %.2f s (store load %.2f s, computation %.2f s)", name,
                     query.replicates, seconds(since: start), timings.loadSeconds, timings.computeSeconds))
    }
}
