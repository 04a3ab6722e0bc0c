import AgonCore
import AgonTournament
import Foundation

/// `agon worker`: what the worker did with its job, one line.
public enum WorkerPresenter {
    /// Text, and the result as JSON.
    public static func output(_ result: CandidateWorker.Result) -> CommandOutput {
        let job = "job \(result.runID):\(result.index) (\(result.agent))"
        let attempt = result.attempt.map { ", attempt \($0)" } ?? ""
        let outcome = result.outcome.map { ": \($0.rawValue)" } ?? ""
        let text: String
        switch result.action {
        case .recorded: text = "\(job)\(attempt) recorded\(outcome)"
        case .discarded: text = "\(job)\(attempt) finished\(outcome), but the attempt was retried or given up meanwhile: not recorded"
        case .alreadyDone: text = "\(job) was already recorded: nothing done"
        case .heldElsewhere: text = "\(job)\(attempt) is held by another worker: nothing done"
        case .interrupted: text = "\(job)\(attempt) interrupted: not recorded"
        }
        return CommandOutput(text: text, value: VersionedDocument(result))
    }
}
