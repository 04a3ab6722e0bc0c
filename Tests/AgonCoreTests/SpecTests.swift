import Foundation
import Testing
@testable import AgonCore

@Suite struct SpecTests {
    static let full = """
    ---
    title: Add retry with exponential backoff to the HTTP client
    base: main                      # ref; default HEAD
    acceptance:                     # shown to agents; run after each agent
      - swift test --filter RetryTests
    holdout:                        # never shown to agents
      - ./scripts/hidden-retry-checks.sh
    paths: ["Sources/HTTP/**", "Tests/HTTPTests/**"]
    budget: { max_cost_usd: 1.50, hard_timeout: 20m, silence_timeout: 90 }
    agents: [sonnet, gpt]
    verifiers: [judge-a]
    ---
    The client should retry idempotent requests on 5xx and connection errors.

    # Not the title
    """

    @Test func parsesEveryField() throws {
        let spec = try Spec.parse(text: Self.full, file: "specs/retry.md")
        #expect(spec.title == "Add retry with exponential backoff to the HTTP client")
        #expect(spec.base == "main")
        #expect(spec.acceptance == ["swift test --filter RetryTests"])
        #expect(spec.holdout == ["./scripts/hidden-retry-checks.sh"])
        #expect(spec.paths == ["Sources/HTTP/**", "Tests/HTTPTests/**"])
        #expect(spec.budget == BudgetSpec(maxCostUSD: 1.5, hardTimeout: .minutes(20), silenceTimeout: AgonDuration(seconds: 90)))
        #expect(spec.agents == ["sonnet", "gpt"])
        #expect(spec.verifiers == ["judge-a"])
        #expect(spec.body == "The client should retry idempotent requests on 5xx and connection errors.\n\n# Not the title")
        #expect(spec.raw == Self.full)
        #expect(spec.contentHash == SHA256Digest.hex(Self.full))
        #expect(spec.contentHash.count == 64)
    }

    @Test func hashIsOfTheFileBytes() throws {
        let data = Data("# T\nbody\n".utf8)
        let spec = try Spec.parse(data: data, file: "t.md")
        #expect(spec.contentHash == "\(SHA256Digest.hex(data))")
        #expect(try Spec.parse(text: "# T\nbody!\n", file: "t.md").contentHash != spec.contentHash)
    }

    @Test func withoutFrontMatterUsesDefaults() throws {
        let text = "Intro line\n\n```\n# not a heading (code)\n```\n# Fix the parser\n\nDetails.\n"
        let spec = try Spec.parse(text: text, file: "specs/fix.md")
        #expect(spec.title == "Fix the parser")
        #expect(spec.base == nil)
        #expect(spec.acceptance.isEmpty && spec.holdout.isEmpty && spec.paths.isEmpty)
        #expect(spec.budget == .empty)
        #expect(spec.agents == nil && spec.verifiers == nil)
        #expect(spec.body == text)
    }

    @Test func titleFallsBackToHeadingThenFileName() throws {
        let withHeading = try Spec.parse(text: "---\nbase: dev\n---\n## Sub\n# Main title #\n", file: "a.md")
        #expect(withHeading.title == "Main title")
        let bare = try Spec.parse(text: "Just do it.\n", file: "specs/do-it.md")
        #expect(bare.title == "do-it")
    }

    @Test func singleCommandStringBecomesAList() throws {
        let spec = try Spec.parse(text: "---\nacceptance: make test\nholdout: [a, b]\n---\nx", file: "s.md")
        #expect(spec.acceptance == ["make test"])
        #expect(spec.holdout == ["a", "b"])
    }

    @Test func emptyFrontMatterIsFine() throws {
        let spec = try Spec.parse(text: "---\n---\n# T\n", file: "s.md")
        #expect(spec.title == "T")
        #expect(spec.body == "# T\n")
    }

    @Test func dashesLaterInTheFileAreNotFrontMatter() throws {
        let text = "# Title\n---\nnot: yaml\n---\n"
        let spec = try Spec.parse(text: text, file: "s.md")
        #expect(spec.body == text)
        #expect(spec.title == "Title")
    }

