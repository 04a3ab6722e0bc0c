import Foundation

// Part of the run record; RunRecord.swift states the JSON conventions all records follow.

/// Which check a result belongs to.
public enum CheckKind: String, CaseIterable, Codable, Sendable {
    case acceptance, holdout, scope
}

/// The overall status of each kind of check for one candidate.
public struct CheckSummary: Codable, Equatable, Sendable {
    public var acceptance: CheckStatus
    public var holdout: CheckStatus
    public var scope: CheckStatus

    public init(acceptance: CheckStatus = .skipped, holdout: CheckStatus = .skipped, scope: CheckStatus = .skipped) {
        self.acceptance = acceptance
        self.holdout = holdout
        self.scope = scope
    }

    public subscript(kind: CheckKind) -> CheckStatus {
        get {
            switch kind {
            case .acceptance: return acceptance
            case .holdout: return holdout
            case .scope: return scope
            }
        }
        set {
            switch kind {
            case .acceptance: acceptance = newValue
            case .holdout: holdout = newValue
            case .scope: scope = newValue
            }
        }
    }

    enum CodingKeys: String, CodingKey { case acceptance, holdout, scope }
}

/// One check command's result (its output is in the run directory at `outputPath`).
public struct CheckResult: Codable, Equatable, Sendable {
    public var kind: CheckKind
    public var command: String
    public var status: CheckStatus
    public var exitCode: Int32?
    public var durationMs: Int
    public var outputPath: String?

    public init(kind: CheckKind, command: String, status: CheckStatus, exitCode: Int32? = nil,
                durationMs: Int = 0, outputPath: String? = nil) {
        self.kind = kind
        self.command = command
        self.status = status
        self.exitCode = exitCode
        self.durationMs = durationMs
        self.outputPath = outputPath
    }

    enum CodingKeys: String, CodingKey {
        case kind, command, status, exitCode = "exit_code", durationMs = "duration_ms", outputPath = "output_path"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(command, forKey: .command)
        try c.encode(status, forKey: .status)
        try c.encode(exitCode, forKey: .exitCode)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(outputPath, forKey: .outputPath)
    }
}
