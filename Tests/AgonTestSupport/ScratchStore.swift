import AgonStore
import Foundation

/// The two run-store backends; store tests take one as their argument so the whole suite
/// runs against both.
public enum StoreBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// The environment variable naming a PostgreSQL server tests may create schemas in
    /// (`scripts/with-postgres.sh`, used by `make test`, sets it).
    public static let postgresURLVariable = "AGON_TEST_POSTGRES_URL"

    /// The test server's URL, when one is given.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment[postgresURLVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The backends this test process can run: SQLite always; PostgreSQL when a server is
    /// given (without one its cases are skipped, and the reason is printed once).
    public static let available: [StoreBackend] = {
        if postgresURL != nil { return [.sqlite, .postgres] }
        FileHandle.standardError.write(Data("""
            note: PostgreSQL store tests skipped: \(postgresURLVariable) is not set \
            (run `make test`, or `scripts/with-postgres.sh swift test --skip-build`)\n
            """.utf8))
        return [.sqlite]
    }()
}

/// One empty store for one test: a fresh SQLite file in a temporary directory, or a fresh
/// schema in the test PostgreSQL database (dropped again on deinit), so tests never collide.
public final class ScratchStore {
    public let backend: StoreBackend
    /// The SQLite file's directory (also there for PostgreSQL tests that need files).
    public let directory: TemporaryDirectory
    /// Where the store lives; `open()` connects to it again, like another process would.
    public let location: StoreLocation
    private let schema: String?

    public init(_ backend: StoreBackend) throws {
        self.backend = backend
        directory = try TemporaryDirectory()
        switch backend {
        case .sqlite:
            location = .sqlite(directory.url.appendingPathComponent(".agon/agon.sqlite"))
            try FileManager.default.createDirectory(at: directory.url.appendingPathComponent(".agon"), withIntermediateDirectories: true)
            schema = nil
        case .postgres:
            guard let base = StoreBackend.postgresURL else {
                throw ScratchStoreError("\(StoreBackend.postgresURLVariable) is not set")
            }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            try Self.psql(base, "CREATE SCHEMA \(name)")
            schema = name
            location = .postgres(Self.url(base, searchPath: name))
        }
    }

    deinit {
        if let schema, let base = StoreBackend.postgresURL {
            try? Self.psql(base, "DROP SCHEMA \(schema) CASCADE")
        }
    }

    /// A new store connection (a new SQLite pool, or a new PostgreSQL connection).
    public func open() throws -> RunStore {
        try RunStore(location: location)
    }

    /// The store's URL (PostgreSQL) or file path (SQLite), as `agon` is given it.
    public var urlOrPath: String {
        switch location {
        case let .sqlite(url): return url.path
        case let .postgres(url): return url
        }
    }

    /// Runs SQL on the scratch schema through `psql` (for tests that tamper with the store).
    public func sql(_ statement: String) throws -> String {
        guard case let .postgres(url) = location else { throw ScratchStoreError("sql(_:) is for PostgreSQL stores") }
        return try Self.psql(url, statement)
    }

    /// `base` with `search_path` set to `schema` (libpq passes `options` to the server).
    public static func url(_ base: String, searchPath schema: String) -> String {
        base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }

    @discardableResult
    static func psql(_ url: String, _ statement: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url, "-c", statement]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScratchStoreError("psql \(statement): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A scratch store could not be made (no server, psql failed).
public struct ScratchStoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
