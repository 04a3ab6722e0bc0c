import AgonCore
import AgonExecutors
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

/// What a cluster job's worker is told: the coordinator's `--no-cache` and store reach it, and a
/// Kubernetes pod runs the image's `agon`.
@Suite struct WorkerArgumentsTests {
    @Test(arguments: [true, false]) func noCacheReachesTheWorker(useCache: Bool) throws {
        let fixture = try TournamentFixture()
        let tournament = Tournament(workspace: try fixture.workspace(),
                                    options: TournamentOptions(progress: SilentProgress(), useCache: useCache))
        for kind in [ExecutorKind.slurm, .kubernetes] {
            let arguments = tournament.workerArguments(for: kind)
            #expect(arguments.contains("--no-cache") == !useCache, "\(kind): \(arguments)")
            #expect(arguments.last == "--job")
            #expect(Array(arguments.dropFirst().prefix(1)) == ["worker"])
        }
        // Slurm runs this very binary; a pod runs the image's agon from its PATH.
        #expect(tournament.workerArguments(for: .kubernetes).first == "agon")
        #expect(tournament.workerArguments(for: .slurm).first?.hasPrefix("/") == true)
    }
}
