import Foundation

/// `DOUBLE_REVIEW=sound|noisy|first`: the double acts as a verifier. It reads the review packet
/// from its prompt (or the packet file the prompt points to), ranks the candidate labels and
/// answers with a verdict JSON in its harness's real output format; it also writes the verdict
/// to the file the prompt names (`… to the file `/path/verdict.json``).
///
/// - `sound`: fewest failed checks first, then candidates that add or change tests, then the
///   smallest diff (files and changed lines) — it prefers the neat patch over the sprawling one;
/// - `noisy`: `sound`, then each adjacent pair swapped with probability 0.4 (seeded by
///   `DOUBLE_SEED` and the prompt's hash, so reruns agree);
/// - `first`: the labels in the order shown (pure position bias).
///
/// `DOUBLE_REVIEW_MALFORMED=1` prints a truncated verdict on the first attempt (a prompt that
/// carries the retry note gets a good one); `DOUBLE_REVIEW_MALFORMED=always` never answers well.
/// `DOUBLE_REVIEW_TOUCH=name` writes `name` into the working directory (the read-only base tree).
enum ReviewMode {
    struct Candidate {
        var label: String
        var failedChecks = 0
        var files = 0
        var changedLines = 0
        var touchesTests = false
        var empty = false
    }

    static func run(style: String, invocation: Invocation, env: [String: String]) -> Never {
        var packet = invocation.prompt
        if packet.isEmpty, let file = env["AGON_PROMPT_FILE"] { packet = (try? String(contentsOfFile: file, encoding: .utf8)) ?? "" }
        let files = quotedFiles(in: packet)
        if let pointer = files.first(where: { $0.hasSuffix(".md") }),
           let full = try? String(contentsOfFile: pointer, encoding: .utf8) {
            packet += "\n" + full
        }
        if let name = env["DOUBLE_REVIEW_TOUCH"] {
            try? "touched by a verifier\n".write(toFile: FileManager.default.currentDirectoryPath + "/" + name,
                                                 atomically: false, encoding: .utf8)
        }
        let candidates = parse(packet)
        let ranking = rank(candidates, style: style, seed: (UInt64(env["DOUBLE_SEED"] ?? "") ?? 0) ^ fnv(packet))
        let malformed = env["DOUBLE_REVIEW_MALFORMED"]
        let isRetry = invocation.prompt.contains("Your previous reply could not be used")
        var text = verdictJSON(ranking: ranking, candidates: candidates, recommend: env["DOUBLE_REVIEW_RECOMMEND"])
        if malformed == "always" || (malformed == "1" && !isRetry) {
            text = String(text.prefix(text.count / 2))  // cut mid-object: the parser reports truncated JSON
        }
        if let verdictFile = files.first(where: { $0.hasSuffix(".json") }) {
            try? text.write(toFile: verdictFile, atomically: true, encoding: .utf8)
        }
        emit(text, harness: invocation.harness, model: invocation.model, prompt: packet)
        exit(0)
    }

    /// Paths in "the file `…`" phrases (the verdict file, and the packet file for long packets).
    static func quotedFiles(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let range = rest.range(of: "the file `") {
            let after = rest[range.upperBound...]
            guard let end = after.firstIndex(of: "`") else { break }
            out.append(String(after[..<end]))
            rest = after[after.index(after: end)...]
        }
        return out
    }

