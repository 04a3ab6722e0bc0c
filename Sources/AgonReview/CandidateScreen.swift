import AgonCore
import Foundation

/// The pre-review screen of one candidate: what its diff would carry into a packet.
///
/// - `leak`: after the same redaction every packet applies, the leak scan still finds something
///   in the candidate's review copy: an identity token in disguise or encoded (plain ones are
///   redacted), the holdout's commands or paths, or a run detail redaction could not remove.
///   Such a candidate is gated alone, so the others' review goes on (before, one leaker blocked
///   every verifier's packet).
/// - `injection`: reviewer-directed text (`InjectionScanner`); gated only under `on_injection: gate`.
public enum CandidateScreen {
    /// Findings for `candidate` (one of `candidates`, the run's reviewed candidates).
    public static func screen(_ candidate: ReviewCandidate, among candidates: [ReviewCandidate], spec: ReviewSpec,
                              secrets: RunSecrets, injectionPolicy: InjectionPolicy) -> [ReviewFinding] {
        var out: [ReviewFinding] = []
        let review = ReviewPacketBuilder.redactor(spec: spec, candidates: candidates, secrets: secrets).redact(candidate.patch)
        let scanner = LeakScanner(terms: ReviewPacketBuilder.scanTerms(spec: spec, candidates: candidates, secrets: secrets))
        let locator = PatchLocator(patch: review.text)
        for leak in scanner.findings(in: [PacketSection(name: "diff", text: review.text)]) {
            let place = locator.place(ofPatchLine: leak.line)
            let how: String
            switch leak.form {
            case .plain: how = ""
            case .disguised: how = " in disguise"
            case .base64: how = " base64-encoded"
            case .hex: how = " hex-encoded"
            }
            out.append(ReviewFinding(kind: .leak, file: place.file, line: place.line,
                                     detail: "\(leak.term.kind.rawValue) \"\(leak.term.text)\"\(how)", gates: true))
        }
        for flag in InjectionScanner.scan(patch: candidate.patch) {
            out.append(ReviewFinding(kind: .injection, file: flag.file, line: flag.line, detail: flag.rule.rawValue,
                                     gates: injectionPolicy == .gate))
        }
        return out
    }
}

/// Maps a line of a unified diff to the file and the line in that file's new version.
struct PatchLocator {
    private var places: [(file: String?, line: Int?)] = []

    init(patch: String) {
        var file: String?
        var newLine = 0
        var inHunk = false
        for raw in patch.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line.hasPrefix("diff --git ") {
                inHunk = false
                file = line.range(of: " b/", options: .backwards).map { String(line[$0.upperBound...]) }
                places.append((file, nil))
            } else if !inHunk, line.hasPrefix("+++ ") {
                let path = String(line.dropFirst(4))
                if path != "/dev/null" { file = path.hasPrefix("b/") ? String(path.dropFirst(2)) : path }
                places.append((file, nil))
            } else if line.hasPrefix("@@ "), let plus = line.split(separator: " ").dropFirst(2).first, plus.hasPrefix("+"),
                      let start = Int(plus.dropFirst().split(separator: ",")[0]) {
                inHunk = true
                newLine = start
                places.append((file, nil))
            } else if inHunk, line.hasPrefix("-") || line.hasPrefix("\\") {
                places.append((file, max(1, newLine)))
            } else if inHunk, line.hasPrefix("+") || line.hasPrefix(" ") || line.isEmpty {
                places.append((file, newLine))
                newLine += 1
            } else {
                inHunk = false
                places.append((file, nil))
            }
        }
    }

    /// The file and new-version line of 1-based patch line `line` (nil line: a header).
    func place(ofPatchLine line: Int) -> (file: String?, line: Int?) {
        guard line >= 1, line <= places.count else { return (nil, nil) }
        return places[line - 1]
    }
}
