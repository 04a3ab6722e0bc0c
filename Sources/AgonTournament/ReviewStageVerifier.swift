import AgonAgents
import AgonCore
import AgonGit
import AgonReview
import AgonStore
import Foundation

/// One verifier's review of one run: blinding, packet (leak-scanned), the call with one retry
/// on a malformed verdict, unblinding, self-preference, and the artifacts in
/// `.agon/runs/<run>/reviews/<verifier>/` (packet.md, raw.txt, verdict.json, transcripts).
struct VerifierSession {
    let workspace: Workspace
    let context: ReviewContext
    let verifier: PlannedAgent
    let entry: AgentEntry
    let stopSignal: StopSignal
    let killGrace: TimeInterval

    func run() -> ReviewRecord {
        let started = MonotonicClock.now()
        var record = perform()
        // The CLI's own durations cover only the calls; this covers packet and base tree too.
        record.durationMs = max(record.durationMs, Int((MonotonicClock.now() - started) * 1000))
        return record
    }

    private func perform() -> ReviewRecord {
        let layout = workspace.layout
        let runID = context.runID
        let directory = layout.reviewDirectory(runID, verifier: verifier.id)
        let fm = FileManager.default
        let seed = Blinder.seed(runID: runID, verifierID: verifier.id)
        let key = Blinder.key(verifierID: verifier.id, seed: seed, candidates: context.candidates.map(\.candidateID))
        var record = ReviewRecord(verifier: verifier.id, harness: verifier.harness, model: verifier.model, status: .failed,
                                  seed: seed, displayOrder: key.displayOrder, labels: key.labelToCandidate,
                                  costSource: .computed)
        record.costUSD = 0   // nothing is spent unless the verifier is actually called
        do {
            try? fm.removeItem(at: directory)  // a redo replaces everything the earlier review left
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            record.reason = "cannot create \(layout.relativePath(directory)): \(error)"
            return record
        }

        // Self-preference: with fewer than two candidates it may rank, the verdict could say nothing.
        let family = (verifier.family ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if context.selfPreference == .exclude, !family.isEmpty {
            let own = context.candidates.filter { $0.family.lowercased() == family }.map(\.candidateID)
            if context.candidates.count - own.count < 2 {
                record.status = .excluded
                record.droppedSelfPreference = own
                record.reason = "self-preference: \(own.count) of \(context.candidates.count) candidates share the verifier's "
                    + "family \"\(family)\", leaving fewer than 2 to rank; not called"
                return record
            }
        }

        let usesCLI = verifier.harness != .openai
        var scratch: ReviewScratch?
        defer { scratch?.remove() }
        if usesCLI {
            do { scratch = try ReviewScratch(seed: seed) } catch {
                record.reason = "cannot create a scratch directory for the verifier: \(error)"
                return record
            }
        }
        let options = PacketOptions(includeChecks: context.includeChecks, redact: true, baseTreePath: scratch?.baseTree,
                                    extraInstructions: scratch.map { _ in CLIVerifierChannel.instructions })
        let packet: ReviewPacket
        do {
            packet = try ReviewPacketBuilder.build(spec: context.spec, candidates: context.candidates, key: key,
                                                   secrets: context.secrets, options: options)
        } catch let leak as LeakError {
            record.status = .blocked
            record.reason = "leak scan blocked the packet: " + leak.description
            return record
        } catch {
            record.reason = "cannot build the packet: \(error)"
            return record
        }
        let packetURL = layout.packet(runID, verifier: verifier.id)
        do {
            try AtomicFile.write(packet.text, to: packetURL)
            record.packetPath = layout.relativePath(packetURL)
        } catch {
            record.reason = "cannot write \(layout.relativePath(packetURL)): \(error)"
            return record
        }

        let channel: VerifierChannel
        var before: [String: String] = [:]
        do {
            if let scratch {
                try AtomicFile.write(packet.text, to: URL(fileURLWithPath: scratch.packetFile))
                guard let base = ObjectID(hex: context.baseSHA) else { throw WorkError("bad base commit \(context.baseSHA)") }
                try scratch.exportBase(workspace: workspace, runID: runID, verifierID: verifier.id, base: base)
                before = scratch.fingerprint()
                channel = CLIVerifierChannel(workspace: workspace, verifier: verifier, entry: entry, runID: runID,
                                             scratch: scratch, packet: packet, reviewDirectory: directory,
                                             stopSignal: stopSignal, killGrace: killGrace)
            } else {
                channel = try ChatVerifierChannel.make(entry: entry, verifier: verifier, packet: packet,
                                                       environment: workspace.environment, reviewDirectory: directory,
                                                       memory: context.chatMemory)
            }
        } catch {
            record.reason = "cannot start the review: \(error)"
            return record
        }

        let exchange = VerdictExchange.run(channel: channel, labels: packet.labels, cap: capUSD, stopSignal: stopSignal)
        record.tokens = exchange.usage
        record.costUSD = exchange.costUSD
        record.costSource = exchange.costSource
        record.durationMs = exchange.durationMs
        try? AtomicFile.write(exchange.rawText, to: layout.rawVerdict(runID, verifier: verifier.id))

        switch exchange.result {
        case .verdict(let verdict):
            do {
                let mapped = applySelfPreference(try MappedVerdict(verdict: verdict, key: key), verifierFamily: family,
                                                 candidates: context.candidates, policy: context.selfPreference)
                record.status = .ok
                record.ranking = mapped.ranking
                record.droppedSelfPreference = mapped.excludedCandidates
                record.notes = mapped.notes.mapValues {
                    ReviewNote(summary: $0.summary, risks: $0.risks.isEmpty ? [] : [$0.risks],
                               recommendation: $0.recommendation.rawValue)
                }
                if exchange.attempts > 1 { record.reason = "verdict usable after one retry" }
                let verdictURL = layout.verdict(runID, verifier: verifier.id)
                try AtomicFile.write(try AgonJSON.encoder.encode(VersionedDocument(mapped)), to: verdictURL)
                record.verdictPath = layout.relativePath(verdictURL)
            } catch {
                record.status = .excluded
                record.reason = "verdict does not map back to the candidates: \(error)"
            }
        case .unusable(let error, let attempts):
            record.status = .excluded
            record.reason = "verdict unusable after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(error.description)"
        case .failed(let message):
            record.status = .failed
            record.reason = stopSignal.isStopped ? "interrupted" : message
        }

        if entry.swap, record.status == .ok, !stopSignal.isStopped {
            swapPass(&record, key: key, family: family, scratch: scratch, options: options, directory: directory)
        }

        if let scratch {
            let changed = ReviewScratch.changes(from: before, to: scratch.fingerprint())
            if !changed.isEmpty {
                let shown = changed.prefix(5).joined(separator: ", ") + (changed.count > 5 ? ", …" : "")
                let flag = "the verifier modified its read-only base tree (\(changed.count) path\(changed.count == 1 ? "" : "s"): \(shown))"
                    + (record.status == .ok ? "; its verdict is kept" : "")
                record.reason = record.reason.map { $0 + "; " + flag } ?? flag
            }
        }
        return record
    }

    /// `swap: true`: the same review with the candidates shown in reversed order (labels follow
    /// the new order), then the share of pairs both rankings order alike. The first pass's ranking
    /// is the one that votes; the second only measures position effects (and costs what it costs).
    private func swapPass(_ record: inout ReviewRecord, key: BlindingKey, family: String, scratch: ReviewScratch?,
                          options: PacketOptions, directory: URL) {
        func note(_ text: String) { record.reason = record.reason.map { $0 + "; " + text } ?? text }
        let reversed = Array(key.displayOrder.reversed())
        var labels: [String: CandidateID] = [:]
        for (index, id) in reversed.enumerated() { labels[CandidateLabel.label(at: index)] = id }
        let swapped = BlindingKey(verifierID: key.verifierID, seed: key.seed, labelToCandidate: labels, displayOrder: reversed)
        let left = capUSD.map { $0 - (record.costUSD ?? 0) }
        if let left, left <= 0 { return note("swap pass not run: the verifier's budget is spent") }
        let channel: VerifierChannel
        let packet: ReviewPacket
        do {
            packet = try ReviewPacketBuilder.build(spec: context.spec, candidates: context.candidates, key: swapped,
                                                   secrets: context.secrets, options: options)
            try AtomicFile.write(packet.text, to: directory.appendingPathComponent("packet-swap.md"))
            if let scratch {
                try AtomicFile.write(packet.text, to: URL(fileURLWithPath: scratch.packetFile))
                let cli = CLIVerifierChannel(workspace: workspace, verifier: verifier, entry: entry, runID: context.runID,
                                             scratch: scratch, packet: packet, reviewDirectory: directory,
                                             stopSignal: stopSignal, killGrace: killGrace)
                cli.pass = "-swap"
                channel = cli
            } else {
                let chat = try ChatVerifierChannel.make(entry: entry, verifier: verifier, packet: packet,
                                                        environment: workspace.environment, reviewDirectory: directory,
                                                        memory: context.chatMemory)
                chat.pass = "-swap"
                channel = chat
            }
        } catch {
            return note("swap pass not run: \(error)")
        }
        let exchange = VerdictExchange.run(channel: channel, labels: packet.labels, cap: left, stopSignal: stopSignal)
        record.tokens += exchange.usage
        record.durationMs += exchange.durationMs
        if exchange.costSource == .unpriced || record.costSource == .unpriced {
            record.costUSD = nil
            record.costSource = .unpriced
        } else {
            record.costUSD = record.costUSD.flatMap { spent in exchange.costUSD.map { spent + $0 } }
        }
        try? AtomicFile.write(exchange.rawText, to: directory.appendingPathComponent("raw-swap.txt"))
        guard case .verdict(let verdict) = exchange.result, let mapped = try? MappedVerdict(verdict: verdict, key: swapped) else {
            return note("swap pass gave no usable verdict")
        }
        let kept = applySelfPreference(mapped, verifierFamily: family, candidates: context.candidates, policy: context.selfPreference)
        record.swapRanking = kept.ranking
        record.swapConsistency = ReviewRecord.pairConsistency(record.ranking, kept.ranking)
    }

    /// The verifier's cost cap in USD, nil when it only tallies.
    private var capUSD: Double? {
        verifier.budget.isTallyOnly ? nil : verifier.budget.maxCostUSD
    }
}

/// The ask → parse → (one retry) → parse loop, with the attempts' costs summed.
struct VerdictExchange {
    enum Result {
        case verdict(Verdict)
        case unusable(VerdictError, attempts: Int)
        case failed(String)
    }

