import AgonAgents
import AgonCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One check of one configured agent or verifier.
public struct DoctorCheck: Codable, Equatable {
    /// `ok`, `warning` (may fail or be unfair) or `error` (would fail).
    public enum Status: String, Codable { case ok, warning, error }

    public var name: String
    public var status: Status
    public var detail: String
}

/// What `agon doctor` found for one agent or verifier.
public struct DoctorEntry: Codable, Equatable {
    public var id: String
    public var role: String
    public var harness: Harness
    public var model: String?
    public var binaryPath: String?
    public var version: String?
    public var checks: [DoctorCheck]

    enum CodingKeys: String, CodingKey {
        case id, role, harness, model, binaryPath = "binary_path", version, checks
    }

    // Absent values are written as null, as in every record, so `--json` consumers always see the same keys.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(role, forKey: .role)
        try c.encode(harness, forKey: .harness)
        try c.encode(model, forKey: .model)
        try c.encode(binaryPath, forKey: .binaryPath)
        try c.encode(version, forKey: .version)
        try c.encode(checks, forKey: .checks)
    }
}

/// `agon doctor --json`'s body.
public struct DoctorReport: Codable, Equatable {
    public var entries: [DoctorEntry]
    /// Machine-wide checks (the sandbox).
    public var machine: [DoctorCheck]

    /// One line per problem: `<id>: <what is wrong and what to do>`.
    public var problems: [(status: DoctorCheck.Status, line: String)] {
        var out: [(DoctorCheck.Status, String)] = []
        for entry in entries {
            for check in entry.checks where check.status != .ok { out.append((check.status, "\(entry.id): \(check.detail)")) }
        }
        for check in machine where check.status != .ok { out.append((check.status, check.detail)) }
        return out
    }

    public var hasErrors: Bool { problems.contains { $0.status == .error } }
}

/// Checks that every configured agent and verifier can run before anything is spent: CLI found
/// and its version, each flag Agon will pass listed in that version's `--help`, Claude Code's root
/// refusal, a login or API key present (never printed), base URL reachable, model priced,
/// sandbox available. `agon doctor` prints it; `agon run` runs the same checks as preflight.
public struct Doctor {
    public let workspace: Workspace
    /// Whether Agon runs as root (Claude Code's permission flags depend on it); tests set it.
    public var runningAsRoot = RealCLIFlags.runningAsRoot

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Every configured entry, or only `ids` (agents and verifiers) when given.
    public func examine(ids: [String]? = nil) -> DoctorReport {
        let config = workspace.config
        let chosen = (config.agents + config.verifiers).filter { ids == nil || ids!.contains($0.id) }
        let probes = CLIProbes()
        // Every CLI's --version and --help at once: aider alone takes seconds to start.
        probes.prefetch(chosen.flatMap { entry -> [[String]] in
            // A `command` entry is the user's (or a competitor's) own program: running it, even with
            // --version, would run the candidate outside the sandbox. It is only located.
            guard entry.harness != .openai, entry.harness != .command, let executable = entry.executable,
                  let path = Planner.locate(executable, root: workspace.root, path: workspace.environment["PATH"]) else { return [] }
            return [[path, "--version"], [path] + Self.helpArguments(entry.harness)]
        })
        let entries = chosen.map { examine($0, probes: probes) }
        return DoctorReport(entries: entries, machine: ids == nil ? [Self.sandboxCheck()] : [])
    }

    /// `agon doctor`: the report, each problem as an error line, exit 2 when any would fail.
    public func run() -> CommandResult<DoctorReport> {
        if workspace.config.agents.isEmpty && workspace.config.verifiers.isEmpty {
            let problem = workspace.configPath == nil
                ? LineupError.noConfig(root: workspace.root).message
                : "\(workspace.relative(workspace.configPath!)) lists no agents or verifiers"
            return CommandResult(DoctorReport(entries: [], machine: []), exitCode: 2, errors: [problem])
        }
        let report = examine()
        return CommandResult(report, exitCode: report.hasErrors ? 2 : 0, errors: report.problems.map(\.line))
    }

    // MARK: - One entry

