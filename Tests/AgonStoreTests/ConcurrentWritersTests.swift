import AgonCore
import AgonLeaderboard
import AgonStore
import AgonTestSupport
import Foundation
import Testing

/// Several OS processes (`store-writer`) writing one store at once, as machines of a team do:
/// no update may be lost, and a leaderboard read during the writes sees only whole runs.
@Suite struct ConcurrentWritersTests {
    static func startWriter(_ scratch: ScratchStore, _ arguments: [String]) throws -> (Process, Pipe) {
        let binary = try #require(BuiltProduct.path("store-writer"), "store-writer is not built (swift build --build-tests)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [scratch.urlOrPath] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        return (process, errors)
    }

    static func finish(_ writer: (Process, Pipe)) -> String? {
        let errors = String(decoding: writer.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        writer.0.waitUntilExit()
        return writer.0.terminationStatus == 0 ? nil : "exit \(writer.0.terminationStatus): \(errors)"
    }

    @Test(arguments: StoreBackend.available) func twoProcessesUpdatingOneRunLoseNothing(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let store = try scratch.open()
        var run = Fixtures.run("shared")
        run.agentsPlanned = []
        try store.createRun(run)
        let count = 40
        let writers = try ["A", "B"].map { try Self.startWriter(scratch, ["update", "shared", "w\($0)", "\(count)"]) }
        for writer in writers { if let failure = Self.finish(writer) { Issue.record("writer failed: \(failure)") } }

        let after = try #require(try scratch.open().run("shared"))
        // Every read-modify-write landed: each tag exactly once, each writer's in its own order.
        let tags = ["wA", "wB"].flatMap { tag in (0..<count).map { "\(tag)-\($0)" } }
        #expect(after.agentsPlanned.count == 2 * count)
        #expect(Set(after.agentsPlanned) == Set(tags))
        for tag in ["wA", "wB"] {
            #expect(after.agentsPlanned.filter { $0.hasPrefix(tag + "-") } == (0..<count).map { "\(tag)-\($0)" })
        }
        // Every candidate upsert landed, appended after the fixture's two, in each writer's order.
        #expect(after.candidates.count == 2 + 2 * count)
        #expect(Set(after.candidates.dropFirst(2).map(\.agent)) == Set(tags))
        for tag in ["wA", "wB"] {
            #expect(after.candidates.map(\.agent).filter { $0.hasPrefix(tag + "-") } == (0..<count).map { "\(tag)-\($0)" })
        }
        // The untouched parts are as the fixture wrote them.
        #expect(Array(after.candidates.prefix(2)) == Fixtures.run("shared").candidates)
        #expect(after.consensus == Fixtures.consensus)
    }

    @Test(arguments: StoreBackend.available) func leaderboardReadDuringWritesSeesOnlyWholeRuns(_ backend: StoreBackend) throws {
        let scratch = try ScratchStore(backend)
        let reader = try scratch.open()
        let perWriter = 120
        let writers = try ["iA", "iB"].map { try Self.startWriter(scratch, ["import", $0, "\(perWriter)"]) }
        var reads = 0
        var lastCount = 0
        var partial: [String] = []
        while writers.contains(where: { $0.0.isRunning }) || reads == 0 {
            let runs = try reader.leaderboardRuns()
            reads += 1
            #expect(runs.count >= lastCount, "a later read saw fewer runs")
            lastCount = runs.count
            partial += runs.filter { $0.candidates.count != 5 || $0.reviews.count != 3 || $0.consensus == nil }.map(\.runID)
        }
        for writer in writers { if let failure = Self.finish(writer) { Issue.record("writer failed: \(failure)") } }
        #expect(partial.isEmpty, "runs read half-written: \(partial.prefix(5))")
        let final = try reader.leaderboardRuns()
        #expect(final.count == 2 * perWriter)
        #expect(final == (try reader.allRunsForLeaderboard()).map(LeaderboardRun.init))
        #expect(reads > 1, "the reader never overlapped the writers")
        print("\(backend): \(reads) leaderboard reads during \(2 * perWriter) concurrent run writes")
    }
}
