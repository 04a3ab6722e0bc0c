import AgonCore
@testable import AgonReport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Collects the text of elements by class, and each candidate-table row's cell texts, from a
/// page parsed as XML (the report is well-formed XML), so checks read what a browser shows.
final class TextProbe: NSObject, XMLParserDelegate {
    /// Text of every element with `class` containing the key, in document order.
    var textByClass: [String: [String]] = [:]
    /// Candidate table rows: (row class, cell texts).
    var candidateRows: [(rowClass: String?, cells: [String])] = []
    var error: Error?
    private var open: [(name: String, classes: [String], text: String)] = []
    private var inCandidates = false

    static func parse(_ text: String) -> TextProbe {
        let probe = TextProbe()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = probe
        if !parser.parse() { probe.error = parser.parserError ?? NSError(domain: "xml", code: 1) }
        return probe
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
        let classes = (attributes["class"] ?? "").split(separator: " ").map(String.init)
        if name == "table" && classes.contains("candidates") { inCandidates = true }
        if inCandidates && name == "tr" && open.last?.name == "tbody" {
            candidateRows.append((attributes["class"], []))
        }
        open.append((name, classes, ""))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for i in open.indices { open[i].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let element = open.removeLast()
        for c in element.classes { textByClass[c, default: []].append(element.text) }
        if name == "table" { inCandidates = false }
        if inCandidates && name == "td", open.count >= 1, open.last?.name == "tr", !candidateRows.isEmpty {
            candidateRows[candidateRows.count - 1].cells.append(element.text)
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
}

/// The run view says how each candidate was contained, and flags unsandboxed ones (issue #9).
@Suite struct SandboxHTMLTests {
    static let hostile = "<script>alert(1)</script>"

    static func run(_ candidates: [CandidateView]) -> RunView {
        RunView(runID: "20261130T120000Z-ab12", specTitle: "t", specBody: "", baseSHA: "0123456789ab", status: "done",
                candidates: candidates)
    }

    static func candidate(_ agent: String, sandbox: String?, tampering: [String] = []) -> CandidateView {
        CandidateView(agent: agent, harness: .command, model: "m", outcome: .ok, costUSD: nil, costSource: .unpriced,
                      sandbox: sandbox, tampering: tampering)
    }

    @Test func unsandboxedCandidatesAreFlaggedAndEscaped() throws {
        let page = HTMLReport.render(run: Self.run([
            Self.candidate("caged", sandbox: "bwrap"),
            Self.candidate(Self.hostile, sandbox: "none", tampering: ["refs/heads/main changed \"><img src=x onerror=alert(2)>"]),
            Self.candidate("legacy", sandbox: nil),
        ]), leaderboard: nil)
        #expect(!page.contains("<script") && !page.contains("<img"))
        let probe = TextProbe.parse(page)
        #expect(probe.error == nil, "\(String(describing: probe.error))")

        // The run header gives the mix of modes.
        let mode = try #require(probe.textByClass["sandbox-mode"]?.first)
        #expect(mode == "bwrap ×1 none (unsandboxed) ×1 not recorded ×1")
        // The banner names the unsandboxed agent as text, and the tampering it was seen doing.
        let warning = try #require(probe.textByClass["sandbox-warning"]?.first)
        #expect(warning.contains("Unsandboxed: \(Self.hostile) ran with sandbox none"))
        #expect(warning.contains("tampered: \(Self.hostile): refs/heads/main changed \"><img src=x onerror=alert(2)>"))
        #expect(!warning.contains("caged") && !warning.contains("legacy"))

        // Each candidate row carries its own mode; the unsandboxed row is marked.
        let rows = probe.candidateRows
        #expect(rows.count == 3)
        let sandboxColumn = 4  // rank, agent, harness / model, outcome, sandbox
        #expect(rows.map { $0.cells[1] } == ["caged", Self.hostile, "legacy"])
        #expect(rows.map { $0.cells[sandboxColumn] } == ["bwrap", "none (unsandboxed)", "not recorded"])
        #expect(rows.map(\.rowClass) == [nil, "unsandboxed", nil])
    }

    @Test func fullySandboxedRunShowsOneModeAndNoBanner() throws {
        let page = HTMLReport.render(run: Self.run([Self.candidate("a", sandbox: "bwrap"), Self.candidate("b", sandbox: "bwrap")]),
                                     leaderboard: nil)
        let probe = TextProbe.parse(page)
        #expect(probe.error == nil)
        #expect(probe.textByClass["sandbox-mode"] == ["bwrap"])
        #expect(probe.textByClass["sandbox-warning"] == nil)
        #expect(probe.candidateRows.allSatisfy { $0.rowClass == nil })
    }

    @Test func wholeRunWithoutSandboxSaysNoneOnce() throws {
        let page = HTMLReport.render(run: Self.run([Self.candidate("a", sandbox: "none"), Self.candidate("b", sandbox: "none")]),
                                     leaderboard: nil)
        let probe = TextProbe.parse(page)
        #expect(probe.error == nil)
        #expect(probe.textByClass["sandbox-mode"] == ["none (unsandboxed)"])
        let warning = try #require(probe.textByClass["sandbox-warning"]?.first)
        #expect(warning.hasPrefix("Unsandboxed: a, b ran with sandbox none: nothing kept them from reading or writing outside their worktrees"))
    }

    /// A mode the renderer does not know (a hand-edited record) is shown escaped, not trusted.
    @Test func unknownModeIsEscapedText() throws {
        let page = HTMLReport.render(run: Self.run([Self.candidate("a", sandbox: "\"><b>x</b>")]), leaderboard: nil)
        #expect(!page.contains("<b>x"))
        let probe = TextProbe.parse(page)
        #expect(probe.error == nil)
        #expect(probe.textByClass["sandbox-mode"] == ["\"><b>x</b>"])
        #expect(probe.textByClass["sandbox-warning"] == nil)
    }
}