    func examine(_ entry: AgentEntry, probes: CLIProbes) -> DoctorEntry {
        var result = DoctorEntry(id: entry.id, role: entry.role == .agent ? "agent" : "verifier", harness: entry.harness,
                                 model: entry.model, binaryPath: nil, version: nil, checks: [])
        let environment = entry.extraEnvironment(parent: workspace.environment)
        if entry.harness != .openai, let executable = entry.executable {
            let path = Planner.locate(executable, root: workspace.root, path: workspace.environment["PATH"])
            result.binaryPath = path
            if let path, entry.harness == .command {
                result.checks.append(DoctorCheck(name: "cli", status: .ok, detail: path + " (a command is located, never run by doctor)"))
            } else if let path {
                result.version = probes.output(path, ["--version"]).map(Self.firstLine)
                result.checks.append(DoctorCheck(name: "cli", status: result.version == nil ? .warning : .ok,
                                                 detail: result.version == nil ? "`\(executable) --version` failed or printed nothing" : path))
                if entry.harness != .command { result.checks += flagChecks(entry, path: path, environment: environment, probes: probes) }
            } else {
                result.checks.append(DoctorCheck(name: "cli", status: .error, detail: "CLI \"\(executable)\" not found"
                    + (executable.contains("/") ? "" : " on PATH") + " (install it or set `binary:` in agon.yml)"))
            }
        }
        if let check = credentialCheck(entry, environment: environment) { result.checks.append(check) }
        result.checks += baseURLChecks(entry, environment: environment)
        if entry.harness != .command || entry.model != nil {
            if workspace.prices.price(for: entry) == nil {
                result.checks.append(DoctorCheck(name: "price", status: .warning, detail: "model \(entry.model.map { "\"\($0)\"" } ?? "(none)") has no price: "
                    + "its cost shows as unpriced and its budget cannot be enforced (add `pricing:` to the entry or a `pricing.file`)"))
            } else {
                result.checks.append(DoctorCheck(name: "price", status: .ok, detail: "priced"))
            }
        }
        return result
    }

    /// The flags Agon passes (with the entry's own `args`), each looked up in the CLI's `--help`.
    func flagChecks(_ entry: AgentEntry, path: String, environment: [String: String], probes: CLIProbes) -> [DoctorCheck] {
        var launch = AgentLaunch(harness: entry.harness, binary: path, model: entry.model, extraArgs: entry.args,
                                 command: entry.command, env: environment, prompt: "PROMPT", worktree: "/worktree",
                                 artifactsDir: "/artifacts")
        launch.runningAsRoot = runningAsRoot
        guard let command = try? HarnessCommand.build(for: launch, paths: HarnessCommand.Paths(artifactsDir: "/artifacts")) else { return [] }
        var checks: [DoctorCheck] = []
        let arguments = command.arguments
        // Claude Code 2.x refuses to skip permissions as root, whatever its --help says.
        if entry.harness == .claude && runningAsRoot && environment["IS_SANDBOX"] != "1" {
            let refused = arguments.contains("--dangerously-skip-permissions")
                || zip(arguments, arguments.dropFirst()).contains { $0 == "--permission-mode" && $1 == "bypassPermissions" }
            if refused {
                checks.append(DoctorCheck(name: "root", status: .error, detail: "Claude Code refuses --dangerously-skip-permissions "
                    + "(and bypassPermissions) as root: remove it from `args`, or set `env: { IS_SANDBOX: \"1\" }` only when Agon itself runs in a sandbox"))
            }
        }
        let helpArguments = Self.helpArguments(entry.harness)
        guard let help = probes.output(path, helpArguments) else {
            checks.append(DoctorCheck(name: "flags", status: .warning,
                                      detail: "`\(([path] + helpArguments).joined(separator: " "))` failed: cannot check the flags Agon passes"))
            return checks
        }
        let flags = Self.flags(in: arguments, harness: entry.harness)
        let missing = flags.filter { !Self.help(help, lists: $0) }
        if missing.isEmpty {
            checks.append(DoctorCheck(name: "flags", status: .ok, detail: flags.joined(separator: " ")))
        } else {
            checks.append(DoctorCheck(name: "flags", status: .error, detail: "this \(entry.harness.rawValue) does not list "
                + missing.joined(separator: ", ") + " in its --help (Agon passes them; install a verified version, see README, or fix `args`)"))
        }
        return checks
    }

    /// Where a harness lists the options Agon uses (codex and opencode: their subcommand's help).
    static func helpArguments(_ harness: Harness) -> [String] {
        switch harness {
        case .codex: return ["exec", "--help"]
        case .opencode: return ["run", "--help"]
        default: return ["--help"]
        }
    }

    /// The option names in an argv (values and the prompt excluded): `--x=1` → `--x`.
    static func flags(in arguments: [String], harness: Harness) -> [String] {
        var seen: [String] = []
        for argument in arguments where argument.hasPrefix("-") && argument.count > 1 && !argument.contains(" ") {
            let name = String(argument.split(separator: "=", maxSplits: 1)[0])
            if !seen.contains(name) { seen.append(name) }
        }
        return seen
    }

    /// Whether a help text lists `flag` as an option (a whole word, not a prefix of a longer flag).
    static func help(_ text: String, lists flag: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let range = text.range(of: flag, range: searchRange) {
            let before = range.lowerBound == text.startIndex ? " " : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? " " : text[range.upperBound]
            if " \t\n,[|(".contains(before) && " \t\n,=]|)<".contains(after) { return true }
            searchRange = range.upperBound..<text.endIndex
        }
        return false
    }

    // MARK: - Credentials and endpoints

    /// Whether a login or key the CLI uses is present (names only, never values).
    func credentialCheck(_ entry: AgentEntry, environment: [String: String]) -> DoctorCheck? {
        let home = workspace.environment["HOME"] ?? NSHomeDirectory()
        let fm = FileManager.default
        func present(_ names: [String]) -> String? { names.first { !(environment[$0] ?? "").isEmpty } }
        func anyKey() -> String? { environment.keys.sorted().first { $0.hasSuffix("_API_KEY") && !(environment[$0] ?? "").isEmpty } }
        let found: String?
        let advice: String
        switch entry.harness {
        case .claude:
            found = present(["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"])
                ?? (fm.fileExists(atPath: home + "/.claude/.credentials.json") ? "~/.claude/.credentials.json" : nil)
            advice = "add `env: [ANTHROPIC_API_KEY]` to the entry, or run `claude login`"
        case .codex:
            let codexHome = environment["CODEX_HOME"] ?? workspace.environment["CODEX_HOME"] ?? home + "/.codex"
            let providerKey = Self.codexProviderKeyName(configPath: codexHome + "/config.toml")
            found = present(["OPENAI_API_KEY", "CODEX_API_KEY"] + (providerKey.map { [$0] } ?? []))
                ?? (fm.fileExists(atPath: codexHome + "/auth.json") ? "\(codexHome)/auth.json (copied into the agent's private CODEX_HOME)" : nil)
            advice = "add `env: [OPENAI_API_KEY]` to the entry, or run `codex login`" + (providerKey.map { " (config.toml's provider reads $\($0))" } ?? "")
        case .gemini:
            found = present(["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI"])
                ?? (fm.fileExists(atPath: home + "/.gemini/oauth_creds.json") ? "~/.gemini/oauth_creds.json" : nil)
            advice = "add `env: [GEMINI_API_KEY]` to the entry, or log in with `gemini`"
        case .opencode:
            found = anyKey() ?? (fm.fileExists(atPath: home + "/.local/share/opencode/auth.json") ? "opencode auth.json" : nil)
            advice = "add the provider's key to `env:`, or run `opencode auth login`"
        case .pi:
            found = anyKey() ?? (fm.fileExists(atPath: home + "/.pi/agent/auth.json") ? "~/.pi/agent/auth.json" : nil)
            advice = "add the provider's key to `env:`, or log in with `pi`"
        case .aider:
            found = anyKey()
            advice = "add the model vendor's key to `env:` (e.g. `env: [OPENAI_API_KEY]`)"
        case .openai:
            guard let name = entry.apiKeyEnv else { return nil }  // a local server may need no key
            found = (workspace.environment[name] ?? "").isEmpty ? nil : name
            advice = "set \(name) in Agon's environment (named by `api_key_env`)"
        case .command:
            return nil
        }
        if let found { return DoctorCheck(name: "login", status: .ok, detail: found) }
        return DoctorCheck(name: "login", status: .warning, detail: "no API key or login found for \(entry.harness.rawValue): \(advice)")
    }

    /// `env_key` of the model provider a codex config.toml selects, when it names one.
    static func codexProviderKeyName(configPath: String) -> String? {
        guard let text = try? String(contentsOfFile: configPath, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 && parts[0] == "env_key" { return parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
        }
        return nil
    }

    /// The base URLs this entry's CLI will call, each checked with a TCP connect.
    func baseURLChecks(_ entry: AgentEntry, environment: [String: String]) -> [DoctorCheck] {
        var urls: [(String, String)] = []
        if entry.harness == .openai, let url = entry.baseURL { urls.append(("base_url", url)) }
        for name in ["ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE", "GOOGLE_GEMINI_BASE_URL"] {
            if let url = environment[name], !url.isEmpty { urls.append((name, url)) }
        }
        return urls.map { name, url in
            guard let components = URLComponents(string: url), let host = components.host else {
                return DoctorCheck(name: "endpoint", status: .error, detail: "\(name) \(url) is not a URL")
            }
            let port = components.port ?? (components.scheme == "https" ? 443 : 80)
            if let failure = Self.connect(host: host, port: port, timeout: 3) {
                return DoctorCheck(name: "endpoint", status: .error, detail: "\(name) \(url) is not reachable (\(failure)): start the server or fix the URL")
            }
            return DoctorCheck(name: "endpoint", status: .ok, detail: "\(name) \(url) reachable")
        }
    }

    /// Opens and closes a TCP connection; nil on success, else why not.
    static func connect(host: String, port: Int, timeout: TimeInterval) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else { return "cannot resolve \(host)" }
        defer { freeaddrinfo(list) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        var lastError = "no address"
        while let info = cursor {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                // Non-blocking connect with a poll timeout, so a black-holed host cannot stall preflight.
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                var result = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
                if result != 0 && errno == EINPROGRESS {
                    var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&pfd, 1, Int32(timeout * 1000)) == 1 {
                        var error: Int32 = 0
                        var length = socklen_t(MemoryLayout<Int32>.size)
                        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                        result = error == 0 ? 0 : -1
                        if error != 0 { errno = error }
                    } else {
                        errno = ETIMEDOUT
                    }
                }
                let code = errno
                close(fd)
                if result == 0 { return nil }
                lastError = String(cString: strerror(code))
            }
            cursor = info.pointee.ai_next
        }
        return lastError
    }

    // MARK: - Machine

    /// Whether bubblewrap can create the namespaces a sandbox needs on this machine.
    static func sandboxCheck() -> DoctorCheck {
        guard let bwrap = Planner.locate("bwrap", root: "/", path: ProcessInfo.processInfo.environment["PATH"]) else {
            return DoctorCheck(name: "sandbox", status: .warning, detail: "bubblewrap (bwrap) not found: agents run unsandboxed (Debian: apt-get install bubblewrap)")
        }
        let probes = CLIProbes()
        if probes.output(bwrap, ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--die-with-parent", "true"],
                         allowEmpty: true) == nil {
            return DoctorCheck(name: "sandbox", status: .warning, detail: "\(bwrap) cannot create namespaces here (run Agon in a VM or a container that allows user namespaces)")
        }
        return DoctorCheck(name: "sandbox", status: .ok, detail: "\(bwrap) works")
    }

    static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first ?? "").trimmingCharacters(in: .whitespaces)
    }
}

