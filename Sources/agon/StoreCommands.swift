import AgonReport
import AgonTournament
import ArgumentParser
import Foundation

/// `agon store …`: moving a run history between stores.
struct Store: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the run store (the local SQLite file or a shared PostgreSQL server).",
        subcommands: [Migrate.self])

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a local SQLite run history into a PostgreSQL store (runs already there are skipped).")

        @OptionGroup var repo: RepositoryOptions
        @Option(help: ArgumentHelp("The SQLite store to copy (default: the repository's .agon/agon.sqlite).", valueName: "path"))
        var from: String?
        @Option(help: ArgumentHelp("The PostgreSQL store, postgres://user@host/database.", valueName: "url"))
        var to: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let source = try from ?? repo.workspace().layout.databaseURL.path
            try finish(try StoreMigrator().migrate(from: source, to: to), json: json, present: StorePresenter.migration)
        }
    }
}
