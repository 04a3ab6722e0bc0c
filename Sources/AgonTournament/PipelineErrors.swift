import AgonCore
import AgonStore
import Foundation

// The pipeline's typed failures, by kind: finding a run, its lease, its worktrees, its patches,
// the lineup taken from agon.yml, the workspace itself, an openai verifier's settings.
// Each case names what failed; `HintedFailure` renders it. Failures not listed here are still
// `UsageError`/`WorkError` (docs/ARCHITECTURE.md, "Open work").

/// A run named by the user cannot be used as asked (exit 2).
public enum RunLookupError: HintedFailure, Equatable {
    /// The repository has no run index yet.
    case noRunsYet(root: String)
    /// The store could not resolve the reference (unknown, ambiguous, or no runs).
    case unresolved(StoreError)
    /// Nothing is recorded (nor left on disk, for `clean`) under the reference.
    case notFound(reference: String)
    /// `--resume` of a run that is done.
    case alreadyFinished(runID: String)
    /// `review` of a run whose candidates have not all finished.
    case unfinishedCandidates(runID: String, agents: [String])
    /// The run's directory lost the copy of the spec it was run with.
    case noSpecCopy(runID: String, path: String)
    /// `apply` of an agent the run did not have.
    case noCandidate(runID: String, agent: String, candidates: [String])

    public var exitCode: Int32 { 2 }

    public var headline: String {
        switch self {
        case .noRunsYet(let root): return "no runs recorded in \(root) yet"
        case .unresolved(let error): return "\(error)"
        case .notFound(let reference): return "no run \(reference)"
        case .alreadyFinished(let runID): return "run \(runID) already finished"
        case .unfinishedCandidates(let runID, let agents): return "run \(runID) has unfinished candidates (\(agents.joined(separator: ", ")))"
        case .noSpecCopy(let runID, let path): return "run \(runID) has no spec copy at \(path)"
        case .noCandidate(let runID, let agent, let candidates):
            return "run \(runID) has no candidate \"\(agent)\" (it has: \(candidates.joined(separator: ", ")))"
        }
    }

    public var hint: String? {
        switch self {
        case .noRunsYet: return "`agon run SPEC` starts one"
        case .alreadyFinished: return "nothing to resume"
        case .unfinishedCandidates(let runID, _): return "`agon run --resume \(runID)` finishes it first"
        case .unresolved, .notFound, .noSpecCopy, .noCandidate: return nil
        }
    }
}

/// A run's lease (`RunLease`) is held by another live `agon`, or cannot be taken.
public enum RunLeaseError: HintedFailure, Equatable {
    /// Another process is executing the run (exit 2).
    case held(runID: String)
    /// The lease file cannot be opened (exit 1).
    case unopenable(runID: String, reason: String)

    public var exitCode: Int32 {
        switch self {
        case .held: return 2
        case .unopenable: return 1
        }
    }

    public var headline: String {
        switch self {
        case .held(let runID): return "run \(runID) is still being run by another agon process"
        case .unopenable(let runID, let reason): return "cannot open the lease of run \(runID): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .held: return "wait for it or stop it first"
        case .unopenable: return nil
        }
    }
}

/// A run's worktrees could not be set up (exit 1); every one already made is discarded.
public enum WorktreeSetupError: HintedFailure, Equatable {
    /// One `<agent>: <why>` per worktree that failed.
    case notCreated(problems: [String])

    public var exitCode: Int32 { 1 }
    public var headline: String {
        switch self {
        case .notCreated(let problems): return "could not create worktrees: " + problems.joined(separator: "; ")
        }
    }
    public var hint: String? { nil }
}

/// A candidate's stored patch cannot be trusted or read (exit 1): see `SealedPatch`.
public enum SealedPatchError: HintedFailure, Equatable {
    case missing(agent: String, runID: String)
    case unreadable(agent: String, path: String)
    /// The file's SHA-256 is not the one recorded when Agon wrote it.
    case changedAfterRecording(path: String, actualSHA256: String, recordedSHA256: String)
    /// The file is not the diff of the candidate's snapshot commit.
    case differsFromSnapshot(path: String, snapshotSHA: String)

