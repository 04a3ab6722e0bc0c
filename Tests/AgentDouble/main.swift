// agent-double: one executable that impersonates the agent CLIs Agon drives (see README.md).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What every impersonated CLI must be able to print, in its own real format.
protocol HarnessEmitter {
    mutating func start()
    /// One model call: `edits` were applied just before; `usage` is this call's usage.
    mutating func turn(index: Int, usage: TurnUsage, edits: [Edit])
    mutating func finish(total: TurnUsage, turns: Int)
    mutating func apiError()
    mutating func fail()
}

/// The parsed command line: which CLI, prompt, model and harness-specific paths.
struct Invocation {
    var harness: String
    var prompt = ""
    var model: String?
    var analyticsLog: String?
    /// The session a real CLI would continue: claude's `--resume ID`, codex's `exec resume ID PROMPT`.
    var resumeSession: String?

    static func parse(_ argv: [String], env: [String: String]) -> Invocation {
        var args = Array(argv.dropFirst())
        var harness = env["AGENT_DOUBLE_HARNESS"] ?? URL(fileURLWithPath: argv[0]).lastPathComponent
        if let i = args.firstIndex(of: "--harness"), i + 1 < args.count {
            harness = args[i + 1]
            args.removeSubrange(i...i + 1)
        }
        if !["claude", "codex", "gemini", "opencode", "pi", "aider"].contains(harness) { harness = "command" }
        var inv = Invocation(harness: harness)
        var valueFlags: Set<String> = ["--output-format", "--permission-mode", "--sandbox", "--format", "--mode",
                                       "--provider", "--thinking", "--cd", "-C", "-c", "--config", "--analytics-log",
                                       "--message-file", "--message", "-m", "--model",
                                       "--chat-history-file", "--input-history-file", "--model-metadata-file",
                                       // verifiers' read-only flags (claude, gemini, pi)
                                       "--resume", "--tools", "--allowedTools", "--allowed-tools", "--disallowedTools", "--add-dir",
                                       "--approval-mode", "--include-directories"]
        if harness == "gemini" { valueFlags.formUnion(["-p", "--prompt"]) }  // elsewhere -p is a boolean
        var positional: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if valueFlags.contains(a), i + 1 < args.count {
                let v = args[i + 1]
                switch a {
                case "-m", "--model": inv.model = v
                case "--analytics-log": inv.analyticsLog = v
                case "--message", "-p", "--prompt": inv.prompt = v
                case "--message-file": inv.prompt = (try? String(contentsOfFile: v, encoding: .utf8)) ?? ""
                case "--resume": inv.resumeSession = v
                default: break
                }
                i += 2
                continue
            }
            if !a.hasPrefix("-") { positional.append(a) }
            i += 1
        }
        if harness == "codex", positional.count >= 3, positional[0] == "exec", positional[1] == "resume" {
            inv.resumeSession = positional[2]
            positional.removeSubrange(1...2)
        }
        if inv.prompt.isEmpty {
            let words = positional.filter { !["exec", "run"].contains($0) }
            inv.prompt = words.last ?? ""
        }
        return inv
    }
}

let env = ProcessInfo.processInfo.environment
var config = DoubleConfig.fromEnvironment(env)
let invocation = Invocation.parse(CommandLine.arguments, env: env)
// DOUBLE_OVERSPEND_WHEN=WORD: overspend when the prompt mentions WORD (e.g. only in a follow-up).
if let word = env["DOUBLE_OVERSPEND_WHEN"]?.lowercased(), !word.isEmpty, invocation.prompt.lowercased().contains(word) {
    config.mode = .overspend
}

