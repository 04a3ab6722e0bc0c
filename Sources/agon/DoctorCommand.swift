import AgonReport
import AgonTournament
import ArgumentParser
import Foundation

/// `agon doctor`: can every configured agent and verifier run, before anything is spent?
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every configured agent and verifier: CLI and version, flags, login, base URL, price, sandbox.",
        discussion: "One line per problem on stderr with what to do; exit 2 when something would fail. `agon run` runs the same checks first.")

    @OptionGroup var repo: RepositoryOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try finish(Doctor(workspace: try repo.workspace()).run(), json: json, present: DoctorPresenter.output)
    }
}
