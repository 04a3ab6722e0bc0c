import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the double should do, read from DOUBLE_* environment variables (see README.md).
struct DoubleConfig {
    enum Mode: String {
        case ok, overspend, hang, silent, flood, garbage, truncate, crash, grandchildren, escape, apierror, fail
        case ignoreSigterm = "ignore_sigterm"
    }

    var mode: Mode
    var turns: Int
    var inputPerTurn: Int
    var outputPerTurn: Int
    var delay: TimeInterval
    var edits: [(path: String, content: String)]
    /// USD per token used for the costs the double reports (defaults: $3 / $15 per MTok).
    var priceIn: Double
    var priceOut: Double
    var floodMB: Int
    var escapePath: String
    var pidsFile: String?
    var dumpEnvPath: String?
    var writeAnalytics: Bool

    static func fromEnvironment(_ env: [String: String]) -> DoubleConfig {
        let tokens = (env["DOUBLE_TOKENS_PER_TURN"] ?? "1000/200").split(separator: "/").compactMap { Int($0) }
        var edits: [(String, String)] = []
        for item in (env["DOUBLE_EDITS"] ?? "").split(separator: ";") where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            edits.append((parts[0], parts.count > 1 ? parts[1] : "edited"))
        }
        return DoubleConfig(
            mode: Mode(rawValue: env["DOUBLE_MODE"] ?? "ok") ?? .ok,
            turns: max(1, Int(env["DOUBLE_TURNS"] ?? "") ?? 2),
            inputPerTurn: tokens.first ?? 1000,
            outputPerTurn: tokens.count > 1 ? tokens[1] : 200,
            delay: (Double(env["DOUBLE_DELAY_MS"] ?? "") ?? 5) / 1000,
            edits: edits,
            priceIn: Double(env["DOUBLE_PRICE_IN"] ?? "") ?? 3e-6,
            priceOut: Double(env["DOUBLE_PRICE_OUT"] ?? "") ?? 15e-6,
            floodMB: Int(env["DOUBLE_FLOOD_MB"] ?? "") ?? 20,
            escapePath: env["DOUBLE_ESCAPE_PATH"] ?? "../escaped.txt",
            pidsFile: env["DOUBLE_PIDS_FILE"],
            dumpEnvPath: env["DOUBLE_DUMP_ENV"],
            writeAnalytics: env["DOUBLE_AIDER_NO_ANALYTICS"] != "1")
    }

    func cost(input: Int, output: Int) -> Double { Double(input) * priceIn + Double(output) * priceOut }
}

/// One file edit the double performs for real in its working directory.
struct Edit {
    var path: String          // relative to cwd
    var content: String
    /// Reported in the stream but not written (a solution script already made the change).
    var reportOnly = false
    var absolutePath: String { FileManager.default.currentDirectoryPath + "/" + path }

    /// Creates or appends (when the file exists) one line of content.
    func apply() {
        if reportOnly { return }
        let url = URL(fileURLWithPath: absolutePath)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let handle = try? FileHandle(forWritingTo: url) {
            handle.seekToEndOfFile()
            handle.write(Data((content + "\n").utf8))
            handle.closeFile()
        } else {
            try? Data((content + "\n").utf8).write(to: url)
        }
    }
}

/// Token usage of one simulated model call.
struct TurnUsage {
    var input: Int
    var output: Int
}

/// Writes lines to stdout unbuffered, so Agon sees them as they are "generated".
enum Out {
    static func line(_ text: String) { raw(text + "\n") }

    static func raw(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; exit(3) }
            offset += n
        }
    }

    static func err(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    static func json(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        line(String(decoding: data, as: UTF8.self))
    }
}

func pause(_ seconds: TimeInterval) { if seconds > 0 { usleep(useconds_t(seconds * 1_000_000)) } }

func sleepForever() -> Never { while true { sleep(1000) } }

func newID() -> String { UUID().uuidString.lowercased() }

func isoNow() -> String { ISO8601DateFormatter().string(from: Date()) }

/// Spawns a child that itself has a child (both stay in the group), plus one that escapes
/// the group with setsid; records their pids so tests can check that all died.
func spawnLingeringDescendants(pidsFile: String?) {
    var pids: [Int32] = []
    for argv in [["/bin/sh", "-c", "sleep 1000 & echo $! >> \"$DOUBLE_PIDS_FILE\"; exec sleep 1000"],
                 ["/usr/bin/setsid", "sleep", "1000"]] {
        var pid: pid_t = 0
        let cargs = argv.map { strdup($0) } + [nil]
        if posix_spawn(&pid, argv[0], nil, nil, cargs, environ) == 0 { pids.append(pid) }
        for p in cargs { free(p) }
    }
    if let pidsFile {
        let fd = open(pidsFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)  // the shell appends too
        let text = pids.map { "\($0)\n" }.joined()
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
    pause(0.2)  // let the shell record its background child
}
