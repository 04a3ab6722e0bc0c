import AgonAgents
import AgonCore
import AgonGit
import Foundation

/// The bubblewrap views of Agon's processes (see `Sandbox` for what every sandbox has):
///
/// - **hidden everywhere**: the repository (its checkout, `.agon/` with the holdout scripts and
///   records, worktrees under it), the worktree root, the shared git dir except what is
///   re-exposed below, and Agon's scratch directories (under the private `/tmp`);
/// - **agents and checks** see their own worktree read-write, the git dir read-only except their
///   own worktree admin dir; objects they write go to a private object store (the shared one is
///   its read-only alternate, merged back after an agent ends), and `refs/heads/agon/` is a
///   private copy holding only their own branch, so no rival's branch or reflog is visible;
/// - **agents and verifiers** get a private `HOME` with the CLIs' login files bound read-only;
///   checks get an empty one;
/// - the holdout directory is mounted read-only for holdout checks only.
struct SandboxLayout {
    let workspace: Workspace
    let bwrap: String
    let commonDir: String

    /// Where the shared object store appears inside a sandbox (the private store's alternate).
    static let sharedObjectsMount = "/tmp/.agon-shared-objects"

    /// Login files of the supported CLIs, relative to HOME: bound read-only into private homes.
    static let loginFiles = [".claude/.credentials.json", ".codex/auth.json", ".codex/config.toml",
                             ".gemini/oauth_creds.json", ".gemini/google_accounts.json", ".gemini/settings.json",
                             ".local/share/opencode/auth.json", ".config/opencode/opencode.json",
                             ".aider.conf.yml", ".aider.model.settings.yml", ".gitconfig", ".config/git/config"]
    /// Files the CLIs also write: copied into the private home instead (a write must not fail, nor reach the user's).
    static let copiedFiles = [".claude.json"]

    /// The layout for `mode`; nil when it is `none`. Throws when bwrap is wanted but cannot run here.
    static func make(workspace: Workspace, mode: SandboxMode) throws -> SandboxLayout? {
        guard mode == .bwrap else { return nil }
        guard let bwrap = Sandbox.availableBwrap() else { return nil }
        return SandboxLayout(workspace: workspace, bwrap: bwrap, commonDir: try workspace.repository().commonDir)
    }

    /// Whether `mode` actually sandboxes on this machine (bwrap missing → no), for headers and records.
    static func effective(_ mode: SandboxMode) -> SandboxMode {
        mode == .bwrap && Sandbox.availableBwrap() != nil ? .bwrap : .none
    }

    /// What `validate`, the run header and the manifest say when something runs unsandboxed.
    static func warnings(config: Config, ids: [String]) -> [String] {
        let modes = ids.map { id in (id, (config.agent(id) ?? config.verifier(id))?.sandbox ?? config.defaults.sandbox) }
        var out: [String] = []
        if modes.contains(where: { $0.1 == .bwrap }) && Sandbox.availableBwrap() == nil {
            out.append("sandbox: bubblewrap (bwrap) is missing or cannot create namespaces here, so agents, checks and "
                + "verifiers run UNSANDBOXED (install the Debian package bubblewrap)")
        }
        let off = modes.filter { $0.1 == .none }.map(\.0)
        if !off.isEmpty {
            out.append("sandbox: none for \(off.joined(separator: ", ")): they run unsandboxed; changes to the shared git "
                + "dir are detected (outcome tampered), reads of other worktrees and .agon/ are not")
        }
        return out
    }

    private var hidden: [Sandbox.Mount] {
        var out: [Sandbox.Mount] = [.hide(workspace.root)]
        let root = workspace.worktreeRoot
        if !Self.isInside(root, workspace.root) { out.append(.hide(root)) }
        if !Self.isInside(commonDir, workspace.root) { out.append(.hide(commonDir)) }
        return out
    }

    static func isInside(_ path: String, _ directory: String) -> Bool {
        path == directory || path.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
    }

