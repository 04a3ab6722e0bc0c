import AgonCore
import Foundation
import GRDB

extension RunStore {
    /// Runs of one spec version on one base commit, newest first (the exact-repeat cache's candidates).
    public func runIDs(specHash: String, baseSHA: String) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT run_id FROM runs WHERE spec_hash = ? AND base_sha = ? ORDER BY created_at DESC, run_id DESC
                """, arguments: [specHash, baseSHA])
        }
    }
}