    /// Candidates in the order the packet shows them, with what its headers say about each.
    static func parse(_ packet: String) -> [Candidate] {
        var out: [Candidate] = []
        var inDiff = false
        for raw in packet.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix("```") { inDiff.toggle(); continue }
            if inDiff { continue }
            if line.hasPrefix("## Candidate ") {
                let label = String(line.dropFirst("## Candidate ".count)).trimmingCharacters(in: .whitespaces)
                if !out.contains(where: { $0.label == label }) { out.append(Candidate(label: label)) }
                continue
            }
            guard !out.isEmpty else { continue }
            if line.hasPrefix("This candidate changed nothing") { out[out.count - 1].empty = true }
            if line.hasPrefix("- "), line.contains(": failed") { out[out.count - 1].failedChecks += 1 }
            // "- `path` (+3 -1)"
            if line.hasPrefix("- `"), let open = line.lastIndex(of: "("), line.hasSuffix(")") {
                let path = line.dropFirst(3).prefix { $0 != "`" }
                let numbers = line[line.index(after: open)..<line.index(before: line.endIndex)]
                    .split(separator: " ").compactMap { Int($0.dropFirst()) }
                out[out.count - 1].files += 1
                out[out.count - 1].changedLines += numbers.reduce(0, +)
                if path.lowercased().contains("test") { out[out.count - 1].touchesTests = true }
            }
        }
        return out
    }

    static func rank(_ candidates: [Candidate], style: String, seed: UInt64) -> [String] {
        if style == "first" { return candidates.map(\.label) }
        var sound = candidates.sorted {
            ($0.empty ? 1 : 0, $0.failedChecks, $0.touchesTests ? 0 : 1, $0.files * 10 + $0.changedLines, $0.label)
                < ($1.empty ? 1 : 0, $1.failedChecks, $1.touchesTests ? 0 : 1, $1.files * 10 + $1.changedLines, $1.label)
        }.map(\.label)
        if style == "noisy" && sound.count > 1 {
            var state = seed
            for i in 0..<(sound.count - 1) where next(&state) % 10 < 4 { sound.swapAt(i, i + 1) }
        }
        return sound
    }

    /// `recommend` (`DOUBLE_REVIEW_RECOMMEND`) replaces the recommendation of every candidate without failed checks.
    static func verdictJSON(ranking: [String], candidates: [Candidate], recommend: String? = nil) -> String {
        var notes: [String: Any] = [:]
        for (position, label) in ranking.enumerated() {
            guard let c = candidates.first(where: { $0.label == label }) else { continue }
            let recommendation = c.failedChecks > 0 || c.empty ? "reject" : recommend ?? (position == 0 ? "apply" : "revise")
            notes[label] = ["summary": "\(c.files) files, \(c.changedLines) changed lines\(c.touchesTests ? ", with tests" : "")",
                            "risks": c.failedChecks > 0 ? "\(c.failedChecks) failed checks" : "",
                            "recommendation": recommendation]
        }
        let data = try! JSONSerialization.data(withJSONObject: ["ranking": ranking, "candidates": notes], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Prints the verdict as the harness's final message, with usage so Agon meters the review.
    static func emit(_ text: String, harness: String, model: String?, prompt: String) {
        let input = max(1, prompt.utf8.count / 4), output = max(1, text.utf8.count / 4)
        let cost = Double(input) * 3e-6 + Double(output) * 15e-6
        let session = newID()
        switch harness {
        case "claude":
            let usage: [String: Any] = ["input_tokens": input, "output_tokens": output, "cache_creation_input_tokens": 0,
                                        "cache_read_input_tokens": 0]
            Out.json(["type": "system", "subtype": "init", "session_id": session, "model": model ?? "claude-sonnet-4-5"])
            Out.json(["type": "assistant", "session_id": session,
                      "message": ["id": "msg_review", "model": model ?? "claude-sonnet-4-5", "role": "assistant",
                                  "content": [["type": "text", "text": text]], "usage": usage] as [String: Any]])
            Out.json(["type": "result", "subtype": "success", "is_error": false, "num_turns": 1, "result": text,
                      "session_id": session, "total_cost_usd": cost, "usage": usage])
        case "codex":
            Out.json(["type": "thread.started", "thread_id": session])
            Out.json(["type": "turn.started"])
            Out.json(["type": "item.completed", "item": ["id": "item_0", "type": "agent_message", "text": text]])
            Out.json(["type": "turn.completed", "usage": ["input_tokens": input, "cached_input_tokens": 0, "output_tokens": output]])
        case "gemini":
            Out.json(["type": "init", "session_id": session, "model": model ?? "gemini-2.5-pro"])
            Out.json(["type": "message", "role": "assistant", "content": text, "delta": true])
            Out.json(["type": "result", "status": "success",
                      "stats": ["total_tokens": input + output, "input_tokens": input, "output_tokens": output, "tool_calls": 0]])
        default:
            Out.line(text)
        }
    }

    static func fnv(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }

    /// SplitMix64 step.
    static func next(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
