import CGit2
import Foundation

/// A full 40-hex git object id.
public struct ObjectID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Lowercase 40-hex form.
    public let hex: String

    /// Accepts exactly 40 hex digits (any case); returns nil otherwise.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }) else {
            return nil
        }
        self.hex = hex.lowercased()
    }

    init(_ oid: git_oid) {
        var oid = oid
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, &oid)
        hex = String(cString: buffer)
    }

    init(_ oid: UnsafePointer<git_oid>) { self.init(oid.pointee) }

    var raw: git_oid {
        var oid = git_oid()
        _ = hex.withCString { git_oid_fromstr(&oid, $0) }
        return oid
    }

    /// The first `length` hex digits.
    public func abbreviated(_ length: Int = 7) -> String { String(hex.prefix(length)) }

    public var description: String { hex }
}

/// Author/committer identity for commits AgonGit makes.
public struct GitSignature: Sendable, Equatable {
    public let name: String
    public let email: String
    public let date: Date

    public init(name: String, email: String, date: Date = Date()) {
        self.name = name
        self.email = email
        self.date = date
    }
}

/// One linked worktree as recorded in the repository's `worktrees/` metadata.
public struct WorktreeInfo: Sendable, Equatable {
    /// The metadata name (`.git/worktrees/<name>`).
    public let name: String
    /// Absolute path of the working directory.
    public let path: String
    /// Short branch name checked out there (e.g. "agon/<run>/<agent>"), nil when detached or unreadable.
    public let branch: String?
    /// Commit the worktree's HEAD points at, nil when unborn or unreadable.
    public let head: ObjectID?
    public let isLocked: Bool
    /// False when the working directory or its metadata is missing (what `git worktree prune` removes).
    public let isValid: Bool
}

/// Size of a diff: changed files, added and removed lines, and the changed paths.
public struct DiffStats: Sendable, Codable, Equatable {
    public var files: Int
    public var insertions: Int
    public var deletions: Int
    /// Changed paths (new side; old side for deletions), in diff order.
    public var paths: [String]

    public init(files: Int = 0, insertions: Int = 0, deletions: Int = 0, paths: [String] = []) {
        self.files = files
        self.insertions = insertions
        self.deletions = deletions
        self.paths = paths
    }
}

/// A unified patch, byte-identical to `git diff --no-renames --binary`, with its stats.
public struct Patch: Sendable, Equatable {
    public let data: Data
    public let stats: DiffStats

    public init(data: Data, stats: DiffStats) {
        self.data = data
        self.stats = stats
    }

    /// The patch as text (invalid UTF-8 replaced; use `data` to write or apply it).
    public var text: String { String(decoding: data, as: UTF8.self) }
    public var isEmpty: Bool { data.isEmpty }
}
