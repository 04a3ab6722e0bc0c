import AgonCore
import AgonStore
import AgonTestSupport
import Foundation
import Testing
@testable import AgonTournament

extension SlurmExecutorEndToEndTests {
    /// A cascade under Slurm: tier 1's job fails acceptance, so tier 2 is submitted as its own
    /// job array in the same run and serves it; every candidate comes from a worker.
    @Test func aCascadeEscalatesThroughSlurmJobs() throws {
        let (started, _) = SingleNodeSlurm.start(packageRoot: TournamentFixture.packageRoot)
        guard let cluster = started else { return }
        defer { cluster.stop() }
        let agents = """
        agents:
          neat:  { harness: claude, model: claude-sonnet-4-5, binary: BIN/claude, env: { DOUBLE_SOLUTIONS: SOL/neat, DOUBLE_TURNS: "2" } }
          wrong: { harness: gemini, model: gemini-2.5-flash, binary: BIN/gemini, env: { DOUBLE_SOLUTIONS: SOL/wrong, DOUBLE_TURNS: "2" } }
        strategy: { cascade: [[wrong], [neat]] }
        """
        let fixture = try TournamentFixture(config: Self.slurmConfig(agents))
        let run = try ProcessRun.run([TournamentFixture.agonBinary, "run", "specs/slugify.md", "--no-review"],
                                     in: fixture.repo, environment: cluster.environment(fixture.environment), scratch: fixture.root)
        #expect(run.0 == 0, "agon run failed: \(run.2)")
        let store = try fixture.workspace().store()
        let runID = try #require(try store.listRuns().first?.runID)
        let record = try #require(try store.run(runID))
        #expect(record.status == .done)
        let cascade = try #require(record.cascade)
        #expect(cascade.servedByTier == 2)
        #expect(cascade.escalations.map(\.reason) == [.noCandidatePassed])
        let host = ProcessInfo.processInfo.hostName
        #expect(record.candidate("wrong")?.tier == 1 && record.candidate("wrong")?.checks.acceptance == .failed)
        #expect(record.candidate("neat")?.tier == 2 && record.candidate("neat")?.checks.acceptance == .passed)
        #expect(record.candidates.allSatisfy { $0.workerHost == host && $0.attempt == 1 && $0.state == .finished })
        // Two submissions, one per tier; each job finished on its first attempt.
        let jobs = try store.jobs(runID: runID)
        #expect(jobs.map(\.agent).sorted() == ["neat", "wrong"])
        #expect(jobs.allSatisfy { $0.state == .finished && $0.attempt == 1 })
        #expect(Set(jobs.compactMap(\.handle)).count == 2)
    }
}