    /// A candidate's worktree with its own git state: `worktreeName` is its admin dir under
    /// `worktrees/`, `branch` its `agon/…` branch, `privateDir` a fresh directory of Agon's for
    /// the private refs and objects.
    func worktreeMounts(worktree: String, worktreeName: String, branch: String, privateDir: String) throws -> [Sandbox.Mount] {
        let fm = FileManager.default
        let admin = commonDir + "/worktrees/" + worktreeName
        let objects = privateDir + "/objects", refs = privateDir + "/refs"
        try? fm.removeItem(atPath: objects)
        try? fm.removeItem(atPath: refs)
        try fm.createDirectory(atPath: objects + "/info", withIntermediateDirectories: true)
        try Data((Self.sharedObjectsMount + "\n").utf8).write(to: URL(fileURLWithPath: objects + "/info/alternates"))
        // Its branch as the only ref under refs/heads/agon/ (commits it makes stay in the copy).
        let head = try workspace.repository().resolveCommit("refs/heads/" + branch)
        let refFile = refs + "/" + branch.dropFirst("agon/".count)
        try fm.createDirectory(atPath: (refFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data((head.hex + "\n").utf8).write(to: URL(fileURLWithPath: refFile))
        // Mount points must exist in the read-only git dir.
        for dir in [commonDir + "/refs/heads/agon", commonDir + "/logs/refs/heads/agon"] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        var mounts: [Sandbox.Mount] = [.readOnly(commonDir), .hide(commonDir + "/worktrees"), .writable(admin)]
        // Where the worktree's git files point must stay Agon's.
        for file in ["gitdir", "commondir"] where fm.fileExists(atPath: admin + "/" + file) {
            mounts.append(.readOnly(admin + "/" + file))
        }
        mounts += [.bind(source: objects, target: commonDir + "/objects"),
                   .bindReadOnly(source: commonDir + "/objects", target: Self.sharedObjectsMount),
                   .bind(source: refs, target: commonDir + "/refs/heads/agon"),
                   .hide(commonDir + "/logs/refs/heads/agon")]
        let packed = commonDir + "/packed-refs"
        if let text = try? String(contentsOfFile: packed, encoding: .utf8) {
            // Earlier runs' branches packed by `git gc` would show their snapshots: drop them.
            let kept = text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains(" refs/heads/agon/") }.joined(separator: "\n")
            try Data(kept.utf8).write(to: URL(fileURLWithPath: privateDir + "/packed-refs"))
            mounts.append(.bindReadOnly(source: privateDir + "/packed-refs", target: packed))
        }
        mounts.append(.writable(worktree))
        return hidden + mounts
    }

    /// Moves objects the sandbox wrote into the shared store (never replacing one that exists),
    /// so Agon's snapshot finds the blobs the agent's own `git add` put in its index.
    static func mergeObjects(from privateDir: String, into commonDir: String) {
        let fm = FileManager.default
        let source = privateDir + "/objects"
        guard let walker = fm.enumerator(atPath: source) else { return }
        while let relative = walker.nextObject() as? String {
            guard !relative.hasPrefix("info"), !relative.contains(".."),
                  (try? fm.attributesOfItem(atPath: source + "/" + relative)[.type] as? FileAttributeType) == .typeRegular
            else { continue }
            let target = commonDir + "/objects/" + relative
            guard !fm.fileExists(atPath: target) else { continue }
            try? fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? fm.moveItem(atPath: source + "/" + relative, toPath: target)
        }
    }

    /// A private HOME at the user's HOME path: `homeDir` (Agon's, per candidate or verifier) with
    /// the CLIs' login files bound read-only over it, so logins work and no candidate sees
    /// another's sessions. Nothing when HOME is unset or `/`.
    func privateHome(_ homeDir: String, loginFiles: Bool) throws -> [Sandbox.Mount] {
        guard let home = workspace.environment["HOME"], home.hasPrefix("/"), home != "/" else { return [] }
        let fm = FileManager.default
        try fm.createDirectory(atPath: homeDir, withIntermediateDirectories: true)
        var mounts: [Sandbox.Mount] = [.bind(source: homeDir, target: home)]
        mounts += Self.toolDirectories(home: home, path: workspace.environment["PATH"] ?? "").map { .readOnly($0) }
        guard loginFiles else { return mounts }
        for name in Self.copiedFiles where fm.fileExists(atPath: home + "/" + name) && !fm.fileExists(atPath: homeDir + "/" + name) {
            try? fm.copyItem(atPath: home + "/" + name, toPath: homeDir + "/" + name)
        }
        for name in Self.loginFiles {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: home + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            // bwrap creates the mount point inside homeDir (a real directory), so it needs its parent.
            try fm.createDirectory(atPath: ((homeDir + "/" + name) as NSString).deletingLastPathComponent,
                                   withIntermediateDirectories: true)
            mounts.append(.bindReadOnly(source: home + "/" + name, target: home + "/" + name))
        }
        // Without a git identity of the user's, the shared config is read-only and a CLI that
        // sets one there (aider does) fails: the private HOME carries a neutral one instead.
        if !fm.fileExists(atPath: home + "/.gitconfig") && !fm.fileExists(atPath: home + "/.config/git/config") {
            try Data("[user]\n\tname = Agon candidate\n\temail = candidate@agon.invalid\n".utf8)
                .write(to: URL(fileURLWithPath: homeDir + "/.gitconfig"))
        }
        return mounts
    }

    /// CLIs installed under HOME stay visible, read-only: for each PATH entry under HOME, the
    /// tool's own top directory (`~/.nvm`, `~/.pyenv`, `~/.cargo`: shims and version managers
    /// need all of it). `~/.local` is shared by many tools that also write there, so only its
    /// `bin`, `lib` and `share/claude` (Claude Code's native installs) are shown.
    static func toolDirectories(home: String, path: String) -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for entry in path.split(separator: ":").map(String.init) where isInside(entry, home) && entry != home {
            let first = entry.dropFirst(home.count + 1).split(separator: "/").first.map(String.init) ?? ""
            var candidates = [home + "/" + first]
            if first == ".local" { candidates = [entry] + ["bin", "lib", "share/claude"].map { home + "/.local/" + $0 } }
            if first.isEmpty || !first.hasPrefix(".") { candidates = [entry] }   // ~/bin, ~/tools/bin: just the entry
            for dir in candidates where fm.fileExists(atPath: dir) && !out.contains(dir) { out.append(dir) }
        }
        return out
    }

