import CGit2
import Foundation

/// A failed libgit2 (or AgonGit) operation: what was attempted, libgit2's code, and its message.
public struct GitError: Error, CustomStringConvertible, Equatable {
    /// What AgonGit was doing, e.g. "resolve 'main'" or "add worktree 'agon-r1-a'".
    public let operation: String
    /// libgit2's return code (negative), or -1 for errors AgonGit detects itself.
    public let code: Int32
    /// libgit2's `git_error_last()` text, or AgonGit's own explanation.
    public let message: String

    public init(operation: String, code: Int32 = -1, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String { "git: \(operation): \(message)" }

    /// True when libgit2 reported "not found" (GIT_ENOTFOUND).
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    /// Captures libgit2's last error for the current thread.
    static func last(_ operation: String, code: Int32) -> GitError {
        var message = "libgit2 error \(code)"
        if let err = git_error_last(), let text = err.pointee.message {
            message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return GitError(operation: operation, code: code, message: message)
    }
}

/// Throws a `GitError` for an already-made call's negative result (clear the error before the call).
@discardableResult
func checkResult(_ code: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
    if code < 0 { throw GitError.last(operation(), code: code) }
    return code
}

/// Runs one libgit2 call and throws a `GitError` carrying its message when it returns < 0.
/// The thread's last error is cleared first so a stale message is never reported.
@discardableResult
func check(_ call: @autoclosure () -> Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
    git_error_clear()
    let code = call()
    if code < 0 { throw GitError.last(operation(), code: code) }
    return code
}

/// libgit2 global state, initialised exactly once per process (thread-safe via `static let`).
enum LibGit2 {
    private static let initialised: Int32 = {
        let rc = git_libgit2_init()
        // Like git's checkout, trust objects read from our own odb instead of re-hashing each
        // one (libgit2 hashes with collision-detecting SHA-1, a large share of checkout time).
        _ = agon_git_set_strict_hash_verification(0)
        return rc
    }()

    static func ensureInitialised() {
        precondition(initialised > 0, "git_libgit2_init failed")
    }
}