    @Test func unclosedFrontMatterNamesTheOpeningLine() {
        #expect(throws: AgonInputError(file: "specs/x.md", line: 1, message: "front matter opened here is never closed (add a line with just --- after it)")) {
            try Spec.parse(text: "---\ntitle: x\nbody without close\n", file: "specs/x.md")
        }
    }

    @Test func wrongTypeNamesFileLineAndField() {
        let text = "---\ntitle: T\nbase: main\nbudget:\n  max_cost_usd: abc\n---\nbody"
        let error = #expect(throws: AgonInputError.self) { try Spec.parse(text: text, file: "specs/x.md") }
        #expect(error?.description == "specs/x.md:5: budget.max_cost_usd: expected a number, got \"abc\"")
    }

    @Test func unknownKeyNamesFileLineAndField() {
        let text = "---\ntitle: T\nacceptence: [make]\n---\n"
        let error = #expect(throws: AgonInputError.self) { try Spec.parse(text: text, file: "specs/x.md") }
        #expect(error?.description == "specs/x.md:3: acceptence: unknown key (did you mean \"acceptance\"?); known keys: title, base, acceptance, holdout, paths, budget, agents, verifiers, strategy")
    }

    @Test(arguments: [
        ("paths: 3", "specs/x.md:2: paths: expected a string or a list of strings, got a mapping"),
        ("agents: sonnet", "specs/x.md:2: agents: expected a list of strings, got \"sonnet\""),
        ("budget: 5", "specs/x.md:2: budget: expected a mapping, got \"5\""),
        ("budget: { hard_timeout: 10x }", "specs/x.md:2: budget.hard_timeout: invalid duration \"10x\": unknown unit \"x\" (use h, m or s)"),
        ("budget: { max_cost_usd: -1 }", "specs/x.md:2: budget.max_cost_usd: must be 0 (tally only) or more, got -1.0"),
        ("budget: { silence_timeout: 0 }", "specs/x.md:2: budget.silence_timeout: must be longer than zero"),
        ("budget: { max_cost: 1 }", "specs/x.md:2: budget.max_cost: unknown key; known keys: max_cost_usd, hard_timeout, silence_timeout"),
        ("holdout: [ok, [nested]]", "specs/x.md:2: holdout[1]: expected a string, got a list"),
        ("paths: [\"src/[abc\"]", "specs/x.md:2: paths: pattern 1 \"src/[abc\": unclosed [ in pattern"),
        ("title: \"\"", "specs/x.md:2: title: must not be empty"),
        ("- a list", "specs/x.md:2: expected a mapping, got a list"),
        ("title: [unclosed", "specs/x.md:3: invalid YAML: while parsing a flow sequence did not find expected ',' or ']'"),
    ])
    func badFrontMatter(yaml: String, message: String) {
        // `paths: 3` is a scalar and thus allowed as a single pattern; use a mapping for the type error.
        let line = yaml == "paths: 3" ? "paths: { a: 1 }" : yaml
        let error = #expect(throws: AgonInputError.self) { try Spec.parse(text: "---\n\(line)\n---\nbody", file: "specs/x.md") }
        #expect(error?.description == message)
    }

    @Test func duplicateKeyIsAnError() {
        let error = #expect(throws: AgonInputError.self) { try Spec.parse(text: "---\ntitle: a\ntitle: b\n---\n", file: "s.md") }
        #expect(error?.description.hasPrefix("s.md:2: duplicate key \"title\"") == true)
    }

    @Test func scopeCheckListsFilesOutsidePaths() throws {
        let spec = try Spec.parse(text: Self.full, file: "specs/retry.md")
        let changed = ["Sources/HTTP/Client.swift", "Sources/HTTP/Retry/Policy.swift", "Tests/HTTPTests/RetryTests.swift",
                       "Package.swift", "Sources/Other/x.swift"]
        #expect(spec.filesOutsideScope(changed) == ["Package.swift", "Sources/Other/x.swift"])
        let unscoped = try Spec.parse(text: "x", file: "s.md")
        #expect(unscoped.filesOutsideScope(changed).isEmpty)
    }

    @Test func loadsFromDisk() throws {
        let path = NSTemporaryDirectory() + "agon-spec-\(UUID().uuidString).md"
        try Data(Self.full.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = try Spec.load(path: path, displayName: "specs/retry.md")
        #expect(spec.file == "specs/retry.md")
        #expect(spec.contentHash == SHA256Digest.hex(Self.full))
        #expect(throws: AgonInputError(file: "nope.md", message: "cannot read spec")) { try Spec.load(path: "/nonexistent/nope.md", displayName: "nope.md") }
    }
}

