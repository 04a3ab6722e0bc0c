import Foundation
import GRDB

/// Failures of the run store and artifact files, each a one-line message a user can act on.
public enum StoreError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The database file exists but is not an Agon store (not SQLite, or someone else's schema).
    case notAnAgonDatabase(path: String, detail: String)
    /// The database was migrated by a newer Agon.
    case newerDatabase(path: String, unknownMigrations: [String])
    case runNotFound(String)
    case runAlreadyExists(String)
    case ambiguousRunID(prefix: String, matches: [String])
    case noRuns
    /// A stored record no longer decodes.
    case corruptRecord(table: String, key: String, detail: String)
    case corruptFile(path: String, detail: String)
    case io(path: String, detail: String)
    /// SQLite refused an operation (disk full, permissions, corruption found mid-way).
    case database(path: String, detail: String)
    /// The PostgreSQL server named by the store URL cannot be reached or refused the login.
    case serverUnreachable(url: String, detail: String)
    /// The store URL is not a PostgreSQL URL.
    case badStoreURL(url: String, detail: String)
    /// `agon worker --job RUN:INDEX` names a job the run never submitted.
    case jobNotFound(runID: String, index: Int)

    public var description: String {
        switch self {
        case let .notAnAgonDatabase(path, detail):
            return "\(path): not an Agon database (\(detail)); move it aside or point agon at another repository — it was left untouched"
        case let .newerDatabase(path, unknown):
            return "\(path): written by a newer agon (unknown migrations: \(unknown.joined(separator: ", "))); upgrade agon"
        case let .runNotFound(id):
            return "no run \"\(id)\" (see `agon list`)"
        case let .runAlreadyExists(id):
            return "run \"\(id)\" already exists"
        case let .ambiguousRunID(prefix, matches):
            let shown = matches.prefix(10).joined(separator: ", ")
            let more = matches.count > 10 ? ", … (\(matches.count) in all)" : ""
            return "run id prefix \"\(prefix)\" is ambiguous: \(shown)\(more); give more characters"
        case .noRuns:
            return "no runs recorded yet (start one with `agon run SPEC`)"
        case let .corruptRecord(table, key, detail):
            return "corrupt \(table) record \(key) in the database: \(detail)"
        case let .corruptFile(path, detail):
            return "\(path): \(detail)"
        case let .io(path, detail):
            return "\(path): \(detail)"
        case let .database(path, detail):
            return "\(path): database error: \(detail)"
        case let .serverUnreachable(url, detail):
            return "cannot reach the PostgreSQL store \(url): \(detail); check the server is up and the URL (store: in agon.yml or AGON_STORE_URL)"
        case let .badStoreURL(url, detail):
            return "bad store URL \"\(url)\": \(detail) (store: in agon.yml or AGON_STORE_URL)"
        case let .jobNotFound(runID, index):
            return "run \(runID) has no job \(index) (it was not run with a cluster executor, or the index is past its lineup)"
        }
    }

    public var errorDescription: String? { description }

    /// A short description of a decoding or database error for a one-line message.
    static func describe(_ error: Error) -> String {
        switch error {
        case let DecodingError.dataCorrupted(context):
            return "\(codingPath(context.codingPath)): \(context.debugDescription)"
        case let DecodingError.keyNotFound(key, context):
            return "\(codingPath(context.codingPath + [key])): missing"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "\(codingPath(context.codingPath)): \(context.debugDescription)"
        case let error as DatabaseError:
            return error.message ?? error.resultCode.description
        default:
            return "\(error)"
        }
    }

    private static func codingPath(_ path: [CodingKey]) -> String {
        path.isEmpty ? "(top level)" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
