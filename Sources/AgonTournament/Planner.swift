import AgonAgents
import AgonCore
import AgonGit
import Foundation

/// One agent or verifier as it will run: entry, resolved binary, price and budget.
public struct PlannedAgent: Codable, Equatable {
    public var id: String
    public var harness: Harness
    public var model: String?
    /// The CLI as configured (`binary`, the harness's usual name, or the command's program).
    public var binary: String?
    /// Where that CLI was found; nil for `openai` verifiers (no CLI) or when missing.
    public var binaryPath: String?
    public var price: ModelPrice?
    public var budget: ResolvedBudget
    public var family: String?

    enum CodingKeys: String, CodingKey {
        case id, harness, model, binary, binaryPath = "binary_path", price, budget, family
    }
}

/// What `agon run` will do for one spec, resolved before anything is created.
public struct RunPlan: Codable, Equatable {
    public var spec: String
    public var title: String
    public var specHash: String
    public var baseRef: String
    public var baseSHA: String
    /// The main work tree has uncommitted changes; they are not part of the run (the base is a commit).
    public var dirty: Bool
    public var agents: [PlannedAgent]
    public var verifiers: [PlannedAgent]
    public var warnings: [String]
    /// The cascade's tiers (agent ids) when the run is a cascade; nil runs every agent at once.
    public var cascade: CascadeStrategy?

    enum CodingKeys: String, CodingKey {
        case spec, title, specHash = "spec_hash", baseRef = "base_ref", baseSHA = "base_sha", dirty
        case agents, verifiers, warnings
        case cascade
    }
}

