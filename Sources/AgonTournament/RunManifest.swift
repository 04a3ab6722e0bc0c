import AgonCore
import AgonAgents
import Foundation

/// Written before any agent starts: what exactly this run is (spec, base, lineup, CLI versions,
/// prices and prompt), so a result can always be traced back to its inputs.
struct RunManifest: Codable {
    struct Lineup: Codable {
        var agent: PlannedAgent
        var cliVersion: String?
        enum CodingKeys: String, CodingKey { case agent, cliVersion = "cli_version" }
    }
    struct PriceTableInfo: Codable {
        var source: String
        var date: String
        var models: Int
        var rejected: [RejectedPrice]
    }

    var schemaVersion = AgonJSON.schemaVersion
    var runID: String
    var agonVersion = AgonVersion.current
    var createdAt: Date
    var spec: String
    var title: String
    var specHash: String
    var baseRef: String
    var baseSHA: String
    var dirtyAtStart: Bool
    var parallel: Int
    var agents: [Lineup]
    var verifiers: [Lineup]
    var priceTable: PriceTableInfo
    var promptSHA256: String
    var warnings: [String]
    /// How agents, checks and verifiers were contained by default (`bwrap` or `none`, after fallback).
    var sandbox: String = SandboxLayout.effective(.bwrap).rawValue

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", runID = "run_id", agonVersion = "agon_version", createdAt = "created_at"
        case spec, title, specHash = "spec_hash", baseRef = "base_ref", baseSHA = "base_sha"
        case dirtyAtStart = "dirty_at_start", parallel, agents, verifiers, priceTable = "price_table"
        case promptSHA256 = "prompt_sha256", warnings, sandbox
    }

    static func make(runID: String, plan: RunPlan, workspace: Workspace, prompt: String, parallel: Int) -> RunManifest {
        var versions: [String: String] = [:]
        for agent in plan.agents + plan.verifiers {
            guard let path = agent.binaryPath, agent.harness != .command, versions[path] == nil else { continue }
            versions[path] = CLIVersion.probe(path) ?? "unknown"
        }
        func lineup(_ agents: [PlannedAgent]) -> [Lineup] {
            agents.map { Lineup(agent: $0, cliVersion: $0.binaryPath.flatMap { versions[$0] }) }
        }
        var manifest = RunManifest(runID: runID, createdAt: Date(), spec: plan.spec, title: plan.title, specHash: plan.specHash,
                           baseRef: plan.baseRef, baseSHA: plan.baseSHA, dirtyAtStart: plan.dirty, parallel: parallel,
                           agents: lineup(plan.agents), verifiers: lineup(plan.verifiers),
                           priceTable: PriceTableInfo(source: workspace.prices.source, date: workspace.prices.date,
                                                      models: workspace.prices.count, rejected: workspace.rejectedPrices),
                           promptSHA256: SHA256Digest.hex(Data(prompt.utf8)), warnings: plan.warnings)
        manifest.sandbox = SandboxLayout.effective(workspace.config.defaults.sandbox).rawValue
        return manifest
    }
}

/// `<cli> --version`, first line, with a short timeout (a CLI that hangs must not stall the run).
enum CLIVersion {
    static func probe(_ path: String) -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agon-version-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out").path
        let spec = SpawnSpec(executable: path, arguments: ["--version"], workingDirectory: directory.path,
                             environment: ChildEnvironment.build(parent: ProcessInfo.processInfo.environment,
                                                                 passThrough: [], explicit: [:], agon: [:]),
                             transcriptPath: out, stderrPath: directory.appendingPathComponent("err").path)
        let supervisor = ProcessGroupSupervisor(spec: spec, limits: SupervisionLimits(hardTimeout: 5, killGrace: 1))
        var first: String?
        guard let run = try? supervisor.run(onLine: { line in if first == nil { first = String(line) } }),
              run.exitStatus == .exited(0) else { return nil }
        return first?.trimmingCharacters(in: .whitespaces).prefix(200).description
    }
}
