import Foundation

/// `DOUBLE_SOLUTIONS=<dir>`: the double "solves" a spec for real by running `<dir>/<key>.sh`
/// (with `sh`, in its working directory) for every `<key>` the prompt mentions. This is how the
/// demo's agents produce different patches for different specs. Returns the scripts it ran.
func applySolutions(directory: String?, prompt: String) -> [String] {
    guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    let lowered = prompt.lowercased()
    var ran: [String] = []
    for name in names.sorted() where name.hasSuffix(".sh") {
        let key = String(name.dropLast(3)).lowercased()
        guard lowered.contains(key) else { continue }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [directory + "/" + name]
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            ran.append(name)
        } catch {
            Out.err("agent-double: cannot run solution \(name): \(error)")
        }
    }
    return ran
}
