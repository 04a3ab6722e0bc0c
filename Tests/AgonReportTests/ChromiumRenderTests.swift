import Foundation
import Testing
@testable import AgonReport

/// Renders the sample report in headless Chromium: the page must load, draw its charts, and
/// show the hostile `<script>` as text. Skipped when no Chromium is installed.
@Suite struct ChromiumRenderTests {
    static let chromium: String? = {
        let env = ProcessInfo.processInfo.environment["CHROMIUM"].map { [$0] } ?? []
        return (env + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// `.build/test-artifacts/` of the package this file belongs to.
    static let artifactDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/test-artifacts", isDirectory: true)

    @Test(.enabled(if: chromium != nil, "chromium is not installed"))
    func reportRendersInHeadlessChromium() throws {
        let chromium = try #require(Self.chromium)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("agon-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: Self.artifactDirectory, withIntermediateDirectories: true)

        let page = work.appendingPathComponent("report.html")
        try HTMLReport.render(run: SampleData.run, leaderboard: SampleData.leaderboard)
            .write(to: page, atomically: true, encoding: .utf8)
        let png = Self.artifactDirectory.appendingPathComponent("report.png")
        try? FileManager.default.removeItem(at: png)
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                      "--user-data-dir=" + work.appendingPathComponent("profile").path]

        _ = try run(chromium, common + ["--screenshot=" + png.path, "--window-size=1280,2000", page.absoluteString],
                    in: work)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int)
        #expect(size > 20_000, "screenshot is only \(size) bytes")

        let dom = try run(chromium, common + ["--dump-dom", page.absoluteString], in: work)
        #expect(dom.components(separatedBy: "<svg").count - 1 == 3)
        #expect(dom.contains("<polyline class=\"frontier-line\""))
        // The verifier table's swap consistency, beside position bias.
        #expect(dom.contains("<th>position bias</th><th>swap consistency</th>"))
        #expect(dom.contains("<td class=\"num\">0.04</td><td class=\"num\">0.90</td>"))
        #expect(dom.components(separatedBy: "<circle").count - 1 >= 5)
        // The hostile payload is text inside the page, never an element.
        #expect(!dom.contains("<script"))
        #expect(!dom.contains("<img"))
        #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // The unsandboxed candidate is flagged in the run header, its row and a banner.
        #expect(dom.contains("<dd class=\"sandbox-mode\"><span class=\"badge good\">bwrap</span> ×3 <span class=\"badge bad\">none (unsandboxed)</span> ×1</dd>"))
        #expect(dom.contains("<tr class=\"unsandboxed\"><td class=\"num\">3</td><td class=\"agent\">flash</td>"))
        #expect(dom.contains("<strong>Unsandboxed:</strong> <code>flash</code> ran with sandbox <code>none</code>"))
        #expect(dom.contains("tampered: <code>flash</code>: refs/heads/main changed &lt;script&gt;alert(1)&lt;/script&gt;"))
        try dom.write(to: Self.artifactDirectory.appendingPathComponent("report.dom.html"), atomically: true, encoding: .utf8)
    }

    /// Runs a process with a 90 s deadline and returns its stdout.
    func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> String {
        let out = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: deadline)
        process.waitUntilExit()
        deadline.cancel()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0,
                "\(executable) ended with \(process.terminationStatus)")
        return try String(contentsOf: out, encoding: .utf8)
    }
}