    /// An agent in its worktree: network per its entry, its artifact files, a private HOME.
    func agent(worktree: String, worktreeName: String, branch: String, artifactsDir: String, network: Bool) throws -> Sandbox {
        let paths = HarnessCommand.Paths(artifactsDir: artifactsDir)
        // HOME first: a repository inside HOME is then hidden and re-exposed by what follows.
        var mounts = try privateHome(artifactsDir + "/home", loginFiles: true)
        mounts += try worktreeMounts(worktree: worktree, worktreeName: worktreeName, branch: branch,
                                        privateDir: artifactsDir + "/sandbox")
        // The artifact files it uses, one by one: the directory itself stays Agon's (a symlink
        // planted there would redirect Agon's own writes).
        mounts.append(.readOnly(paths.promptFile))
        for path in [paths.usageFile, paths.analyticsLog, paths.codexHome, paths.codexHome + "-tmp"] { mounts.append(.writable(path)) }
        // aider's chat and input history (kept with the candidate's artifacts) and its model metadata.
        for path in RealCLIFlags.aiderHistoryFiles(artifactsDir: artifactsDir) { mounts.append(.writable(path)) }
        mounts.append(.readOnly(RealCLIFlags.aiderModelMetadataPath(artifactsDir: artifactsDir)))
        return Sandbox(bwrap: bwrap, mounts: mounts, network: network)
    }

    /// An acceptance or holdout check in `worktree`; the holdout directory only when `holdout`.
    func check(worktree: String, worktreeName: String, branch: String, privateDir: String, holdout: Bool) throws -> Sandbox {
        var mounts = try privateHome(privateDir + "/home", loginFiles: false)
        mounts += try worktreeMounts(worktree: worktree, worktreeName: worktreeName, branch: branch, privateDir: privateDir)
        let holdoutDir = workspace.layout.holdoutDirectory.path
        if holdout && FileManager.default.fileExists(atPath: holdoutDir) { mounts.append(.readOnly(holdoutDir)) }
        return Sandbox(bwrap: bwrap, mounts: mounts, network: workspace.config.defaults.checkNetwork)
    }

    /// A verifier CLI in its scratch directory (read-write; the base tree in it is read-only by mode).
    func verifier(scratch: String, homeDir: String, network: Bool) throws -> Sandbox {
        var mounts = try privateHome(homeDir, loginFiles: true)
        mounts += hidden
        mounts.append(.writable(scratch))
        return Sandbox(bwrap: bwrap, mounts: mounts, network: network)
    }
}
