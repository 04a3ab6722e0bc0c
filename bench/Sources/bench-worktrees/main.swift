// bench-worktrees: time creating 8 worktrees of one repository three ways, report medians.
//
//   bench-worktrees [REPO] [--rounds N] [--count N] [--only agon|seq|git|cp|reuse]
//
// Without REPO, a synthetic repository of 5,000 files / ~50 MB is generated once and cached
// under $TMPDIR; worktrees are created under $TMPDIR too (set TMPDIR to compare disks).
// Branches and worktrees made by the benchmark are removed after each round.
// `--only` runs a single method (for profiling it with perf/strace).
// "reuse" is Agon's worktree pool on a repeat run: N worktrees of a base, each left with an edited
// and an untracked file, are parked (untimed), then recycled concurrently to a base 10 commits
// later (timed): what `agon run` pays per run once the pool is warm.
import AgonGit
import Foundation

struct Options {
    var repo: String?
    var rounds = 5
    var count = 8
    var only: String?

    static func parse(_ args: [String]) -> Options {
        var options = Options()
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--rounds": i += 1; options.rounds = Int(args[i]) ?? options.rounds
            case "--count": i += 1; options.count = Int(args[i]) ?? options.count
            case "--only": i += 1; options.only = args[i]
            case "-h", "--help":
                print("usage: bench-worktrees [REPO] [--rounds N] [--count N] [--only agon|seq|git|cp|reuse]")
                exit(0)
            default: options.repo = args[i]
            }
            i += 1
        }
        return options
    }
}

@discardableResult
func run(_ arguments: [String], in directory: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { fatalError("cannot run \(arguments): \(error)") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { fatalError("\(arguments.joined(separator: " ")) failed in \(directory)") }
    return String(decoding: data, as: UTF8.self)
}

/// Wall-clock and CPU (user+system, this process and its children) seconds of one measurement.
struct Timing {
    var wall: Double
    var cpu: Double
}

func cpuSeconds() -> Double {
    var own = rusage(), children = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &own)
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &children)
    #else
    getrusage(RUSAGE_SELF, &own)
    getrusage(RUSAGE_CHILDREN, &children)
    #endif
    func total(_ u: rusage) -> Double {
        Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
    return total(own) + total(children)
}

func measure(_ body: () throws -> Void) rethrows -> Timing {
    let cpuStart = cpuSeconds()
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Timing(wall: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu: cpuSeconds() - cpuStart)
}

/// 5,000 text files of ~10 KB in 100 directories, one commit, packed like a real clone.
func syntheticRepository() -> String {
    let root = NSTemporaryDirectory() + "agon-bench-worktrees-5000"
    let marker = root + "/.git/agon-bench-ready"
    if FileManager.default.fileExists(atPath: marker) { return root }
    try? FileManager.default.removeItem(atPath: root)
    try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    print("generating \(root) (once)…")
    var rng = SystemRandomNumberGenerator()
    let words = (0..<2000).map { _ in String((0..<Int.random(in: 2...10, using: &rng)).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement(using: &rng)! }) }
    for i in 0..<5000 {
        let dir = "\(root)/module\(i / 50)"
        if i % 50 == 0 { try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var text = ""
        while text.utf8.count < 10_000 {
            text += (0..<12).map { _ in words.randomElement(using: &rng)! }.joined(separator: " ") + "\n"
        }
        try! text.write(toFile: "\(dir)/file\(i).txt", atomically: false, encoding: .utf8)
    }
    run(["git", "init", "-q", "-b", "main"], in: root)
    run(["git", "add", "-A"], in: root)
    run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "synthetic"], in: root)
    run(["git", "repack", "-adq"], in: root)
    run(["git", "prune"], in: root)
    _ = FileManager.default.createFile(atPath: marker, contents: Data())
    return root
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

setvbuf(stdout, nil, _IOLBF, 0)
let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
let repoPath = options.repo ?? syntheticRepository()
let main = try GitRepository.discover(from: repoPath)
guard let workdir = main.workdir else { fatalError("\(repoPath) is bare") }
let head = try main.headCommit()
let tag = "agon-bench-\(getpid())"
let scratch = NSTemporaryDirectory() + tag
try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: scratch) }

let fileCount = Int(run(["git", "ls-files", "-z"], in: workdir).split(separator: "\0").count)
let size = run(["du", "-sk", "--exclude=.git", workdir], in: workdir).split(separator: "\t").first.map { Int($0) ?? 0 } ?? 0
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
        .map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "unknown"
}

let filesystem = run(["stat", "-f", "-c", "%T", scratch], in: scratch).trimmingCharacters(in: .whitespacesAndNewlines)
print("repository: \(workdir) (\(fileCount) files, \(size / 1024) MB checked out), head \(head.abbreviated())")
print("worktrees:  \(scratch) (filesystem: \(filesystem))")
print("creating \(options.count) worktrees per round, \(options.rounds) rounds; load average \(loadAverage())\n")