// `--help` (also `codex exec --help`, `opencode run --help`): the options every impersonated CLI
// accepts, so `agon doctor` and run preflight find each flag Agon passes, as with the real CLIs.
if CommandLine.arguments.dropFirst().contains("--help") {
    print("""
    Usage: \(invocation.harness) [options] (agent-double)
      -p, --prompt <text>          --output-format <format>   --verbose   --model <id>   -m <id>
      --permission-mode <mode>     --allowedTools, --allowed-tools <tools...>   --dangerously-skip-permissions
      --json   --skip-git-repo-check   --sandbox <mode>   -c, --config <key=value>   --yolo
      --format <format>   --mode <mode>   --no-session   --provider <id>   --thinking <level>
      --message-file <file>   --message <text>   --yes-always   --no-auto-commits   --no-pretty
      --stream   --no-stream   --no-gitignore   --no-check-update   --no-show-release-notes   --no-detect-urls
      --chat-history-file <file>   --input-history-file <file>   --analytics-log <file>   --edit-format <format>
      --model-metadata-file <file>
    """)
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "--version" {
    print("\(invocation.harness) (agent-double) 1.0.0")
    exit(0)
}

// DOUBLE_PRINT_ARGV=1: the argv as one JSON array on stderr (`agent-double argv: […]`), which Agon
// keeps per attempt in stderr.txt, so tests see the flags each invocation got, sandboxed or not.
if env["DOUBLE_PRINT_ARGV"] == "1", let data = try? JSONSerialization.data(withJSONObject: CommandLine.arguments) {
    Out.err("agent-double argv: " + String(decoding: data, as: UTF8.self))
}

if let path = config.dumpEnvPath {
    let text = env.keys.sorted().map { "\($0)=\(env[$0]!)" }.joined(separator: "\n") + "\n"
    try? text.write(toFile: path, atomically: true, encoding: .utf8)
}

// DOUBLE_REVIEW: act as a verifier (ReviewMode.swift) instead of an agent.
if let style = env["DOUBLE_REVIEW"], !style.isEmpty {
    ReviewMode.run(style: style, invocation: invocation, env: env)
}

// Gemini CLI exits 0 when it gets SIGTERM; reproduce that quirk.
if invocation.harness == "gemini" {
    signal(SIGTERM) { _ in _exit(0) }
}
if config.mode == .ignoreSigterm { signal(SIGTERM, SIG_IGN) }

var emitter: HarnessEmitter
switch invocation.harness {
case "claude": emitter = ClaudeEmitter(inv: invocation, config: config)
case "codex": emitter = CodexEmitter(inv: invocation, config: config, env: env)
case "gemini": emitter = GeminiEmitter(inv: invocation, config: config)
case "opencode": emitter = OpencodeEmitter(inv: invocation, config: config)
case "pi": emitter = PiEmitter(inv: invocation, config: config)
case "aider": emitter = AiderEmitter(inv: invocation, config: config)
default: emitter = CommandEmitter(inv: invocation, config: config, env: env)
}

// With DOUBLE_SOLUTIONS the real edits come from solution scripts, run before the first turn;
// the turns then only report a file-writing tool call for them.
let solutionDirectory = config.mode == .hang ? nil : env["DOUBLE_SOLUTIONS"]
let solved = applySolutions(directory: solutionDirectory, prompt: invocation.prompt)
let edits: [Edit] = !config.edits.isEmpty
    ? config.edits.map { Edit(path: $0.path, content: $0.content) }
    : !solved.isEmpty
        ? [Edit(path: "lib/textkit.sh", content: "", reportOnly: true)]
        : [Edit(path: "agent_output.txt", content: "edit by \(invocation.harness) double")]

func editsFor(turn: Int) -> [Edit] {
    edits.enumerated().filter { $0.offset % config.turns == turn }.map { $0.element }
}

switch config.mode {
case .hang: sleepForever()
case .apierror:
    emitter.start(); pause(config.delay); emitter.apiError(); exit(1)
case .fail:
    emitter.start(); pause(config.delay); emitter.fail(); exit(1)
case .escape:
    try? "escaped from the worktree\n".write(toFile: config.escapePath, atomically: false, encoding: .utf8)
case .grandchildren:
    spawnLingeringDescendants(pidsFile: config.pidsFile)
default: break
}

emitter.start()
if config.mode == .silent { pause(config.delay); sleepForever() }
if config.mode == .flood {
    // One 10 MB line, then floodMB of ordinary junk lines.
    Out.raw(String(repeating: "x", count: 10 << 20) + "\n")
    let filler = String(repeating: "flood ", count: 170) + "\n"
    for _ in 0..<(config.floodMB << 20) / filler.utf8.count { Out.raw(filler) }
}

var total = TurnUsage(input: 0, output: 0)
var turn = 0
let perTurn = TurnUsage(input: config.inputPerTurn, output: config.outputPerTurn)
while config.mode == .overspend || config.mode == .ignoreSigterm || turn < config.turns {
    let applied = turn < config.turns ? editsFor(turn: turn) : []
    applied.forEach { $0.apply() }
    emitter.turn(index: turn, usage: perTurn, edits: applied)
    if config.mode == .garbage { Out.line("<<< not json: \(turn) \u{1b}[31mred\u{1b}[0m {\"half\": ") }
    total.input += perTurn.input
    total.output += perTurn.output
    turn += 1
    pause(config.delay)
    if config.mode == .crash && turn >= 1 {
        signal(SIGSEGV, SIG_DFL)
        raise(SIGSEGV)
    }
}

if config.mode == .truncate {
    emitter.finish(total: total, turns: turn)
    Out.raw("{\"type\":\"assistant\",\"message\":{\"id\":\"msg_trunc\",\"usage\":{\"input_tok")
    exit(0)
}
emitter.finish(total: total, turns: turn)
exit(0)
