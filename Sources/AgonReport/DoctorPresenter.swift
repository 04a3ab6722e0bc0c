import AgonCore
import AgonTournament
import Foundation

/// `agon doctor`: one block per agent and verifier, one line per check, then the machine's checks.
public enum DoctorPresenter {
    /// Text, and the report as JSON.
    public static func output(_ report: DoctorReport) -> CommandOutput {
        var lines: [String] = []
        for entry in report.entries {
            let head = "\(entry.id) (\(entry.role), \(entry.harness.rawValue)\(entry.model.map { ", \($0)" } ?? ""))"
            lines.append(head + (entry.binaryPath.map { ": \($0)" } ?? "") + (entry.version.map { " — \($0)" } ?? ""))
            for check in entry.checks { lines.append("  " + line(check)) }
        }
        for check in report.machine { lines.append(line(check)) }
        return CommandOutput(text: lines.joined(separator: "\n"), value: VersionedDocument(report))
    }

    private static func line(_ check: DoctorCheck) -> String {
        "\(check.status.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(check.name): \(check.detail)"
    }
}
