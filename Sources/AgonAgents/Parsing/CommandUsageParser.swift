import AgonCore

/// Parses Agon's own usage contract for `command` harness programs.
///
/// A program may append JSON Lines to the file named by `$AGON_USAGE_FILE`. Each line is one of:
///
/// ```
/// {"input":1200,"cached_input":800,"cache_write":0,"output":300,"reasoning":50,"model":"m","cost_usd":0.004}
/// {"event":"file_edit","path":"Sources/App/Retry.swift"}
/// {"event":"turn"}
/// ```
///
/// Usage lines are DELTAS (one model call each); every field is optional. `input` is UNCACHED
/// input and `output` excludes `reasoning` (Agon's normalised convention). `cost_usd`, when given,
/// is that call's cost as the program computed it (reported, summed). A usage line also counts
/// as one turn unless it sets `"turn": false`. Unknown keys are ignored; negative counts are
/// malformed.
public struct CommandUsageParser: StreamParser {
    public private(set) var malformedLines = 0
    private var model: String?

    public init() {}

    public mutating func consume(line: Substring) -> [AgentEvent] {
        if line.trimmingASCIIWhitespace().isEmpty { return [] }
        guard let o = parseJSONObjectLine(line), let object = o.object else {
            malformedLines += 1
            return []
        }
        switch o["event"]?.string {
        case "file_edit":
            return [.fileEdit(path: o["path"]?.string)]
        case "turn":
            return [.turn]
        case .some:
            return []
        case nil:
            break
        }
        let fields = ["input", "cached_input", "cache_write", "output", "reasoning"]
        var counts: [Int] = []
        for name in fields {
            guard let v = object[name], !v.isNull else { counts.append(0); continue }
            guard let n = v.count else {
                malformedLines += 1
                return []
            }
            counts.append(n)
        }
        var events: [AgentEvent] = []
        if let m = o["model"]?.string, m != model {
            model = m
            events.append(.model(m))
        }
        let usage = TokenUsage(input: counts[0], cachedInput: counts[1], cacheWrite: counts[2], output: counts[3], reasoning: counts[4])
        if !usage.isZero { events.append(.usage(usage, model: model)) }
        if let cost = o["cost_usd"], !cost.isNull {
            guard let usd = cost.double, usd >= 0 else {
                malformedLines += 1
                return events
            }
            if usd > 0 { events.append(.reportedCost(usd: usd, cumulative: false)) }
        }
        if o["turn"]?.bool != false, !usage.isZero || o["cost_usd"] != nil { events.append(.turn) }
        return events
    }

    public mutating func finish() -> [AgentEvent] { [] }
}
