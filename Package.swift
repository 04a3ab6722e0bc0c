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
        .target(name: "AgonCore", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: settings),
        .target(name: "AgonAgents", dependencies: ["AgonCore"], swiftSettings: settings),
        .target(name: "AgonReview", dependencies: ["AgonCore"], swiftSettings: settings),
        .target(name: "AgonConsensus", swiftSettings: settings),
        .target(name: "AgonStore", dependencies: ["AgonCore", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: settings),
        .target(name: "AgonReport", dependencies: ["AgonCore", "AgonConsensus"], swiftSettings: settings),
        .target(
            name: "AgonTournament",
            dependencies: ["AgonGit", "AgonCore", "AgonAgents", "AgonReview", "AgonConsensus", "AgonStore", "AgonReport"],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "agon",
            dependencies: ["AgonTournament", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: settings
        ),
        // One binary that impersonates every agent CLI (claude, codex, gemini, …) by argv[0]/--harness.
        .executableTarget(name: "agent-double", path: "Tests/AgentDouble", exclude: ["README.md"], swiftSettings: settings),
        // Benchmarks, run by hand (bench/README.md); each measures one module.
        .executableTarget(name: "bench-worktrees", dependencies: ["AgonGit"], path: "bench/Sources/bench-worktrees", swiftSettings: settings),
        .executableTarget(name: "bench-agents", dependencies: ["AgonAgents"], path: "bench/Sources/bench-agents", swiftSettings: settings),
        .executableTarget(name: "bench-consensus", dependencies: ["AgonConsensus"], path: "bench/Sources/bench-consensus", swiftSettings: settings),
        .executableTarget(name: "bench-store", dependencies: ["AgonTournament"], path: "bench/Sources/bench-store", swiftSettings: settings),
        .executableTarget(name: "bench-review", dependencies: ["AgonReview"], path: "bench/Sources/bench-review", swiftSettings: settings),

        .testTarget(name: "AgonGitTests", dependencies: ["AgonGit"], swiftSettings: settings),
        .testTarget(name: "AgonCoreTests", dependencies: ["AgonCore"], swiftSettings: settings),
        .testTarget(name: "AgonAgentsTests", dependencies: ["AgonAgents", "agent-double"], swiftSettings: settings),
        .testTarget(name: "AgonReviewTests", dependencies: ["AgonReview"], swiftSettings: settings),
        .testTarget(name: "AgonConsensusTests", dependencies: ["AgonConsensus"], swiftSettings: settings),
        .testTarget(name: "AgonStoreTests", dependencies: ["AgonStore"], swiftSettings: settings),
        .testTarget(name: "AgonReportTests", dependencies: ["AgonReport"], swiftSettings: settings),
        .testTarget(name: "AgonTournamentTests", dependencies: ["AgonTournament", "agon", "agent-double"], swiftSettings: settings),
    ]
)
