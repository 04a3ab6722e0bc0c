import Foundation

/// A throw-away HTTP server written in Python (stdlib `http.server`) for one test: started with
/// `python3 SCRIPT ARGS…`, it prints its port once listening, appends every request as a JSON
/// line to a log, and exits when its stdin closes. The fake model servers are built on it.
public final class PythonServer {
    /// Whether `python3` is on PATH (the servers need nothing else).
    public static var available: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") }
    }

    public let port: Int
    /// The log of requests the server appends to.
    public let logURL: URL
    private let process: Process
    private let stdin: Pipe

    /// Starts `python3 script arguments…`; fails when the server reports no port.
    public init(script: String, arguments: [String], log: URL) throws {
        logURL = log
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "\(script) did not report a port"])
        }
        self.port = port
    }

    /// Requests received so far, oldest first.
    public func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOf: logURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    public var isRunning: Bool { process.isRunning }

    public func stop() {
        // Closing stdin makes the server exit on its own; terminate is the backstop.
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}
