import AgonCore
import Foundation

/// An error that knows the documented exit code it maps to.
public protocol AgonFailure: Error, CustomStringConvertible {
    var exitCode: Int32 { get }
    var message: String { get }
}

extension AgonFailure {
    public var description: String { message }
}

/// A failure told in two parts, after Voratiq's `CliError`: what failed (`headline`) and what to do
/// about it (`hint`, when there is something to do). `message` joins them with "; ", the one
/// rendering every typed failure gets; `agon` prints it as one `agon: …` line.
public protocol HintedFailure: AgonFailure {
    var headline: String { get }
    var hint: String? { get }
}

extension HintedFailure {
    public var message: String { hint.map { "\(headline); \($0)" } ?? headline }
}

/// Bad input or usage: a spec, agon.yml, an unknown agent or run, not a repository (exit 2).
public struct UsageError: AgonFailure, Equatable {
    public let message: String
    public var exitCode: Int32 { 2 }
    public init(_ message: String) { self.message = message }
}

/// The work itself failed (exit 1).
public struct WorkError: AgonFailure, Equatable {
    public let message: String
    public var exitCode: Int32 { 1 }
    public init(_ message: String) { self.message = message }
}

/// Ctrl-C (exit 130, the shell's convention for SIGINT).
public struct InterruptedError: AgonFailure {
    public let message: String
    public var exitCode: Int32 { 130 }
    public init(_ message: String) { self.message = message }
}

extension AgonInputError: AgonFailure {
    public var exitCode: Int32 { 2 }
}

/// A command's typed result, the exit code it ends with (0 ok, 1 the work failed, 2 bad input,
/// 130 interrupted) and problems to print on stderr, one line each. AgonReport presents the value.
public struct CommandResult<Value> {
    public var value: Value
    public var exitCode: Int32
    public var errors: [String]

    public init(_ value: Value, exitCode: Int32 = 0, errors: [String] = []) {
        self.value = value
        self.exitCode = exitCode
        self.errors = errors
    }
}

/// Agon's version string.
public enum AgonVersion {
    public static let current = "0.1.0"
    /// Schema version carried by every JSON document Agon prints or stores.
    public static let schema = 1
}
