import Foundation

/// Where the run index lives: the embedded SQLite file under `.agon/` (the default) or a
/// PostgreSQL server that a team's machines share (`store: postgres://…` in agon.yml, or
/// `AGON_STORE_URL`, which wins).
public enum StoreLocation: Equatable, Sendable {
    case sqlite(URL)
    /// A libpq connection URI (`postgres://` or `postgresql://`).
    case postgres(String)

    /// The environment variable that overrides agon.yml's `store:`.
    public static let environmentVariable = "AGON_STORE_URL"

    /// The store named by `AGON_STORE_URL` or else by agon.yml's `store:`; nil means the
    /// repository's own SQLite file. Throws `StoreError.badStoreURL` for anything but a
    /// PostgreSQL URL (SQLite needs no setting).
    public static func configured(environment: [String: String], configValue: String?) throws -> String? {
        let value = environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? configValue
        guard let value else { return nil }
        try validatePostgresURL(value)
        return value
    }

    /// Checks that `url` is a PostgreSQL URL libpq will parse (scheme and host part); the
    /// server is only contacted on open.
    public static func validatePostgresURL(_ url: String) throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") else {
            throw StoreError.badStoreURL(url: redacted(url), detail: "expected postgres://[user[:password]@]host[:port]/database")
        }
        guard URLComponents(string: url) != nil else {
            throw StoreError.badStoreURL(url: redacted(url), detail: "not a valid URL (percent-encode special characters)")
        }
    }

    /// `url` with any password replaced by `***`, safe for messages and records.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}
