import AgonCore
import Foundation

/// How `show` and `shortlist` print the pre-review screen's findings.
enum ReviewFindingsText {
    /// One line per finding: `injection: agent src/a.swift:3: instructions to reviewers (gated)`.
    static func lines(_ candidates: [CandidateRecord]) -> String {
        var out = ""
        for candidate in candidates {
            for finding in candidate.findings.prefix(10) { out += "\(finding.kind.rawValue): \(candidate.agent) \(placeAndDetail(finding))\n" }
            if candidate.findings.count > 10 { out += "  … and \(candidate.findings.count - 10) more findings for \(candidate.agent) in run.json\n" }
        }
        return out
    }

    /// The candidates a finding kept out of review, one line each.
    static func gatedLines(_ candidates: [CandidateRecord]) -> String {
        candidates.filter(\.gatedByFinding).map { candidate in
            let kinds = Set(candidate.findings.filter(\.gates).map(\.kind.rawValue)).sorted().joined(separator: ", ")
            return "Gated before review (\(kinds)): \(candidate.agent); `agon show` lists the findings.\n"
        }.joined()
    }

    private static func placeAndDetail(_ finding: ReviewFinding) -> String {
        let place = [finding.file, finding.line.map(String.init)].compactMap { $0 }.joined(separator: ":")
        return (place.isEmpty ? "" : place + ": ") + finding.detail + (finding.gates ? " (gated)" : "")
    }
}
