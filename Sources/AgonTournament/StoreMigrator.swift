import AgonCore
import AgonStore
import Foundation

/// `agon store migrate`: copies a local SQLite history into a PostgreSQL store.
public struct StoreMigrator {
    public init() {}

    /// Copies the runs of the SQLite store at `sourcePath` that the PostgreSQL store at
    /// `targetURL` lacks; running it again copies nothing twice.
    public func migrate(from sourcePath: String, to targetURL: String) throws -> CommandResult<StoreMigrationResult> {
        // Validate the URL before touching anything, and never create an empty SQLite file as a source.
        try StoreLocation.validatePostgresURL(targetURL)
        guard FileManager.default.fileExists(atPath: sourcePath) else { throw StoreMigrationError.noSource(path: sourcePath) }
        let source = try RunStore(url: URL(fileURLWithPath: sourcePath))
        defer { try? source.close() }
        let target = try RunStore(postgresURL: targetURL)
        defer { try? target.close() }
        return CommandResult(try target.copyNewRuns(from: source))
    }
}

/// `agon store migrate` cannot start (exit 2).
public enum StoreMigrationError: HintedFailure, Equatable {
    /// There is no SQLite store to copy.
    case noSource(path: String)

    public var exitCode: Int32 { 2 }

    public var headline: String {
        switch self {
        case .noSource(let path): return "no SQLite store at \(path)"
        }
    }

    public var hint: String? {
        switch self {
        case .noSource: return "name the .agon/agon.sqlite to copy, or run it in the repository that has one"
        }
    }
}
