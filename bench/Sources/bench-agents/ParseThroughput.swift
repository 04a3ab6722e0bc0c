import AgonAgents
import Foundation

/// Measures the claude stream-json parser's throughput on a ~100 MB stream and compares it with
/// `jq -c . FILE > /dev/null` on the same file.
///
/// Arguments: `[--file PATH] [--megabytes N]`. Without `--file`, a stream is generated under the
/// temporary directory from fixture-like lines (init, thinking/text/tool_use assistant blocks that
/// repeat a message id, user tool results with large content, thinking-token estimates, results)
/// with varied ids.
public func runParseThroughputBenchmark(arguments: [String]) throws {
    var path: String?
    var megabytes = 100
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--file" where i + 1 < arguments.count: path = arguments[i + 1]; i += 1
        case "--megabytes" where i + 1 < arguments.count: megabytes = Int(arguments[i + 1]) ?? megabytes; i += 1
        default: break
        }
        i += 1
    }
    let file = try path ?? generateClaudeStream(megabytes: megabytes)
    let data = try Data(contentsOf: URL(fileURLWithPath: file))
    let mb = Double(data.count) / 1_000_000
    print("parse-throughput: \(file) (\(String(format: "%.1f", mb)) MB)")

    let start = DispatchTime.now().uptimeNanoseconds
    var parser = makeStreamParser(.claudeStreamJSON)
    var events = 0
    var lines = 0
    var usageTotal = 0
    // Split on UTF-8 bytes (memchr): `String.split(separator: "\n")` walks grapheme clusters and
    // alone costs ~12x the parsing time.
    var text = String(decoding: data, as: UTF8.self)
    let lineRanges: [Range<Int>] = text.withUTF8 { buf in
        guard let base = buf.baseAddress else { return [] }
        var ranges: [Range<Int>] = []
        var offset = 0
        while offset < buf.count {
            let end = memchr(base + offset, 0x0A, buf.count - offset).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? buf.count
            if end > offset { ranges.append(offset..<end) }
            offset = end + 1
        }
        return ranges
    }
    let utf8 = text.utf8
    for r in lineRanges {
        let lo = utf8.index(utf8.startIndex, offsetBy: r.lowerBound)
        let hi = utf8.index(lo, offsetBy: r.count)
        lines += 1
        for e in parser.consume(line: text[lo..<hi]) {
            events += 1
            if case .usage(let u, _) = e { usageTotal += u.total }
        }
    }
    events += parser.finish().count
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "agon claude parser: %.2f s, %.1f MB/s (%d lines, %d events, %d malformed, %d tokens)",
                 seconds, mb / seconds, lines, events, parser.malformedLines, usageTotal))

    if let jq = findExecutable("jq") {
        let jqStart = DispatchTime.now().uptimeNanoseconds
        let process = Process()
        process.executableURL = URL(fileURLWithPath: jq)
        process.arguments = ["-c", ".", file]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        let jqSeconds = Double(DispatchTime.now().uptimeNanoseconds - jqStart) / 1e9
        print(String(format: "jq -c . > /dev/null:  %.2f s, %.1f MB/s (exit %d)", jqSeconds, mb / jqSeconds, process.terminationStatus))
        print(String(format: "ratio (agon / jq speed): %.2fx", jqSeconds / seconds))
    } else {
        print("jq not found on PATH: install it (apt-get install jq) for the comparison")
    }
}