/// Resolves specs and agon.yml into run plans, and reports every preflight problem before any
/// worktree exists: unreadable spec, unknown agent, missing CLI, missing base ref.
public struct Planner {
    public let workspace: Workspace
    /// The base commit when it is already decided (a worker replanning a run's candidate): no ref
    /// is resolved, so a worker's copy of a remote needs neither HEAD nor the spec's `base:` ref.
    public var fixedBase: ObjectID?

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Parses and resolves one spec. `agentFilter` overrides the spec's and config's lineup.
    public func plan(specPath: String, agentFilter: [String]? = nil, verifierFilter: [String]? = nil,
                     requireBinaries: Bool = true) throws -> (Spec, RunPlan) {
        let spec = try loadSpec(specPath)
        let config = workspace.config
        try WorktreeRootCheck.validate(workspace)
        guard !config.agents.isEmpty else {
            throw workspace.configPath.map { LineupError.noAgentsConfigured(config: workspace.relative($0)) }
                ?? LineupError.noConfig(root: workspace.root)
        }
        let cascade = try Self.cascade(spec: spec, config: config, specPath: specPath, agentFilter: agentFilter)
        let agentIDs = agentFilter ?? spec.agents ?? cascade?.agents ?? config.agents.map(\.id)
        guard !agentIDs.isEmpty else { throw LineupError.noAgentsSelected(spec: specPath) }
        if let duplicate = Self.firstDuplicate(agentIDs) { throw LineupError.namedTwice(role: .agent, id: duplicate) }
        let agents = try agentIDs.map { id -> PlannedAgent in
            guard let entry = config.agent(id) else {
                throw LineupError.unknown(role: .agent, id: id, configured: config.agents.map(\.id),
                                          listedIn: agentFilter != nil ? nil : spec.agents != nil ? "\(specPath): agents"
                                            : cascade != nil ? (spec.strategy != nil ? "\(specPath): strategy" : "agon.yml: strategy") : nil)
            }
            return try resolve(entry, spec: spec, requireBinary: requireBinaries)
        }
        let verifierIDs = verifierFilter ?? spec.verifiers ?? config.defaultVerifierIDs
        let verifiers = try verifierIDs.map { id -> PlannedAgent in
            guard let entry = config.verifier(id) else {
                throw LineupError.unknown(role: .verifier, id: id, configured: config.verifiers.map(\.id), listedIn: nil)
            }
            return try resolve(entry, spec: nil, requireBinary: requireBinaries)
        }

        let repository = try workspace.repository()
        if fixedBase == nil && repository.isEmpty { throw WorkspaceError.noCommits(root: workspace.root) }
        let baseRef = spec.base ?? "HEAD"
        let base: ObjectID
        do {
            base = try fixedBase ?? repository.resolveCommit(baseRef)
        } catch {
            throw WorkspaceError.unknownBase(spec: specPath, ref: baseRef, root: workspace.root)
        }
        let dirty = fixedBase == nil && ((try? repository.dirtyPaths(includeUntracked: false).isEmpty == false) ?? false)

        var warnings: [String] = []
        for agent in agents + verifiers where agent.harness != .openai || agent.model != nil {
            if agent.price == nil {
                warnings.append("\(agent.id): model \(agent.model.map { "\"\($0)\"" } ?? "(none)") has no price: its cost is "
                    + "unknown (reported as unpriced, never $0) and its budget cannot be enforced from token counts")
            }
        }
        warnings += SandboxLayout.warnings(config: workspace.config, ids: (agents + verifiers).map(\.id))
        if dirty { warnings.append("the work tree has uncommitted changes; they are not part of the run (the base is commit \(base.abbreviated()))") }
        if spec.acceptance.isEmpty { warnings.append("\(specPath): no acceptance commands; candidates pass on their diff alone") }
        // Holdout text visible to agents is no holdout, and the leak scan blocks every review over it.
        for command in spec.holdout where spec.acceptance.contains(command) || spec.body.contains(command) {
            warnings.append("\(specPath): holdout command `\(command)` also appears in the acceptance commands or the spec body: "
                + "agents can see it, and reviews will be blocked as leaking it")
        }
        let plan = RunPlan(spec: workspace.relative(Workspace.absolute(specPath, relativeTo: FileManager.default.currentDirectoryPath)),
                           title: spec.title, specHash: spec.contentHash, baseRef: baseRef, baseSHA: base.hex,
                           dirty: dirty, agents: agents, verifiers: verifiers, warnings: warnings)
        var planned = plan
        if let cascade { planned.cascade = try Self.checkCascade(cascade, lineup: agents.map(\.id),
                                                                 source: spec.strategy != nil ? "\(specPath): strategy" : "agon.yml: strategy") }
        return (spec, planned)
    }

    /// `agon validate`: every spec's plan and every problem found (exit 2 when there are any).
    public func validate(specPaths: [String], agentFilter: [String]?) -> CommandResult<[RunPlan]> {
        var plans: [RunPlan] = []
        var problems: [String] = []
        for path in specPaths {
            do {
                // Missing CLIs are shown in the plan (as NOT FOUND) and reported after it.
                let plan = try plan(specPath: path, agentFilter: agentFilter, requireBinaries: false).1
                plans.append(plan)
                for agent in plan.agents + plan.verifiers where agent.harness != .openai && agent.binaryPath == nil {
                    problems.append("\(agent.id): CLI \"\(agent.binary ?? agent.harness.rawValue)\" not found (set `binary:` in agon.yml)")
                }
            } catch {
                problems.append(String(describing: error))
            }
        }
        var unique: [String] = []
        for problem in problems where !unique.contains(problem) { unique.append(problem) }
        return CommandResult(plans, exitCode: unique.isEmpty ? 0 : 2, errors: unique)
    }

    func loadSpec(_ path: String) throws -> Spec {
        let absolute = Workspace.absolute(path, relativeTo: FileManager.default.currentDirectoryPath)
        guard FileManager.default.isReadableFile(atPath: absolute) else {
            throw WorkspaceError.unreadableSpec(path: path)
        }
        return try Spec.load(path: absolute, displayName: path)
    }

    public func resolve(_ entry: AgentEntry, spec: Spec?, requireBinary: Bool) throws -> PlannedAgent {
        if entry.role == .verifier, let flag = ReadOnlyFlags.bypass(in: entry.args, harness: entry.harness) {
            throw LineupError.liftsReadOnly(verifier: entry.id, flag: flag, harness: entry.harness)
        }
        let price = workspace.prices.price(for: entry)
        let budget = BudgetResolver.resolve(spec: spec?.budget, agent: entry.budget,
                                            defaults: workspace.config.defaults.budget, price: price)
        var binaryPath: String?
        if entry.harness != .openai, let executable = entry.executable {
            binaryPath = Self.locate(executable, root: workspace.root, path: workspace.environment["PATH"])
            if binaryPath == nil && requireBinary {
                throw LineupError.cliNotFound(role: entry.role, id: entry.id, executable: executable)
            }
        }
        return PlannedAgent(id: entry.id, harness: entry.harness, model: entry.model, binary: entry.executable,
                            binaryPath: binaryPath, price: price, budget: budget, family: entry.resolvedFamily)
    }

    /// Finds an executable like a shell would; relative paths with a `/` are taken from the repository root.
    static func locate(_ executable: String, root: String, path: String?) -> String? {
        if executable.contains("/") {
            let candidate = Workspace.absolute(executable, relativeTo: root)
            return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
        }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The spec's cascade, else agon.yml's; with `--agents`, agon.yml's cascade does not apply
    /// (the flag picks who runs), a spec's still must fit the lineup.
    static func cascade(spec: Spec, config: Config, specPath: String, agentFilter: [String]?) throws -> CascadeStrategy? {
        if let strategy = spec.strategy { return strategy }
        return agentFilter == nil && spec.agents == nil ? config.strategy : nil
    }

    /// Every tier's agent is in the lineup and every lineup agent is in a tier.
    static func checkCascade(_ cascade: CascadeStrategy, lineup: [String], source: String) throws -> CascadeStrategy {
        for agent in cascade.agents where !lineup.contains(agent) {
            throw CascadeError.notInLineup(source: source, agent: agent, lineup: lineup)
        }
        for agent in lineup where cascade.tier(of: agent) == nil {
            throw CascadeError.missingFromTiers(source: source, agent: agent)
        }
        return cascade
    }

    static func firstDuplicate(_ ids: [String]) -> String? {
        var seen = Set<String>()
        return ids.first { !seen.insert($0).inserted }
    }
}

/// `agon validate --json`'s body.
public struct PlanList: Codable {
    public var plans: [RunPlan]
    public init(plans: [RunPlan]) { self.plans = plans }
}