    var result: Result
    var attempts: Int
    var usage: TokenUsage
    var costUSD: Double?
    var costSource: CostSource
    var durationMs: Int
    /// Every reply, marked by attempt (raw.txt).
    var rawText: String

    static func run(channel: VerifierChannel, labels: [String], cap: Double?, stopSignal: StopSignal) -> VerdictExchange {
        var out = VerdictExchange(result: .failed("verifier was not called"), attempts: 0, usage: .zero, costUSD: 0,
                                  costSource: .computed, durationMs: 0, rawText: "")
        var lastError: VerdictError?
        var sources: [CostSource] = []
        for attempt in 1...2 {
            let left = cap.map { $0 - (out.costUSD ?? 0) }
            let reply = channel.ask(retrying: lastError, attempt: attempt, budgetLeft: attempt == 1 ? nil : left)
            out.attempts = attempt
            out.usage += reply.usage
            out.durationMs += reply.durationMs
            sources.append(reply.costSource)
            out.costUSD = out.costUSD.flatMap { spent in reply.costUSD.map { spent + $0 } }
            out.rawText += "=== attempt \(attempt) ===\n" + (reply.reply ?? "(no reply: \(reply.failure ?? "unknown"))") + "\n"
            guard let text = reply.reply else {
                out.result = .failed(reply.failure ?? "the verifier gave no reply")
                break
            }
            switch VerdictParser.parse(text: text, labels: labels) {
            case .success(let verdict):
                out.result = .verdict(verdict)
            case .failure(let error):
                lastError = error
                out.result = reply.endedNormally ? .unusable(error, attempts: attempt)
                    : .failed((reply.failure ?? "verifier failed") + "; its reply was unusable: \(error.description)")
            }
            if case .verdict = out.result { break }
            // No second chance for a verifier that failed, was stopped or has spent its budget.
            if !reply.endedNormally || stopSignal.isStopped { break }
            if let left = cap.map({ $0 - (out.costUSD ?? 0) }), left <= 0 {
                out.rawText += "(no retry: the verifier's budget is spent)\n"
                break
            }
        }
        if sources.contains(.unpriced) { out.costUSD = nil; out.costSource = .unpriced }
        else if let first = sources.first, sources.allSatisfy({ $0 == first }) { out.costSource = first }
        return out
    }
}
