import AgonCore
import Foundation
import Testing
@testable import AgonAgents

@Suite struct LineSplitterTests {
    func lines(_ chunks: [String], max: Int = 16) -> (lines: [String], overlong: Int) {
        var splitter = LineSplitter(maxLineBytes: max)
        var out: [String] = []
        for c in chunks { splitter.append(Array(c.utf8)) { out.append(String($0)) } }
        splitter.finish { out.append(String($0)) }
        return (out, splitter.overlongLines)
    }

    @Test func splitsAcrossChunkBoundaries() {
        #expect(lines(["ab", "c\nde", "f\n\ng"]).lines == ["abc", "def", "", "g"])
    }

    @Test func dropsCarriageReturnsAndKeepsUnterminatedTail() {
        #expect(lines(["one\r\ntwo"]).lines == ["one", "two"])
    }

    @Test func overlongLinesAreCountedAndSkippedWhole() {
        let r = lines(["short\n", String(repeating: "x", count: 10), String(repeating: "y", count: 10), "\nafter\n",
                       String(repeating: "z", count: 40)])
        #expect(r.lines == ["short", "after"])
        #expect(r.overlong == 2)
    }

    @Test func invalidUTF8IsReplacedNotFatal() {
        var splitter = LineSplitter()
        var out: [String] = []
        splitter.append([0x61, 0xFF, 0x62, 0x0A]) { out.append(String($0)) }
        #expect(out == ["a\u{FFFD}b"])
    }
}

@Suite struct ChildEnvironmentTests {
    let parent = ["PATH": "/bin", "HOME": "/h", "LC_ALL": "C", "ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": "o",
                  "AWS_REGION": "eu", "AWS_PROFILE": "p", "AGON_SECRET": "s", "TERM": "xterm"]

    @Test func onlyTheAllowlistIsInherited() {
        let env = ChildEnvironment.build(parent: parent, passThrough: [], explicit: [:], agon: [:])
        #expect(env == ["PATH": "/bin", "HOME": "/h", "LC_ALL": "C"])
    }

    @Test func namedVariablesAndPrefixesPassThrough() {
        let env = ChildEnvironment.build(parent: parent, passThrough: ["OPENAI_API_KEY", "AWS_*", "MISSING"],
                                         explicit: ["X": "1"], agon: ["AGON_WORKTREE": "/w"])
        #expect(env["OPENAI_API_KEY"] == "o")
        #expect(env["AWS_REGION"] == "eu" && env["AWS_PROFILE"] == "p")
        #expect(env["ANTHROPIC_API_KEY"] == nil)
        #expect(env["MISSING"] == nil)
        #expect(env["X"] == "1" && env["AGON_WORKTREE"] == "/w")
        #expect(env["AGON_SECRET"] == nil, "the parent's own AGON_* are not forwarded")
    }
}

@Suite struct HarnessCommandTests {
    let paths = HarnessCommand.Paths(artifactsDir: "/a")

    func launch(_ h: Harness, extra: [String] = [], command: [String]? = nil) -> AgentLaunch {
        AgentLaunch(harness: h, model: "m", extraArgs: extra, command: command, prompt: "do it", worktree: "/w", artifactsDir: "/a")
    }

    @Test func claudeSkipsPermissionsUnlessTheEntrySetsThem() throws {
        var notRoot = launch(.claude)
        notRoot.runningAsRoot = false
        let c = try HarnessCommand.build(for: notRoot, paths: paths)
        #expect(c.executable == "claude")
        #expect(c.arguments == ["-p", "do it", "--output-format", "stream-json", "--verbose", "--model", "m", "--dangerously-skip-permissions"])
        let own = try HarnessCommand.build(for: launch(.claude, extra: ["--permission-mode", "acceptEdits"]), paths: paths)
        #expect(!own.arguments.contains("--dangerously-skip-permissions"))
        #expect(own.arguments.suffix(2) == ["--permission-mode", "acceptEdits"])
    }

