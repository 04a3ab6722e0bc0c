import AgonReport
import AgonTournament
import ArgumentParser
import Foundation

/// The `agon` command: parses arguments and hands over to AgonTournament, nothing else.
@main
struct Agon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agon",
        abstract: "Run coding agents against each other on a spec, under USD budgets, and rank their patches.",
        discussion: """
        Exit codes: 0 success; 1 the work failed (no candidate passed, a review failed, a \
        command could not finish); 2 bad input or usage (spec, agon.yml, unknown agent or run, \
        not a repository, missing base ref); 130 interrupted (Ctrl-C).
        """,
        version: AgonVersion.current,
        subcommands: [
            Init.self, Validate.self, Run.self, Try.self, Models.self, List.self, Show.self,
            Review.self, Followup.self, Shortlist.self, Apply.self, Leaderboard.self, Report.self, Clean.self, DoctorCommand.self,
            Store.self, WorkerCommand.self,
        ]
    )

    // Overridden (not ArgumentParser's default) so every error is rendered once, here: Agon's
    // failures as one `agon: …` line, and ArgumentParser's usage errors with exit 2 instead of 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            Foundation.exit(Self.report(error))
        }
    }

    /// Prints `error` the way a user needs it and returns the documented exit code.
    static func report(_ error: Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }   // the command already printed what it had to
        if let failure = error as? AgonFailure {
            let text = String(describing: failure)
            if !text.isEmpty { FileHandle.standardError.write(Data("agon: \(text)\n".utf8)) }
            return failure.exitCode
        }
        let code = exitCode(for: error)
        if code == .success {
            print(fullMessage(for: error))
            return 0
        }
        // Every error line starts `agon:` (ArgumentParser's own say `Error:`).
        var message = fullMessage(for: error)
        if message.hasPrefix("Error: ") { message = "agon: " + message.dropFirst("Error: ".count) }
        else if !message.hasPrefix("agon: ") && code != .validationFailure { message = "agon: " + message }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        // ArgumentParser reports usage problems as 64; Agon documents 2 for every bad-input case.
        return code == .validationFailure ? 2 : code.rawValue
    }
}

/// Options every command that works on a repository shares.
struct RepositoryOptions: ParsableArguments {
    @Option(name: .customLong("repo"), help: "The repository to work in (default: the one containing the current directory).")
    var repository: String?

    @Option(name: .customLong("config"), help: "Path of agon.yml (default: <repo>/agon.yml).")
    var config: String?

    func workspace() throws -> Workspace {
        try Workspace.open(from: repository ?? FileManager.default.currentDirectoryPath, configPath: config)
    }
}

/// Prints a command's typed result with `present` (stdout), its problems (stderr), and ends with its exit code.
func finish<Value>(_ result: CommandResult<Value>, json: Bool, present: (Value) -> CommandOutput) throws {
    try finish(CommandOutcome(output: present(result.value), exitCode: result.exitCode, errors: result.errors), json: json)
}

/// A command's output plus the exit code it should end with (0 ok, 1 the work failed).
struct CommandOutcome {
    public var output: CommandOutput
    public var exitCode: Int32
    /// Problems to print on stderr, one line each (the output is still printed).
    public var errors: [String] = []

    public init(output: CommandOutput, exitCode: Int32, errors: [String] = []) {
        self.output = output
        self.exitCode = exitCode
        self.errors = errors
    }
}

/// Prints a command's result as text or as JSON on stdout.
func emit(_ output: CommandOutput, json: Bool) {
    print(json ? output.json : output.text, terminator: "")
}

/// Prints an outcome (output on stdout, problems on stderr) and ends with its exit code.
func finish(_ outcome: CommandOutcome, json: Bool) throws {
    if !outcome.output.text.isEmpty || json { emit(outcome.output, json: json) }
    for error in outcome.errors { FileHandle.standardError.write(Data("agon: \(error)\n".utf8)) }
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
}

/// A flag's value is unusable: one `agon: --flag: …` line, exit 2.
struct FlagError: AgonFailure {
    let message: String
    var exitCode: Int32 { 2 }

    init(_ flag: String, _ problem: AgonFailure) { message = "\(flag): \(problem.message)" }
    init(message: String) { self.message = message }
}
