import AgonAgents
import AgonCore
import AgonReview
import AgonStore
import Foundation

/// What one call to a verifier produced.
struct VerifierAttempt {
    /// The reply text to parse; nil when the call produced none.
    var reply: String?
    var usage: TokenUsage = .zero
    var costUSD: Double?
    var costSource: CostSource = .unpriced
    var durationMs: Int = 0
    /// Why there is no usable reply (process failure, HTTP error), one line.
    var failure: String?
    /// The call ended normally, so a malformed reply deserves the retry (a verifier that was
    /// cost-killed, timed out or crashed does not get a second, equally expensive chance).
    var endedNormally: Bool = true
}

/// A way of asking a verifier for its verdict: first the packet, then at most one retry that
/// quotes why the previous reply was unusable.
protocol VerifierChannel {
    func ask(retrying error: VerdictError?, attempt: Int, budgetLeft: Double?) -> VerifierAttempt
}

/// A verifier CLI (any agent harness) in review mode: cwd = the read-only base tree, the packet
/// as its prompt (or a pointer to the packet file when it is too long for an argument), read-only
/// tools (`ReadOnlyFlags`), its verdict read from its final message.
final class CLIVerifierChannel: VerifierChannel {
    /// Arguments longer than this would risk the kernel's per-argument limit (128 KiB on Linux).
    static let inlinePromptLimit = 100_000

    let workspace: Workspace
    let verifier: PlannedAgent
    let entry: AgentEntry
    let runID: String
    let scratch: ReviewScratch
    let packet: ReviewPacket
    let reviewDirectory: URL
    let stopSignal: StopSignal
    let killGrace: TimeInterval
    /// "" for the review, "-swap" for the second pass of a `swap: true` verifier (artifact names).
    var pass = ""

    init(workspace: Workspace, verifier: PlannedAgent, entry: AgentEntry, runID: String, scratch: ReviewScratch,
         packet: ReviewPacket, reviewDirectory: URL, stopSignal: StopSignal, killGrace: TimeInterval) {
        self.workspace = workspace
        self.verifier = verifier
        self.entry = entry
        self.runID = runID
        self.scratch = scratch
        self.packet = packet
        self.reviewDirectory = reviewDirectory
        self.stopSignal = stopSignal
        self.killGrace = killGrace
    }

    /// The instruction added to the packet's system prompt (and so leak-scanned with it).
    static let instructions: String = {
        """
        You are working in a read-only copy of the repository as it was before any candidate's change. \
        Your tools can read and search it; they cannot change files, run commands or reach the network. \
        When you have decided, print the verdict (the JSON object only) as your final message: \
        your final message is the only thing that is read.
        """
    }()

    var firstPrompt: String {
        let text = packet.text
        if text.utf8.count <= Self.inlinePromptLimit { return text }
        return packet.instructions + "\n\n---\n\nThe review packet (the task and every candidate's diff) is too long "
            + "to pass inline; it is in the file `\(scratch.packetFile)`. Read all of it before you answer."
    }

    func ask(retrying error: VerdictError?, attempt: Int, budgetLeft: Double?) -> VerifierAttempt {
        var prompt = firstPrompt
        if let error { prompt += "\n\n---\n\n" + VerdictParser.retryPrompt(error: error, labels: packet.labels) }
        let fm = FileManager.default
        var planned = verifier
        if let budgetLeft { planned.budget.maxCostUSD = budgetLeft }
        var launch = AgentLaunch.make(entry: entry, planned: planned, prompt: prompt, worktree: scratch.baseTree,
                                      artifactsDir: scratch.io(attempt: attempt) + pass, runID: runID, workspace: workspace,
                                      killGrace: killGrace)
        // Candidates' diffs are untrusted: the verifier may read, never act (`ReadOnlyFlags`).
        launch.readOnly = true
        launch.readableDirectories = [scratch.directory]
        do {
            launch.sandbox = try SandboxLayout.make(workspace: workspace, mode: entry.sandbox ?? workspace.config.defaults.sandbox)?
                .verifier(scratch: scratch.directory, homeDir: scratch.io(attempt: attempt) + pass + "/home", network: entry.network)
        } catch {
            return VerifierAttempt(reply: nil, failure: "cannot prepare the verifier's sandbox: \(error)", endedNormally: false)
        }
        let executor = AgentExecutor(launch: launch)
        let token = stopSignal.register { executor.cancel() }
        let result = executor.run()
        stopSignal.unregister(token)

        // Keep the verifier's streams with the review; its scratch directory goes away.
        let transcript = (try? String(contentsOfFile: result.transcriptPath, encoding: .utf8)) ?? ""
        for (source, name) in [(result.transcriptPath, "transcript-\(attempt)\(pass).jsonl"), (result.stderrPath, "stderr-\(attempt)\(pass).txt")] {
            let target = reviewDirectory.appendingPathComponent(name)
            try? fm.removeItem(at: target)
            try? fm.copyItem(atPath: source, toPath: target.path)
        }
        // Only the verifier's own output stream counts: a file can be written by anyone who can
        // reach the scratch directory, and a read-only verifier cannot write one.
        let reply = HarnessAdapters.adapter(for: entry.harness).finalMessage(transcript: transcript)

        var out = VerifierAttempt(reply: reply, usage: result.usage, costUSD: result.costUSD, costSource: result.costSource,
                                  durationMs: result.durationMs, endedNormally: result.outcome == .ok)
        if result.outcome != .ok {
            let detail = result.apiErrorMessage ?? result.errorMessage ?? result.exitStatus.map { "\($0)" } ?? ""
            out.failure = "verifier ended \(result.outcome.rawValue)" + (detail.isEmpty ? "" : ": " + Self.oneLine(detail))
        } else if reply == nil {
            out.failure = "verifier printed no final message"
        }
        return out
    }