    // Claude Code 2.x refuses --dangerously-skip-permissions as root unless IS_SANDBOX=1.
    @Test func claudeAsRootUsesAnAllowlistUnlessTheEntryClaimsASandbox() throws {
        var root = launch(.claude)
        root.runningAsRoot = true
        let c = try HarnessCommand.build(for: root, paths: paths)
        #expect(!c.arguments.contains("--dangerously-skip-permissions"))
        #expect(c.arguments.suffix(4) == ["--permission-mode", "acceptEdits", "--allowedTools",
                                          "Bash,Edit,MultiEdit,Write,Read,Glob,Grep,LS,NotebookEdit,TodoWrite,TaskCreate,TaskGet,TaskList,TaskUpdate"])
        root.env["IS_SANDBOX"] = "1"
        let sandboxed = try HarnessCommand.build(for: root, paths: paths)
        #expect(sandboxed.arguments.last == "--dangerously-skip-permissions")
        #expect(!sandboxed.arguments.contains("--allowedTools"))
    }

    @Test func codexKeepsThePromptLastAndTailsRollouts() throws {
        let c = try HarnessCommand.build(for: launch(.codex, extra: ["-c", "x=1"]), paths: paths)
        #expect(c.arguments.last == "do it")
        #expect(c.arguments.prefix(2) == ["exec", "--json"])
        #expect(c.environment["CODEX_HOME"] == "/a/codex-home")
        #expect(c.environment["TMPDIR"] == "/a/codex-home-tmp", "codex refuses a CODEX_HOME under its temp directory")
        #expect(c.sideChannels == [.rollouts(directory: "/a/codex-home/sessions", format: .codexRollout)])
    }

    @Test func aiderReadsThePromptFileAndLogsAnalytics() throws {
        let c = try HarnessCommand.build(for: launch(.aider), paths: paths)
        #expect(c.arguments.starts(with: ["--message-file", "/a/prompt.md"]))
        // No .gitignore edit in the worktree, the provider's usage (not aider's estimate), aider's own files outside the worktree.
        #expect(c.arguments.contains("--no-gitignore") && c.arguments.contains("--no-stream") && !c.arguments.contains("--stream"))
        #expect(c.arguments.contains("/a/aider.chat.history.md") && c.arguments.contains("/a/aider.input.history"))
        #expect(c.environment["LITELLM_LOCAL_MODEL_COST_MAP"] == "True")
        // A model with a price gets aider's metadata file (no price-file download); none without.
        #expect(!c.arguments.contains("--model-metadata-file"))
        var priced = launch(.aider)
        priced.price = ModelPrice(inputPerToken: 4e-7, outputPerToken: 1.6e-6, source: "t")
        let p = try HarnessCommand.build(for: priced, paths: paths)
        #expect(p.arguments.contains("--model-metadata-file") && p.arguments.contains("/a/aider-model-metadata.json"))
        #expect(c.stdoutFormat == .aiderStdout)
        #expect(c.sideChannels == [.file(path: "/a/aider-analytics.jsonl", format: .aiderAnalytics)])
    }

    @Test func commandTemplatesExpand() throws {
        let c = try HarnessCommand.build(for: launch(.command, command: ["./agent", "{prompt_file}", "--in", "{worktree}", "{prompt}"]), paths: paths)
        #expect(c.executable == "./agent")
        #expect(c.arguments == ["/a/prompt.md", "--in", "/w", "do it"])
        #expect(c.stdoutFormat == nil)
    }

    @Test func commandWithoutArgvAndOpenAIAreRejected() {
        #expect(throws: HarnessCommand.BuildError.missingCommand) { try HarnessCommand.build(for: launch(.command), paths: paths) }
        #expect(throws: HarnessCommand.BuildError.notAnAgentCLI(.openai)) { try HarnessCommand.build(for: launch(.openai), paths: paths) }
    }
}

@Suite struct ProcessTableTests {
    @Test func parsesCommandNamesWithSpacesAndParens() {
        let e = ProcessTable.parseStat("1234 (my (odd) name) S 1 1234 1234 0 -1 4194560")
        #expect(e == ProcessEntry(pid: 1234, ppid: 1, pgid: 1234, state: "S"))
    }

    @Test func findsThisProcess() {
        let me = ProcessTable.entry(pid: getpid())
        #expect(me?.pid == getpid())
        #expect(me?.isAlive == true)
    }
}
