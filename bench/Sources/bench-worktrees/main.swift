// bench-worktrees: time creating 8 worktrees of one repository three ways, report medians.
//
//   bench-worktrees [REPO] [--rounds N] [--count N]
//
// Without REPO, a synthetic repository of 5,000 files / ~50 MB is generated once and cached
// under $TMPDIR. Branches and worktrees made by the benchmark are removed after each round.
import AgonGit
import Foundation

struct Options {
    var repo: String?
    var rounds = 5
    var count = 8

    static func parse(_ args: [String]) -> Options {
        var options = Options()
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--rounds": i += 1; options.rounds = Int(args[i]) ?? options.rounds
            case "--count": i += 1; options.count = Int(args[i]) ?? options.count
            case "-h", "--help":
                print("usage: bench-worktrees [REPO] [--rounds N] [--count N]")
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
print("repository: \(workdir) (\(fileCount) files, \(size / 1024) MB checked out), head \(head.abbreviated())")
print("creating \(options.count) worktrees per round, \(options.rounds) rounds\n")

func removeAll(prefix: String, names: [String]) throws {
    let git = try GitRepository.open(workdir)
    for name in names { try? git.removeWorktree(name, deleteBranch: true) }
    for branch in try git.branches(prefix: prefix) { try git.deleteBranch(branch) }
}

// One checkout to copy for the cp -r floor.
let copySource = scratch + "/copy-source"
try main.addWorktree(name: "\(tag)-copysrc", path: copySource, branch: "\(tag)/copysrc", at: head)
defer { try? removeAll(prefix: "\(tag)/", names: ["\(tag)-copysrc"]) }

var results: [String: [Timing]] = [:]
let methods = ["agon (in-process, concurrent)", "agon (in-process, sequential)", "git worktree add ×N (sequential)", "cp -r ×N (floor)"]
for round in 0..<options.rounds {
    let base = "\(scratch)/r\(round)"
    let indices = Array(0..<options.count)

    // Agon: one GitRepository per thread, all worktrees at once.
    let agonNames = indices.map { "\(tag)-a\(round)-\($0)" }
    let failures = NSLock()
    var errors: [String] = []
    results[methods[0], default: []].append(measure {
        DispatchQueue.concurrentPerform(iterations: options.count) { i in
            do {
                let git = try GitRepository.open(workdir)
                try git.addWorktree(name: agonNames[i], path: "\(base)/agon/\(i)", branch: "\(tag)/a\(round)/\(i)", at: head)
            } catch {
                failures.lock(); errors.append("\(error)"); failures.unlock()
            }
        }
    })
    if !errors.isEmpty { fatalError("agon worktree creation failed: \(errors)") }
    try removeAll(prefix: "\(tag)/a\(round)/", names: agonNames)

    let seqNames = indices.map { "\(tag)-s\(round)-\($0)" }
    results[methods[1], default: []].append(try measure {
        let git = try GitRepository.open(workdir)
        for i in indices {
            try git.addWorktree(name: seqNames[i], path: "\(base)/seq/\(i)", branch: "\(tag)/s\(round)/\(i)", at: head)
        }
    })
    try removeAll(prefix: "\(tag)/s\(round)/", names: seqNames)

    // git CLI: what a shell script would do.
    results[methods[2], default: []].append(measure {
        for i in indices {
            run(["git", "worktree", "add", "-q", "-b", "\(tag)/g\(round)/\(i)", "\(base)/git/\(i)", head.hex], in: workdir)
        }
    })
    let git = try GitRepository.open(workdir)
    let cliNames = try git.worktrees().filter { $0.path.hasPrefix("\(base)/git/") }.map(\.name)
    try removeAll(prefix: "\(tag)/g\(round)/", names: cliNames)

    results[methods[3], default: []].append(measure {
        for i in indices { run(["cp", "-r", copySource, "\(base)/cp-\(i)"], in: scratch) }
    })
    try? FileManager.default.removeItem(atPath: base)
    print("round \(round + 1): " + methods.map { String(format: "%.3fs", results[$0]!.last!.wall) }.joined(separator: "  "))
}

func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }

print("")
let gitWall = median(results[methods[2]]!.map(\.wall)), gitCPU = median(results[methods[2]]!.map(\.cpu))
let cpWall = median(results[methods[3]]!.map(\.wall))
print(pad("method", 36) + pad("wall median", 13) + pad("wall min", 10) + pad("vs git", 8) + pad("vs cp", 8) + pad("cpu median", 12) + "cpu vs git")
for method in methods {
    let wall = results[method]!.map(\.wall), cpu = results[method]!.map(\.cpu)
    print(pad(method, 36) + pad(String(format: "%.3fs", median(wall)), 13) + pad(String(format: "%.3fs", wall.min()!), 10)
        + pad(String(format: "%.2fx", median(wall) / gitWall), 8) + pad(String(format: "%.2fx", median(wall) / cpWall), 8)
        + pad(String(format: "%.3fs", median(cpu)), 12) + String(format: "%.2fx", median(cpu) / gitCPU))
}
print(String(format: "\nagon concurrent / git CLI (wall, medians) = %.2fx (goal <= 0.60x)", median(results[methods[0]]!.map(\.wall)) / gitWall))