    public var exitCode: Int32 { 1 }

    public var headline: String {
        switch self {
        case .missing(let agent, let runID): return "candidate \(agent) of run \(runID) has no stored patch"
        case .unreadable(let agent, let path): return "cannot read \(agent)'s patch \(path)"
        case .changedAfterRecording(let path, let actual, let recorded):
            return "\(path) was changed after it was recorded (sha256 \(actual.prefix(12)), recorded \(recorded.prefix(12))): refusing to use it"
        case .differsFromSnapshot(let path, let snapshot):
            return "\(path) differs from the diff of its snapshot commit \(snapshot.prefix(10)): refusing to use it"
        }
    }

    public var hint: String? {
        switch self {
        case .missing, .unreadable: return nil
        case .changedAfterRecording, .differsFromSnapshot:
            return "`agon run --resume` cannot repair a sealed record: rerun the spec, or inspect the file by hand"
        }
    }
}

/// `agon apply` refused or failed to put a patch in the work tree: exit 2 when the user's tree or
/// choice is in the way, 1 when git failed.
public enum ApplyError: HintedFailure, Equatable {
    case nothingToApply(agent: String, runID: String)
    case uncommittedChanges(paths: [String])
    case headMoved(head: String, base: String)
    case untrackedInTheWay(paths: [String])
    case doesNotApply(agent: String, reason: String)
    /// `git apply --3way` failed; its output.
    case threeWayFailed(output: String)
    case addFailed(output: String)
    case commitFailed(output: String)

    public var exitCode: Int32 {
        switch self {
        case .nothingToApply, .uncommittedChanges, .headMoved, .untrackedInTheWay: return 2
        case .doesNotApply, .threeWayFailed, .addFailed, .commitFailed: return 1
        }
    }

    public var headline: String {
        switch self {
        case .nothingToApply(let agent, let runID): return "candidate \(agent) of run \(runID) left no changes to apply"
        case .uncommittedChanges(let paths): return "the work tree has uncommitted changes (\(Self.some(paths)))"
        case .headMoved(let head, let base): return "HEAD (\(head.prefix(7))) has moved from the run's base (\(base.prefix(7)))"
        case .untrackedInTheWay(let paths): return "untracked files are in the way of the patch (\(Self.some(paths)))"
        case .doesNotApply(let agent, let reason): return "the patch of \(agent) does not apply cleanly: \(reason)"
        case .threeWayFailed(let output): return output
        case .addFailed(let output): return "git add failed: \(output)"
        case .commitFailed(let output): return "the patch is applied but git commit failed: \(output)"
        }
    }

    public var hint: String? {
        switch self {
        case .uncommittedChanges: return "commit or stash them first"
        case .headMoved: return "pass --onto-current to try a 3-way apply"
        case .untrackedInTheWay: return "move them away first"
        case .nothingToApply, .doesNotApply, .threeWayFailed, .addFailed, .commitFailed: return nil
        }
    }

    /// The first three paths, then "…" when there are more.
    private static func some(_ paths: [String]) -> String {
        paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? ", …" : "")
    }
}

/// The agents or verifiers asked for cannot be taken from agon.yml (exit 2).
public enum LineupError: HintedFailure, Equatable {
    /// No agon.yml was found or named.
    case noConfig(root: String)
    case noAgentsConfigured(config: String)
    case noAgentsSelected(spec: String)
    case noVerifiers(config: String)
    case namedTwice(role: AgentEntry.Role, id: String)
    /// `listedIn` says where the id came from when it was not a flag (`specs/a.md: agents`).
    case unknown(role: AgentEntry.Role, id: String, configured: [String], listedIn: String?)
    /// A verifier's `args` would let it write to what it reviews.
    case liftsReadOnly(verifier: String, flag: String, harness: Harness)
    case cliNotFound(role: AgentEntry.Role, id: String, executable: String)

