// swift-tools-version: 6.0
import PackageDescription

// Swift 5 language mode: the pipeline is process- and thread-based (libgit2, posix_spawn,
// DispatchQueues); strict Sendable checking would add ceremony without catching real bugs here.
let settings: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "Agon",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "agon", targets: ["agon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(name: "AgonGit", dependencies: ["CGit2"], swiftSettings: settings),
        // libpq, PostgreSQL's C client: only AgonStore's PostgreSQL backend imports it (issue 15).
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "AgonCore", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: settings),
        .target(name: "AgonAgents", dependencies: ["AgonCore"], swiftSettings: settings),
        .target(name: "AgonReview", dependencies: ["AgonCore"], swiftSettings: settings),
        .target(name: "AgonConsensus", dependencies: ["AgonCore"], swiftSettings: settings),
        // Cluster engines that run a run's candidates as jobs (Slurm, Kubernetes); they talk to the engine only.
        .target(name: "AgonExecutors", dependencies: ["AgonCore", .product(name: "Yams", package: "Yams")], swiftSettings: settings),
        // Pure: the leaderboard's inputs and statistics, computed from values alone.
        .target(name: "AgonLeaderboard", dependencies: ["AgonCore", "AgonConsensus"], swiftSettings: settings),
        .target(name: "AgonStore", dependencies: ["AgonCore", "AgonLeaderboard", "CLibPQ", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: settings),
        // The pipeline: returns typed values and errors; it renders nothing.
        .target(
            name: "AgonTournament",
            dependencies: ["AgonGit", "AgonCore", "AgonAgents", "AgonReview", "AgonConsensus", "AgonLeaderboard", "AgonStore", "AgonExecutors"],
            swiftSettings: settings
        ),
        // Every presenter: the values AgonTournament returns as text, JSON, CSV and HTML.
        .target(
            name: "AgonReport",
            dependencies: ["AgonCore", "AgonAgents", "AgonConsensus", "AgonLeaderboard", "AgonStore", "AgonTournament"],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "agon",
            dependencies: ["AgonTournament", "AgonReport", "AgonLeaderboard", "AgonExecutors", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: settings
        ),
        // Helpers shared by the test targets and the benchmarks (scratch repositories, record fixtures, synthetic stores).
        .target(
            name: "AgonTestSupport",
            dependencies: ["AgonCore", "AgonGit", "AgonLeaderboard", "AgonStore", "AgonTournament"],
            path: "Tests/AgonTestSupport",
            swiftSettings: settings
        ),
        // One binary that impersonates every agent CLI (claude, codex, gemini, …) by argv[0]/--harness.
        .executableTarget(name: "agent-double", path: "Tests/AgentDouble", exclude: ["README.md"], swiftSettings: settings),
        // A second OS process writing one store, for the store's concurrency tests (both backends).
        .executableTarget(name: "store-writer", dependencies: ["AgonStore", "AgonTestSupport"], path: "Tests/StoreWriter", swiftSettings: settings),
        // Benchmarks, run by hand (bench/README.md); each measures one module.
        .executableTarget(name: "bench-worktrees", dependencies: ["AgonGit"], path: "bench/Sources/bench-worktrees", swiftSettings: settings),
        .executableTarget(name: "bench-agents", dependencies: ["AgonAgents"], path: "bench/Sources/bench-agents", swiftSettings: settings),
        .executableTarget(name: "bench-consensus", dependencies: ["AgonConsensus"], path: "bench/Sources/bench-consensus", swiftSettings: settings),
        .executableTarget(name: "bench-store", dependencies: ["AgonTournament", "AgonReport", "AgonTestSupport"], path: "bench/Sources/bench-store", swiftSettings: settings),
        .executableTarget(name: "bench-review", dependencies: ["AgonReview"], path: "bench/Sources/bench-review", swiftSettings: settings),

        .testTarget(name: "AgonGitTests", dependencies: ["AgonGit", "AgonTestSupport"], swiftSettings: settings),
        .testTarget(name: "AgonCoreTests", dependencies: ["AgonCore"], swiftSettings: settings),
        .testTarget(name: "AgonAgentsTests", dependencies: ["AgonAgents", "agent-double"], swiftSettings: settings),
        .testTarget(name: "AgonReviewTests", dependencies: ["AgonReview", "AgonTestSupport"], swiftSettings: settings),
        .testTarget(name: "AgonConsensusTests", dependencies: ["AgonConsensus"], swiftSettings: settings),
        .testTarget(name: "AgonLeaderboardTests", dependencies: ["AgonLeaderboard", "AgonStore", "AgonTestSupport", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: settings),
        .testTarget(name: "AgonStoreTests", dependencies: ["AgonStore", "AgonTestSupport", "store-writer"], swiftSettings: settings),
        // Golden files are read from the source tree (AGON_UPDATE_GOLDEN=1 rewrites them there), not bundled.
        .testTarget(name: "AgonReportTests", dependencies: ["AgonReport", "AgonTestSupport"], exclude: ["Golden"], swiftSettings: settings),
        .testTarget(name: "AgonExecutorsTests", dependencies: ["AgonExecutors", "AgonTestSupport"], exclude: ["Golden", "Fixtures"], swiftSettings: settings),
        .testTarget(name: "AgonTournamentTests", dependencies: ["AgonTournament", "AgonReport", "AgonLeaderboard", "AgonTestSupport", "AgonExecutors", "agon", "agent-double"], swiftSettings: settings),
    ]
)
