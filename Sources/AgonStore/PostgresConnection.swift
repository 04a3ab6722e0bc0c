import CLibPQ
import Foundation

/// A failure reported by libpq or the server, with its SQLSTATE (nil when libpq itself failed).
struct PostgresError: Error {
    var sqlState: String?
    var message: String

    /// Deadlocks and serialisation failures: the transaction may simply be run again.
    var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }
}

/// One synchronous libpq connection (`PQconnectdb`, `PQexecParams` with text parameters).
/// Not thread-safe: `PostgresRunStore` serialises its use.
final class PostgresConnection {
    private var connection: OpaquePointer?

    /// Connects to `url` (a libpq connection URI); throws `PostgresError` when the server cannot be reached.
    init(url: String) throws {
        connection = PQconnectdb(url)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { Self.trimmed(PQerrorMessage($0)) } ?? "out of memory"
            if let connection { PQfinish(connection) }
            self.connection = nil
            throw PostgresError(sqlState: nil, message: message)
        }
        // Numbers come back as text; keep every double's digits (the server default since PG 12, set for older ones).
        _ = try execute("SET extra_float_digits = 3")
    }

    deinit { close() }

    func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    /// Whether libpq knows the connection is lost (it notices on the first failed command).
    var isBroken: Bool { connection.map { PQstatus($0) != CONNECTION_OK } ?? true }

    /// Reconnects a connection the server dropped (restart, idle timeout); a no-op while healthy.
    func resetIfBroken() {
        guard let connection, PQstatus(connection) != CONNECTION_OK else { return }
        PQreset(connection)
    }

    /// Runs one statement with text parameters (nil is SQL NULL) and returns its result.
    @discardableResult
    func execute(_ sql: String, _ parameters: [String?] = []) throws -> PostgresResult {
        guard let connection else { throw PostgresError(sqlState: nil, message: "connection closed") }
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let result: OpaquePointer? = copies.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(1, copies.count)) { values in
                parameters.isEmpty
                    ? PQexec(connection, sql)
                    : PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
        }
        guard let result else { throw PostgresError(sqlState: nil, message: Self.trimmed(PQerrorMessage(connection))) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = Self.trimmed(PQresultErrorMessage(result))
            PQclear(result)
            throw PostgresError(sqlState: state, message: message)
        }
    }

    private static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown error" }
        return String(cString: text).split(whereSeparator: \.isNewline).first.map(String.init)?
            .replacingOccurrences(of: "ERROR:  ", with: "") ?? "unknown error"
    }
}

/// The rows of one statement, read in place from libpq's buffer (no copy per value until asked).
final class PostgresResult {
    private let result: OpaquePointer
    let rowCount: Int
    let columnCount: Int

    init(_ result: OpaquePointer) {
        self.result = result
        rowCount = Int(PQntuples(result))
        columnCount = Int(PQnfields(result))
    }

    deinit { PQclear(result) }

    /// Rows an INSERT/UPDATE/DELETE touched.
    var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    func columnName(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(column)) == 1 }

    func string(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    func double(_ row: Int, _ column: Int) -> Double? {
        isNull(row, column) ? nil : strtod(PQgetvalue(result, Int32(row), Int32(column)), nil)
    }

    func int(_ row: Int, _ column: Int) -> Int? {
        isNull(row, column) ? nil : strtol(PQgetvalue(result, Int32(row), Int32(column)), nil, 10)
    }

    /// The value's bytes, valid only inside `body` (for parsing without a `String`).
    func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
        if isNull(row, column) { return try body(nil) }
        let length = Int(PQgetlength(result, Int32(row), Int32(column)))
        return try body(UnsafeRawBufferPointer(start: PQgetvalue(result, Int32(row), Int32(column)), count: length))
    }
}