@Suite struct PathGlobTests {
    @Test(arguments: [
        ("Sources/HTTP/**", "Sources/HTTP/Client.swift", true),
        ("Sources/HTTP/**", "Sources/HTTP/a/b/c.swift", true),
        ("Sources/HTTP/**", "Sources/HTTPX/a.swift", false),
        ("Sources/HTTP/**", "Tests/Sources/HTTP/a.swift", false),
        ("*.swift", "Package.swift", true),
        ("*.swift", "Sources/A/B.swift", true),
        ("*.swift", "README.md", false),
        ("*.swift", "a.swiftx", false),
        ("docs/*.md", "docs/guide.md", true),
        ("docs/*.md", "docs/sub/guide.md", false),
        ("docs/*.md", "other/docs/guide.md", false),
        ("**/test_*.py", "test_a.py", true),
        ("**/test_*.py", "pkg/tests/test_retry.py", true),
        ("**/test_*.py", "pkg/tests/retry_test.py", false),
        ("Sources/HTTP", "Sources/HTTP/Client.swift", true),
        ("Sources/HTTP/", "Sources/HTTP/Client.swift", true),
        ("Sources/*/Client.swift", "Sources/HTTP/Client.swift", true),
        ("Sources/**/Client.swift", "Sources/Client.swift", true),
        ("Sources/**/Client.swift", "Sources/a/b/Client.swift", true),
        ("src/?.c", "src/a.c", true),
        ("src/?.c", "src/ab.c", false),
        ("src/[ab].c", "src/b.c", true),
        ("src/[ab].c", "src/c.c", false),
        ("src/[!ab].c", "src/c.c", true),
        ("src/[a-c]x", "src/bx", true),
        ("src/[a-c]x", "src/dx", false),
        ("./README.md", "README.md", true),
        ("/README.md", "README.md", true),
        ("/README.md", "docs/README.md", false),
        ("README.md", "docs/README.md", true),
    ])
    func matches(pattern: String, path: String, expected: Bool) {
        #expect(PathGlob(pattern).matches(path) == expected)
    }
}

/// A few hundred bytes of nested merge keys once kept `validate` busy for minutes.
@Suite struct YAMLExpansionBoundTests {
    static var mergeBomb: String {
        var inner = "&m0 {title: t}"
        for level in 1...8 {
            inner = "&m\(level) {<<: [\(inner), " + Array(repeating: "*m\(level - 1)", count: 7).joined(separator: ", ") + "]}"
        }
        return "---\n<<: \(inner)\n---\nbody\n"
    }

    @Test func mergeKeyBombIsAClearErrorNotMinutesOfWork() throws {
        #expect(Self.mergeBomb.utf8.count < 500)
        let started = Date()
        let error = #expect(throws: AgonInputError.self) { try Spec.parse(text: Self.mergeBomb, file: "bomb.md") }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(error?.description.contains("aliases and merge keys") == true)
        #expect(error?.description.contains("\n") == false)
        let configBomb = Self.mergeBomb.replacingOccurrences(of: "---\n", with: "").replacingOccurrences(of: "body\n", with: "")
        #expect(throws: AgonInputError.self) { try Config.parse(yaml: configBomb) }
    }

    @Test func ordinaryAliasesStillWork() throws {
        let spec = try Spec.parse(text: "---\ntitle: t\nacceptance: &a [\"true\"]\nholdout: *a\n---\nx\n", file: "a.md")
        #expect(spec.holdout == ["true"])
    }

    @Test func emptySpecIsAnInputError() {
        #expect(throws: AgonInputError.self) { try Spec.parse(text: " \n\n", file: "e.md") }
    }
}
