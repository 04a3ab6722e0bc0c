// A second OS process for the store's concurrency tests: opens the store at argv[1] (a SQLite
// path or a PostgreSQL URL) and writes, so tests can check what several machines writing at
// once leave behind.
//   store-writer STORE update RUN TAG COUNT   COUNT read-modify-writes of RUN (appends TAG-i to
//                                             agents_planned) and COUNT new candidates TAG-i
//   store-writer STORE import TAG COUNT       COUNT complete synthetic runs, one transaction each
import AgonCore
import AgonStore
import AgonTestSupport
import Foundation

let args = CommandLine.arguments
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("store-writer: \(message)\n".utf8))
    exit(1)
}
guard args.count >= 5 else { fail("usage: store-writer STORE update RUN TAG COUNT | STORE import TAG COUNT") }
let location: StoreLocation = args[1].contains("://") ? .postgres(args[1]) : .sqlite(URL(fileURLWithPath: args[1]))
do {
    let store = try RunStore(location: location)
    switch args[2] {
    case "update":
        guard args.count == 6, let count = Int(args[5]) else { fail("update needs RUN TAG COUNT") }
        let (runID, tag) = (args[3], args[4])
        for i in 0..<count {
            try store.updateRun(runID) { $0.agentsPlanned.append("\(tag)-\(i)") }
            try store.upsertCandidate(runID: runID, CandidateRecord(agent: "\(tag)-\(i)", harness: .command, state: .running,
                                                                    worktree: "w", branch: "b"))
        }
    case "import":
        guard let count = Int(args[4]) else { fail("import needs TAG COUNT") }
        var rng = SplitMix64(seed: FNV1a.hash64(args[3]))
        let start = Date(timeIntervalSince1970: 1_767_225_600)
        for i in 0..<count {
            var run = SyntheticStore.makeRun(index: i, agents: ["a", "b", "c", "d", "e"], start: start, rng: &rng)
            run.runID = "\(args[3])-\(i)"
            try store.importRuns([run])
        }
    default:
        fail("unknown mode \(args[2])")
    }
    try store.close()
} catch {
    fail("\(error)")
}