    static func oneLine(_ text: String, limit: Int = 300) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }
}

/// An `openai` verifier: an OpenAI-compatible chat-completions endpoint, asked for the verdict
/// schema as `response_format` (dropped automatically when the server refuses it).
final class ChatVerifierChannel: VerifierChannel {
    let client: OpenAIChatClient
    let model: String
    let packet: ReviewPacket
    let price: ModelPrice?
    let reviewDirectory: URL
    /// "" for the review, "-swap" for the second pass (artifact names).
    var pass = ""
    private var messages: [ChatMessage]
    private var lastReply: String?

    init(client: OpenAIChatClient, model: String, packet: ReviewPacket, price: ModelPrice?, reviewDirectory: URL) {
        self.client = client
        self.model = model
        self.packet = packet
        self.price = price
        self.reviewDirectory = reviewDirectory
        messages = packet.messages
    }

    /// The client for `entry`: `base_url`, the key from the variable named by `api_key_env`.
    static func make(entry: AgentEntry, verifier: PlannedAgent, packet: ReviewPacket, environment: [String: String],
                     reviewDirectory: URL, memory: ChatServerMemory = ChatServerMemory()) throws -> ChatVerifierChannel {
        guard let base = entry.baseURL, let url = URL(string: base), url.scheme != nil else {
            throw VerifierSettingsError.noBaseURL(verifier: entry.id)
        }
        guard let model = entry.model, !model.isEmpty else {
            throw VerifierSettingsError.noModel(verifier: entry.id)
        }
        var key: String?
        if let name = entry.apiKeyEnv {
            key = environment[name]
            if key == nil || key!.isEmpty {
                throw VerifierSettingsError.keyNotSet(verifier: entry.id, variable: name)
            }
        }
        let client = OpenAIChatClient(baseURL: url, apiKey: key, timeout: max(1, verifier.budget.hardTimeout), memory: memory)
        return ChatVerifierChannel(client: client, model: model, packet: packet, price: verifier.price,
                                   reviewDirectory: reviewDirectory)
    }

    func ask(retrying error: VerdictError?, attempt: Int, budgetLeft: Double?) -> VerifierAttempt {
        if let error {
            if let lastReply { messages.append(.assistant(lastReply)) }
            messages.append(.user(VerdictParser.retryPrompt(error: error, labels: packet.labels)))
        }
        let started = MonotonicClock.now()
        do {
            let completion = try client.complete(ChatRequest(model: model, messages: messages, schema: packet.responseSchema,
                                                             maxTokens: VerdictSchema.maxTokens(labelCount: packet.labels.count)))
            try? completion.rawResponse.write(to: reviewDirectory.appendingPathComponent("response-\(attempt)\(pass).json"))
            lastReply = completion.content
            var out = VerifierAttempt(reply: completion.content, usage: completion.usage,
                                      durationMs: Int((MonotonicClock.now() - started) * 1000))
            if let price, completion.usageReported {
                out.costUSD = price.cost(of: completion.usage)
                out.costSource = .computed
            }
            return out
        } catch {
            return VerifierAttempt(reply: nil, durationMs: Int((MonotonicClock.now() - started) * 1000),
                                   failure: CLIVerifierChannel.oneLine("\(error)"), endedNormally: false)
        }
    }
}