private func findExecutable(_ name: String) -> String? {
    let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Writes a claude stream-json file of about `megabytes` MB and returns its path.
private func generateClaudeStream(megabytes: Int) throws -> String {
    let path = NSTemporaryDirectory() + "agon-bench-claude-\(megabytes)mb.jsonl"
    let target = megabytes * 1_000_000
    if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size >= target {
        return path
    }
    FileManager.default.createFile(atPath: path, contents: nil)
    guard let handle = FileHandle(forWritingAtPath: path) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
    defer { try? handle.close() }
    let session = "4cda4f2a-2a49-499b-af37-c6f4739bd0c7"
    let filler = String(repeating: "echo72 charlie32 delta63 oscar60 mike26 delta62 alpha49 \\n", count: 40)
    var written = 0
    var n = 0
    var chunk = ""
    func usage(_ k: Int) -> String {
        #"{"input_tokens":\#(8 + k % 5),"cache_creation_input_tokens":\#(100 + k % 997),"cache_read_input_tokens":\#(20000 + k % 3001),"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":\#(100 + k % 997)},"output_tokens":\#(1 + k % 4),"service_tier":"standard"}"#
    }
    chunk += #"{"type":"system","subtype":"init","cwd":"/tmp/fixture","session_id":"\#(session)","tools":["Task","Bash","Edit","Read","Write"],"mcp_servers":[],"model":"claude-haiku-4-5-20251001","permissionMode":"bypassPermissions","claude_code_version":"2.1.285","uuid":"ef00d72b-fdf1-4e4d-9755-3d66531c136e"}"# + "\n"
    while written + chunk.utf8.count < target {
        n += 1
        let id = "msg_011CfZtn\(String(n, radix: 36))"
        let u = usage(n)
        chunk += #"{"type":"assistant","message":{"model":"claude-haiku-4-5-20251001","id":"\#(id)","type":"message","role":"assistant","content":[{"type":"thinking","thinking":"","signature":"Ep0DCtABCBIYAipAmVKsrYrfBju21+a5umfYIDtt/EuiSzZie/PVgDLuPBpWkFn5yUFTctVmnT5VWRJa\#(n)"}],"stop_reason":null,"stop_sequence":null,"usage":\#(u)},"parent_tool_use_id":null,"session_id":"\#(session)","uuid":"282f0332-2972-4826-a903-\#(n)","request_id":"req_\#(n)"}"# + "\n"
        chunk += #"{"type":"system","subtype":"thinking_tokens","estimated_tokens":\#(n % 200),"estimated_tokens_delta":50,"session_id":"\#(session)","uuid":"d6bc4b2e-37ac-4763-98d7-\#(n)"}"# + "\n"
        chunk += #"{"type":"assistant","message":{"model":"claude-haiku-4-5-20251001","id":"\#(id)","type":"message","role":"assistant","content":[{"type":"tool_use","id":"toolu_\#(n)","name":"\#(n % 3 == 0 ? "Edit" : "Read")","input":{"file_path":"/tmp/fixture/big\#(n).txt"}}],"stop_reason":null,"stop_sequence":null,"usage":\#(u)},"parent_tool_use_id":null,"session_id":"\#(session)","uuid":"e877229d-80f1-462e-a404-\#(n)","request_id":"req_\#(n)"}"# + "\n"
        chunk += #"{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_\#(n)","type":"tool_result","content":"1\t\#(filler)"}]},"parent_tool_use_id":null,"session_id":"\#(session)","uuid":"08afd9ed-\#(n)","tool_use_result":{"type":"text","file":{"filePath":"/tmp/fixture/big\#(n).txt","content":"\#(filler)","numLines":321,"startLine":1,"totalLines":901}}}"# + "\n"
        if n % 50 == 0 {
            chunk += #"{"duration_api_ms":4488,"stop_reason":"end_turn","session_id":"\#(session)","total_cost_usd":\#(Double(n) * 0.0012),"usage":\#(u),"modelUsage":{"claude-haiku-4-5-20251001":{"inputTokens":\#(n * 9),"outputTokens":\#(n * 40),"cacheReadInputTokens":\#(n * 21000),"cacheCreationInputTokens":\#(n * 600),"costUSD":\#(Double(n) * 0.0012)}},"is_error":false,"subtype":"success","result":"901","type":"result","uuid":"2b9e\#(n)"}"# + "\n"
        }
        if chunk.utf8.count > 1_000_000 {
            handle.write(Data(chunk.utf8))
            written += chunk.utf8.count
            chunk = ""
        }
    }
    handle.write(Data(chunk.utf8))
    return path
}