// Files are never deleted while timing runs: on ext4 without a journal (this machine's disk),
// inodes freed in the last ~30 s are skipped one by one when allocating, so creating files right
// after deleting 40,000 of them is several times slower, whoever does it. Finished worktrees are
// moved into `trash` (a rename) and everything is deleted once, after the last round.
let trash = scratch + "/trash"
try FileManager.default.createDirectory(atPath: trash, withIntermediateDirectories: true)
var retired = 0

func retire(_ path: String) {
    guard FileManager.default.fileExists(atPath: path) else { return }
    retired += 1
    if rename(path, "\(trash)/\(retired)") != 0 { fatalError("cannot move \(path) to \(trash)") }
}

/// Moves the worktrees under `dir` to the trash, prunes their metadata and deletes their branches.
func retireWorktrees(in dir: String, branchPrefix: String) throws {
    retire(dir)
    let git = try GitRepository.open(workdir)
    try git.pruneWorktrees()
    for branch in try git.branches(prefix: branchPrefix) { try git.deleteBranch(branch) }
}

/// One way of making N worktrees: `make(round, base)` is timed; `prepare` and `cleanUp` are not.
struct Method {
    var key: String
    var title: String
    var prepare: (Int, String) throws -> Void = { _, _ in }
    var make: (Int, String) throws -> Void
    var cleanUp: (Int, String) throws -> Void
}

/// The reuse target: 10 commits on top of `head`, each editing 10 files, on a scratch branch.
func tenCommitsLater() throws -> ObjectID {
    let path = scratch + "/later"
    let git = try GitRepository.open(workdir)
    try git.addWorktree(name: "\(tag)-later", path: path, branch: "\(tag)/later", at: head)
    let files = run(["git", "ls-files"], in: path).split(separator: "\n").map(String.init)
    var commit = head
    for i in 0..<10 {
        for file in files.prefix(100).enumerated().filter({ $0.offset % 10 == i }).map(\.element) {
            let handle = FileHandle(forWritingAtPath: path + "/" + file)!
            handle.seekToEndOfFile()
            handle.write(Data("change \(i)\n".utf8))
            handle.closeFile()
        }
        commit = try git.commitAll(worktreePath: path, author: GitSignature(name: "bench", email: "bench@localhost"), message: "change \(i)")
    }
    return commit
}

let indices = Array(0..<options.count)
let copySource = scratch + "/copy-source"
let allFreshMethods = [
    // Agon: one GitRepository per thread, all worktrees at once.
    Method(key: "agon", title: "agon (in-process, concurrent)", make: { round, base in
        let failures = NSLock()
        var errors: [String] = []
        DispatchQueue.concurrentPerform(iterations: options.count) { i in
            do {
                let git = try GitRepository.open(workdir)
                try git.addWorktree(name: "\(tag)-a\(round)-\(i)", path: "\(base)/agon/\(i)", branch: "\(tag)/a\(round)/\(i)", at: head)
            } catch {
                failures.lock(); errors.append("\(error)"); failures.unlock()
            }
        }
        if !errors.isEmpty { fatalError("agon worktree creation failed: \(errors)") }
    }, cleanUp: { round, base in
        try retireWorktrees(in: "\(base)/agon", branchPrefix: "\(tag)/a\(round)/")
    }),
    Method(key: "seq", title: "agon (in-process, sequential)", make: { round, base in
        let git = try GitRepository.open(workdir)
        for i in indices {
            try git.addWorktree(name: "\(tag)-s\(round)-\(i)", path: "\(base)/seq/\(i)", branch: "\(tag)/s\(round)/\(i)", at: head)
        }
    }, cleanUp: { round, base in
        try retireWorktrees(in: "\(base)/seq", branchPrefix: "\(tag)/s\(round)/")
    }),
    // git CLI: what a shell script would do.
    Method(key: "git", title: "git worktree add ×N (sequential)", make: { round, base in
        for i in indices {
            run(["git", "worktree", "add", "-q", "-b", "\(tag)/g\(round)/\(i)", "\(base)/git/\(i)", head.hex], in: workdir)
        }
    }, cleanUp: { round, base in
        try retireWorktrees(in: "\(base)/git", branchPrefix: "\(tag)/g\(round)/")
    }),
    Method(key: "cp", title: "cp -r ×N (floor)", make: { _, base in
        try FileManager.default.createDirectory(atPath: "\(base)/cp", withIntermediateDirectories: true)
        for i in indices { run(["cp", "-r", copySource, "\(base)/cp/\(i)"], in: scratch) }
    }, cleanUp: { _, base in retire("\(base)/cp") }),
]
var handovers: [Int: WorktreeHandover] = [:]
let later = options.only == nil || options.only == "reuse" ? try tenCommitsLater() : head
let reuse = Method(key: "reuse", title: "agon reuse (pooled, 10 commits on)", prepare: { round, base in
    // A previous run: worktrees of `head`, each candidate edits a file and leaves an untracked one.
    let git = try GitRepository.open(workdir)
    for i in indices {
        let path = "\(base)/old/\(i)"
        try git.addWorktree(name: "\(tag)-o\(round)-\(i)", path: path, branch: "\(tag)/o\(round)/\(i)", at: head)
    }
    let handover = try WorktreeHandover.now(commit: head, directory: "\(base)/old")
    handovers[round] = handover
    for i in indices {
        let path = "\(base)/old/\(i)"
        let first = run(["git", "ls-files"], in: path).split(separator: "\n").first.map(String.init)!
        try Data("edited by candidate \(i)\n".utf8).write(to: URL(fileURLWithPath: path + "/" + first))
        try Data("scratch\n".utf8).write(to: URL(fileURLWithPath: path + "/notes-\(i).txt"))
        try git.parkWorktree("\(tag)-o\(round)-\(i)", as: "\(tag)-p\(round)-\(i)", path: "\(base)/pool/\(i)", commit: head)
        try git.deleteBranch("\(tag)/o\(round)/\(i)")
    }
}, make: { round, base in
    let failures = NSLock()
    var errors: [String] = []
    let handover = handovers[round]!
    DispatchQueue.concurrentPerform(iterations: options.count) { i in
        do {
            let git = try GitRepository.open(workdir)
            try git.recycleWorktree("\(tag)-p\(round)-\(i)", path: "\(base)/pool/\(i)", handover: handover,
                                    as: "\(tag)-r\(round)-\(i)", path: "\(base)/reuse/\(i)", branch: "\(tag)/r\(round)/\(i)", at: later)
        } catch {
            failures.lock(); errors.append("\(error)"); failures.unlock()
        }
    }
    if !errors.isEmpty { fatalError("agon worktree reuse failed: \(errors)") }
}, cleanUp: { round, base in
    try retireWorktrees(in: "\(base)/reuse", branchPrefix: "\(tag)/r\(round)/")
    retire("\(base)/old")
    retire("\(base)/pool")
})
let allMethods = allFreshMethods + [reuse]
let methods = allMethods.filter { options.only == nil || $0.key == options.only }
guard !methods.isEmpty else { fatalError("--only must be one of: \(allMethods.map(\.key).joined(separator: ", "))") }

