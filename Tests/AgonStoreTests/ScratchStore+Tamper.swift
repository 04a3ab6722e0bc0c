import AgonStore
import AgonTestSupport
import Foundation
import GRDB

extension ScratchStore {
    /// Changes the store behind Agon's back (SQLite through its own connection, PostgreSQL
    /// through psql), the way a corrupt or hand-edited store looks.
    func tamper(_ statement: String) throws {
        switch location {
        case let .sqlite(url): try DatabaseQueue(path: url.path).write { try $0.execute(sql: statement) }
        case .postgres: _ = try sql(statement)
        }
    }
}
