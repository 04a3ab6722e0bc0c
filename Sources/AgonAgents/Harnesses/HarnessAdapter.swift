import AgonCore
import Foundation

/// Everything Agon does differently for one agent CLI: its command line, how its stdout is
/// parsed, which files besides stdout carry usage, how its final answer is found in a transcript,
/// and its colour in reports. One conforming type per CLI, one file each, listed in `HarnessAdapters`.
public protocol HarnessAdapter: Sendable {
    /// The `harness:` value in agon.yml this adapter serves.
    var harness: Harness { get }
    /// How stdout is parsed; nil = plain text, only kept in the transcript.
    var stdoutFormat: StreamFormat? { get }
    /// A fixed colour, so an agent keeps its colour across reports.
    var color: String { get }
    /// The argv, extra environment and side channels of one launch.
    func command(for launch: AgentLaunch, paths: HarnessCommand.Paths) throws -> HarnessCommand
    /// The run's last assistant message read from its captured stdout; nil when it holds none.
    /// (The stream parsers keep only a short summary of a result, too short for a verdict.)
    func finalMessage(transcript: String) -> String?
    /// Whether the CLI can continue an earlier session headlessly (`agon followup`); default: no,
    /// and a follow-up is a fresh invocation given the spec, the current diff and the message.
    var resumesSessions: Bool { get }
    /// The argv that continues `session` with `launch.prompt` as the next user message.
    func resumeCommand(for launch: AgentLaunch, session: SessionResume, paths: HarnessCommand.Paths) throws -> HarnessCommand
}

extension HarnessAdapter {
    public var resumesSessions: Bool { false }

    /// Without session resume the follow-up is an ordinary invocation of the follow-up prompt.
    public func resumeCommand(for launch: AgentLaunch, session: SessionResume, paths: HarnessCommand.Paths) throws -> HarnessCommand {
        try command(for: launch, paths: paths)
    }
}

/// The registry: adding a harness is one file and one line here (plus its `Harness` case).
public enum HarnessAdapters {
    public static let all: [any HarnessAdapter] = [
        ClaudeAdapter(), CodexAdapter(), GeminiAdapter(), OpenCodeAdapter(), PiAdapter(), AiderAdapter(),
        OpenAIAdapter(), CommandAdapter(),
    ]

    private static let byHarness = Dictionary(uniqueKeysWithValues: all.map { ($0.harness, $0) })

    /// The adapter for `harness` (every case has one; the registry test checks it).
    public static func adapter(for harness: Harness) -> any HarnessAdapter {
        guard let adapter = byHarness[harness] else { preconditionFailure("no HarnessAdapter for \(harness.rawValue)") }
        return adapter
    }
}

/// Helpers the adapters share.
enum Transcript {
    /// The JSON objects of a JSON Lines transcript that carry a string `type`, in order (read
    /// with the stream parsers' `JSONValue`; other lines are skipped).
    static func typedObjects(_ transcript: String) -> [(type: String, object: JSONValue)] {
        transcript.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { line in
            guard line.first == "{", let object = JSONValue.parse(line), let type = object["type"]?.string else { return nil }
            return (type, object)
        }
    }

    /// The whole output as the answer (plain-text harnesses); nil when blank.
    static func wholeText(_ transcript: String) -> String? {
        let text = transcript.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Joined text pieces; nil when empty.
    static func joined(_ pieces: [String]) -> String? {
        let text = pieces.joined()
        return text.isEmpty ? nil : text
    }

    /// The text blocks of a message's `content` array, joined.
    static func textBlocks(_ message: JSONValue) -> String {
        let content = message["content"]?.array ?? []
        return content.filter { $0["type"]?.string == "text" }.compactMap { $0["text"]?.string }.joined()
    }

    /// The common shape: `[base args] [--model M] [extra args] PROMPT`, stdout in `format`.
    static func promptLast(_ base: [String], modelFlag: String, launch: AgentLaunch, format: StreamFormat) -> HarnessCommand {
        var args = base
        if let model = launch.model { args += [modelFlag, model] }
        args += launch.extraArgs
        args.append(launch.prompt)
        return HarnessCommand(executable: launch.executableName, arguments: args, environment: [:], stdoutFormat: format,
                              sideChannels: [])
    }
}

extension AgentLaunch {
    /// The configured binary, else the harness's usual name on PATH.
    var executableName: String { binary ?? harness.defaultBinary ?? "" }
}

extension HarnessAdapters {
    /// `harness`'s colour in reports.
    public static func color(_ harness: Harness) -> String { adapter(for: harness).color }
}
