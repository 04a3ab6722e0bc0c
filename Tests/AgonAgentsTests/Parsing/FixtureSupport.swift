import AgonCore
import Foundation
@testable import AgonAgents

/// Locates the captured agent streams vendored in `Tests/Fixtures/agent-streams` (see its SOURCES.md).
enum Fixtures {
    static let directory: URL? = {
        // Resolve symlinks so a dev package that links this folder still finds the real tree.
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<4 { url.deleteLastPathComponent() } // X.swift, Parsing, AgonAgentsTests, Tests
        let dir = url.appendingPathComponent("Tests/Fixtures/agent-streams")
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir) && isDir.boolValue ? dir : nil
    }()

    static var available: Bool { directory != nil }

    static func text(_ name: String) throws -> String {
        guard let dir = directory else { throw CocoaError(.fileNoSuchFile) }
        return String(decoding: try Data(contentsOf: dir.appendingPathComponent(name)), as: UTF8.self)
    }

    /// Every fixture file name (SOURCES.md excluded).
    static func allNames() throws -> [String] {
        guard let dir = directory else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "SOURCES.md" }.sorted()
    }

    /// The format each fixture is parsed with, chosen from its file name.
    static func format(of name: String) -> StreamFormat? {
        let table: [(String, StreamFormat)] = [
            ("claude-", .claudeStreamJSON), ("codex-exec-json-", .codexExecJSON), ("codex-rollout-", .codexRollout),
            ("gemini-", .geminiStreamJSON), ("opencode-run-json-", .opencodeJSON), ("pi-", .piJSON),
            ("aider-analytics-log-", .aiderAnalytics), ("aider-", .aiderStdout), ("openai-chat-", .openAIChat),
        ]
        return table.first { name.hasPrefix($0.0) }?.1
    }

    /// A fixture parsed and fed to a tally-only meter.
    static func run(_ name: String, _ format: StreamFormat) throws -> ParsedStream {
        let (events, malformed) = parseStreamDocument(try text(name), format: format)
        var meter = CostMeter(price: nil, cap: nil)
        for e in events { _ = meter.apply(e) }
        return ParsedStream(events: events, malformedLines: malformed, meter: meter)
    }
}

/// One parsed stream and the totals a meter drew from it.
struct ParsedStream {
    let events: [AgentEvent]
    let malformedLines: Int
    let meter: CostMeter

    var usage: TokenUsage { meter.usage }
    var reported: Double? { meter.reportedUSD }
    var fileEditPaths: [String?] {
        events.compactMap { if case .fileEdit(let p) = $0 { return .some(p) } else { return nil } }
    }
    var sessions: [String] { events.compactMap { if case .session(let id) = $0 { return id } else { return nil } } }
    var models: [String] { events.compactMap { if case .model(let m) = $0 { return m } else { return nil } } }
    var results: [(isError: Bool, summary: String?)] {
        events.compactMap { if case .result(let e, let s) = $0 { return (e, s) } else { return nil } }
    }
    var apiErrors: [APIErrorKind] {
        events.compactMap { if case .apiError(let k, _) = $0 { return k } else { return nil } }
    }
}

/// Feeds `lines` to a fresh parser and returns events and the malformed count.
func parse(_ format: StreamFormat, _ lines: [String]) -> (events: [AgentEvent], malformed: Int) {
    var p = makeStreamParser(format)
    var events: [AgentEvent] = []
    for l in lines { events += p.consume(line: l[...]) }
    events += p.finish()
    return (events, p.malformedLines)
}

func approx(_ a: Double?, _ b: Double, tolerance: Double = 1e-12) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tolerance
}