    public var exitCode: Int32 { 2 }

    public var headline: String {
        switch self {
        case .noConfig(let root): return "no agon.yml in \(root)"
        case .noAgentsConfigured(let config): return "\(config) lists no agents"
        case .noAgentsSelected(let spec): return "\(spec): no agents selected"
        case .noVerifiers: return "no verifiers"
        case .namedTwice(let role, let id): return "\(role.rawValue) \"\(id)\" is named twice"
        case .unknown(let role, let id, let configured, let listedIn):
            return (listedIn.map { "\($0): " } ?? "") + "unknown \(role.rawValue) \"\(id)\" "
                + "(agon.yml has: \(configured.isEmpty ? "none" : configured.joined(separator: ", ")))"
        case .liftsReadOnly(let verifier, let flag, let harness):
            return "verifier \"\(verifier)\": args contain \(flag), which lifts \(harness.rawValue)'s read-only mode"
        case .cliNotFound(let role, let id, let executable):
            return "\(role.rawValue) \"\(id)\": CLI \"\(executable)\" not found" + (executable.contains("/") ? "" : " on PATH")
                + " (set `binary:` in agon.yml)"
        }
    }

    public var hint: String? {
        switch self {
        case .noConfig: return "run `agon init` or pass --config"
        case .noVerifiers(let config): return "add `verifiers:` to \(config) or pass --verifiers"
        case .liftsReadOnly: return "verifiers read untrusted diffs, so remove it from agon.yml"
        case .noAgentsConfigured, .noAgentsSelected, .namedTwice, .unknown, .cliNotFound: return nil
        }
    }
}

/// The repository, agon.yml, spec or base commit a command was pointed at cannot be used (exit 2).
public enum WorkspaceError: HintedFailure, Equatable {
    case noConfigFile(path: String)
    case notARepository(path: String)
    case bareRepository(gitDir: String)
    case noCommits(root: String)
    case unreadableSpec(path: String)
    case unknownBase(spec: String, ref: String, root: String)
    /// `agon init` would replace files the user already has.
    case wouldOverwrite(paths: [String])

    public var exitCode: Int32 { 2 }

    public var headline: String {
        switch self {
        case .noConfigFile(let path): return "no such config file: \(path)"
        case .notARepository(let path): return "not a git repository: \(path)"
        case .bareRepository(let gitDir): return "\(gitDir) is a bare repository"
        case .noCommits(let root): return "the repository at \(root) has no commits yet"
        case .unreadableSpec(let path): return "cannot read spec \(path): no such file or not readable"
        case .unknownBase(let spec, let ref, let root): return "\(spec): base \"\(ref)\" does not name a commit in \(root)"
        case .wouldOverwrite(let paths): return "refusing to overwrite \(paths.joined(separator: " and "))"
        }
    }

    public var hint: String? {
        switch self {
        case .bareRepository: return "Agon needs a work tree"
        case .noCommits: return "make a first commit for the agents to start from"
        case .wouldOverwrite(let paths): return paths.count == 1 ? "move it away first" : "move them away first"
        case .noConfigFile, .notARepository, .unreadableSpec, .unknownBase: return nil
        }
    }
}

/// An `openai` verifier's settings cannot make a client (exit 1; the review records it as the
/// verifier's failure).
public enum VerifierSettingsError: HintedFailure, Equatable {
    case noBaseURL(verifier: String)
    case noModel(verifier: String)
    /// `api_key_env` names a variable that is unset or empty.
    case keyNotSet(verifier: String, variable: String)

    public var exitCode: Int32 { 1 }

    public var headline: String {
        switch self {
        case .noBaseURL(let verifier): return "verifier \(verifier): harness openai needs `base_url` (e.g. http://localhost:8080/v1)"
        case .noModel(let verifier): return "verifier \(verifier): harness openai needs `model`"
        case .keyNotSet(let verifier, let variable): return "verifier \(verifier): api_key_env names \(variable), which is not set"
        }
    }

    public var hint: String? { nil }
}