// One checkout to copy for the cp -r floor.
if methods.contains(where: { $0.key == "cp" }) {
    try main.addWorktree(name: "\(tag)-copysrc", path: copySource, branch: "\(tag)/copysrc", at: head)
}
defer {
    retire(copySource)
    retire(scratch + "/later")
    try? retireWorktrees(in: copySource, branchPrefix: "\(tag)/")
}

var results: [String: [Timing]] = [:]
for round in 0..<options.rounds {
    let base = "\(scratch)/r\(round)"
    // Rotate the order so no method is always first (cold caches) or last.
    for offset in methods.indices {
        let method = methods[(round + offset) % methods.count]
        try method.prepare(round, base)
        results[method.key, default: []].append(try measure { try method.make(round, base) })
        try method.cleanUp(round, base)
    }
    print("round \(round + 1): " + methods.map { "\($0.key) " + String(format: "%.3fs", results[$0.key]!.last!.wall) }.joined(separator: "  "))
}

func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }

print("")
func medianWall(_ key: String) -> Double? { results[key].map { median($0.map(\.wall)) } }
func medianCPU(_ key: String) -> Double? { results[key].map { median($0.map(\.cpu)) } }
func ratio(_ value: Double, _ base: Double?) -> String { base.map { String(format: "%.2fx", value / $0) } ?? "-" }
print(pad("method", 36) + pad("wall median", 13) + pad("wall min", 10) + pad("vs git", 8) + pad("vs cp", 8) + pad("cpu median", 12) + "cpu vs git")
for method in methods {
    let wall = results[method.key]!.map(\.wall), cpu = median(results[method.key]!.map(\.cpu))
    print(pad(method.title, 36) + pad(String(format: "%.3fs", median(wall)), 13) + pad(String(format: "%.3fs", wall.min()!), 10)
        + pad(ratio(median(wall), medianWall("git")), 8) + pad(ratio(median(wall), medianWall("cp")), 8)
        + pad(String(format: "%.3fs", cpu), 12) + ratio(cpu, medianCPU("git")))
}
print("(cpu = user+system seconds of this process and its children; load average now \(loadAverage()))")
if let agon = medianWall("agon"), let git = medianWall("git") {
    print(String(format: "\nagon concurrent / git CLI (wall, medians) = %.2fx (goal <= 0.60x)", agon / git))
}
if let reused = medianWall("reuse"), let git = medianWall("git") {
    print(String(format: "agon reuse / git CLI (wall, medians) = %.2fx (goal <= 0.10x)", reused / git))
}
