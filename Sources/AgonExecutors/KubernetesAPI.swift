import Foundation

/// The API server's REST, spoken through the `curl` CLI.
///
/// Why curl and not URLSession: swift-corelibs-foundation on Linux cannot trust a CA bundle of
/// our choosing (its `URLSessionCertificateAuthorityInfoFile` is read only on Android; see
/// FoundationNetworking's EasyHandle.swift), and a cluster's API server is signed by the
/// cluster's own CA. curl's `cacert` does exactly that. The token and the request travel on
/// curl's stdin as a config file, never in argv (which other users can read in /proc).
final class KubernetesAPI: @unchecked Sendable {
    let credentials: KubernetesCredentials
    private let curl: String

    init(credentials: KubernetesCredentials, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.credentials = credentials
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        guard let curl = path.split(separator: ":").map({ "\($0)/curl" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw KubernetesError.noHTTPClient
        }
        self.curl = curl
    }

    /// Sends one request and returns the reply's body; an error status becomes `KubernetesError.api`.
    /// `accept` lists statuses (≥ 400) that are returned instead of thrown.
    @discardableResult
    func request(_ method: String, _ path: String, body: Data? = nil, accept: Set<Int> = []) throws -> (status: Int, body: Data) {
        var lines = try config(path)
        lines.append("request = \(quoted(method))")
        lines.append("max-time = 60")
        lines.append("write-out = \(quoted("\n%{http_code}"))")
        if let body {
            lines.append("header = \(quoted("Content-Type: application/json"))")
            // A JSON object starts with `{`, so curl never reads it as `@file`.
            lines.append("data-binary = \(quoted(String(decoding: body, as: UTF8.self)))")
        }
        let (status, out, err) = try run(lines)
        guard status == 0 else { throw transportError(exit: status, stderr: err) }
        guard let cut = out.lastIndex(of: UInt8(ascii: "\n")), let code = Int(String(decoding: out[(cut + 1)...], as: UTF8.self)) else {
            throw KubernetesError.malformedReply(path: path, detail: "no HTTP status")
        }
        let reply = Data(out[..<cut])
        if code >= 400 && !accept.contains(code) {
            throw KubernetesError.api(status: code, verb: method, path: path, message: KubernetesAPI.statusMessage(reply))
        }
        return (code, reply)
    }

    /// The body of a successful request, as a JSON object.
    func json(_ method: String, _ path: String, body: Data? = nil) throws -> [String: Any] {
        let reply = try request(method, path, body: body)
        guard let object = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any] else {
            throw KubernetesError.malformedReply(path: path, detail: "not a JSON object: \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
        }
        return object
    }

    /// Starts a watch (`path` with `watch=true`): `onLine` gets each event line as it streams in,
    /// `onEnd` runs once curl exits (the server closed the stream, `maxSeconds` passed, an error,
    /// or `stop`).
    func watch(_ path: String, maxSeconds: Int, onLine: @escaping (Data) -> Void, onEnd: @escaping () -> Void) throws -> Process {
        var lines = try config(path)
        lines.append("no-buffer")
        lines.append("max-time = \(maxSeconds)")
        // An error status ends the watch without a body to mistake for events; the next list reports it.
        lines.append("fail")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = ["--config", "-"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try? input.fileHandleForWriting.close()
        // One thread per stream, blocked in read until curl writes or exits (EOF): the end of a
        // stream must never be missed, or the watch would look open for ever.
        let reader = output.fileHandleForReading
        let thread = Thread {
            let buffer = LineBuffer()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                for line in buffer.append(chunk) { onLine(line) }
            }
            process.waitUntilExit()
            onEnd()
        }
        thread.name = "agon-kubernetes-watch"
        thread.start()
        return process
    }

    /// The config lines every request shares: URL, TLS trust, token, timeouts, protocols.
    private func config(_ path: String) throws -> [String] {
        var lines = [
            "url = \(quoted(credentials.server + path))",
            "silent", "show-error",
            "proto = \(quoted("=http,https"))",
            "connect-timeout = 10",
            "header = \(quoted("Accept: application/json"))",
        ]
        if let ca = credentials.caFile { lines.append("cacert = \(quoted(ca))") }
        if let client = credentials.clientCertificate {
            lines.append("cert = \(quoted(client.certificateFile))")
            lines.append("key = \(quoted(client.keyFile))")
        }
        if let token = try credentials.token?.value(), !token.isEmpty {
            lines.append("header = \(quoted("Authorization: Bearer \(token)"))")
        }
        return lines
    }

    private func run(_ lines: [String]) throws -> (status: Int32, out: Data, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = ["--config", "-"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try? input.fileHandleForWriting.close()
        // Read stderr on another thread so neither pipe can fill up and stall curl.
        let err = LineBuffer()
        let errRead = DispatchGroup()
        errRead.enter()
        DispatchQueue.global().async { _ = err.append(errors.fileHandleForReading.readDataToEndOfFile()); errRead.leave() }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        errRead.wait()
        process.waitUntilExit()
        return (process.terminationStatus, out, String(decoding: err.all, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func transportError(exit: Int32, stderr: String) -> KubernetesError {
        let detail = stderr.replacingOccurrences(of: "curl: ", with: "").isEmpty ? "curl exit \(exit)" : stderr.replacingOccurrences(of: "curl: ", with: "")
        switch exit {
        // SSL connect error, peer certificate cannot be authenticated, CA file problems, pinning.
        case 35, 51, 58, 60, 77, 83, 90, 91: return .untrustedServer(server: credentials.server, detail: detail)
        default: return .unreachable(server: credentials.server, detail: detail)
        }
    }

    /// A curl config string: double-quoted, with `\` and `"` escaped and control characters spelt out.
    private func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return out + "\""
    }

    /// The `message` of a Kubernetes `Status` reply, else the body's start.
    static func statusMessage(_ body: Data) -> String {
        if let status = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], let message = status["message"] as? String {
            return message
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(no body)" : text
    }
}

/// Splits a byte stream into newline-terminated lines (a watch's events); keeps every byte for `all`.
private final class LineBuffer: @unchecked Sendable {
    private var pending = Data()
    private var received = Data()
    private let lock = NSLock()

    /// Every byte appended so far.
    var all: Data { lock.lock(); defer { lock.unlock() }; return received }

    func append(_ chunk: Data) -> [Data] {
        lock.lock(); defer { lock.unlock() }
        pending.append(chunk)
        received.append(chunk)
        var lines: [Data] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[pending.startIndex..<newline]
            if !line.isEmpty { lines.append(Data(line)) }
            pending = Data(pending[(newline + 1)...])
        }
        return lines
    }
}
