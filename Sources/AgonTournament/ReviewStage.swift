import AgonCore
import Foundation

/// Blinded review of a run's candidates by its verifiers, then consensus.
/// (Being written: verifier execution, packets, retries and consensus wiring.)
public final class ReviewStage {
    public let workspace: Workspace
    let stopSignal: StopSignal
    let progress: ProgressSink

    init(workspace: Workspace, stopSignal: StopSignal, progress: ProgressSink) {
        self.workspace = workspace
        self.stopSignal = stopSignal
        self.progress = progress
    }

    public convenience init(workspace: Workspace) {
        self.init(workspace: workspace, stopSignal: StopSignal(), progress: TerminalProgress.standardError())
    }

    func reviewRun(_ record: RunRecord, spec: Spec, verifiers: [PlannedAgent]) throws -> RunRecord {
        throw WorkError("review is not available yet")
    }

    public func review(runID: String, verifierFilter: [String]?) throws -> CommandOutcome {
        throw WorkError("review is not available yet")
    }
}
