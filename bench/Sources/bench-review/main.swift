// bench-review: the pre-review screen and packet building on large synthetic patches.
//
//   swift build -c release --product bench-review && .build/release/bench-review [LINES…]
//
// For each size: one candidate adds LINES lines of ordinary code (each with one non-ASCII
// letter, the slow path), two others a small patch. It times `CandidateScreen.screen` once, as a
// run does (redaction, leak scan with disguises and encoded runs, injection scan), then one
// verifier's `ReviewPacketBuilder.build`, median of 5 (the injection scan's results are reused
// from the screen, as in a run).
import AgonCore
import AgonReview
import Foundation

func patch(lines: Int) -> String {
    var text = "diff --git a/Sources/Big.swift b/Sources/Big.swift\nnew file mode 100644\n--- /dev/null\n+++ b/Sources/Big.swift\n@@ -0,0 +1,\(lines) @@\n"
    for i in 0..<lines {
        text += "+    let value\(i) = compute(input: \"item-\(i)\", retries: \(i % 7)) // keep the cache warm for größe \(i)\n"
    }
    return text
}

let small = "diff --git a/a.txt b/a.txt\nnew file mode 100644\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1,1 @@\n+hello\n"

func candidates(_ big: String) -> [ReviewCandidate] {
    [ReviewCandidate(candidateID: "c1", agentID: "sonnet", harness: .claude, model: "claude-sonnet-4-5", family: "anthropic",
                     identityTokens: ["sonnet", "claude-sonnet-4-5", "claude", "anthropic"], patch: big),
     ReviewCandidate(candidateID: "c2", agentID: "gpt", harness: .codex, model: "gpt-5-codex", family: "openai",
                     identityTokens: ["gpt", "gpt-5-codex", "codex", "openai"], patch: small),
     ReviewCandidate(candidateID: "c3", agentID: "flash", harness: .gemini, model: "gemini-2.5-flash", family: "google",
                     identityTokens: ["flash", "gemini-2.5-flash", "gemini", "google"], patch: small)]
}

func median(runs: Int = 5, _ f: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try f()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[runs / 2]
}

let spec = ReviewSpec(title: "Add retry", body: "Retry idempotent requests.", acceptance: ["swift test"])
let secrets = RunSecrets(runID: "20261130-120000-abcd", branches: ["agon/20261130-120000-abcd/sonnet"],
                         worktreePaths: ["/repo/worktrees/20261130-120000-abcd/sonnet"], holdout: ["sh \"$AGON_HOLDOUT_DIR/edge.sh\""])
let sizes = CommandLine.arguments.dropFirst().compactMap(Int.init)
print("lines    MB     screen s   packet s")
for lines in sizes.isEmpty ? [1_000, 10_000, 50_000] : sizes {
    let big = patch(lines: lines)
    let all = candidates(big)
    let key = Blinder.key(runID: secrets.runID, verifierID: "v", candidates: all.map(\.candidateID))
    let screen = median(runs: 1) { _ = CandidateScreen.screen(all[0], among: all, spec: spec, secrets: secrets, injectionPolicy: .flag) }
    let packet = try median { _ = try ReviewPacketBuilder.build(spec: spec, candidates: all, key: key, secrets: secrets) }
    print(String(format: "%-8d %-6.1f %-10.3f %.3f", lines, Double(big.utf8.count) / 1e6, screen, packet))
}