/// Runs a CLI briefly (`--version`, `--help`) and keeps its output, once per argv.
final class CLIProbes: @unchecked Sendable {
    private var cache: [[String]: String?] = [:]
    private let lock = NSLock()

    /// Runs every argv (`[path, args…]`) concurrently and caches the outputs.
    func prefetch(_ argvs: [[String]]) {
        var unique: [[String]] = []
        for argv in argvs where !unique.contains(argv) { unique.append(argv) }
        DispatchQueue.concurrentPerform(iterations: unique.count) { index in
            _ = output(unique[index][0], Array(unique[index].dropFirst()))
        }
    }

    /// stdout (or stderr when stdout is empty) of `path args`, nil when it fails or times out.
    func output(_ path: String, _ arguments: [String], allowEmpty: Bool = false) -> String? {
        let key = [path] + arguments
        lock.lock()
        if let cached = cache[key] { lock.unlock(); return cached }
        lock.unlock()
        let value = Self.run(path, arguments, allowEmpty: allowEmpty)
        lock.lock()
        cache[key] = value
        lock.unlock()
        return value
    }

    static func run(_ path: String, _ arguments: [String], allowEmpty: Bool) -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agon-probe-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out").path
        let err = directory.appendingPathComponent("err").path
        let spec = SpawnSpec(executable: path, arguments: arguments, workingDirectory: directory.path,
                             environment: ChildEnvironment.build(parent: ProcessInfo.processInfo.environment,
                                                                 passThrough: [], explicit: [:], agon: [:]),
                             transcriptPath: out, stderrPath: err)
        // A CLI that hangs on --help must not stall preflight.
        let supervisor = ProcessGroupSupervisor(spec: spec, limits: SupervisionLimits(hardTimeout: 20, killGrace: 1))
        var text = ""
        guard let run = try? supervisor.run(onLine: { line in text += String(line) + "\n" }), run.exitStatus == .exited(0) else { return nil }
        if text.isEmpty { text = (try? String(contentsOfFile: err, encoding: .utf8)) ?? "" }
        return text.isEmpty && !allowEmpty ? nil : text
    }
}
