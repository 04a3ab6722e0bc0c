import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns Ctrl-C (SIGINT) and SIGTERM into a clean stop: every agent and check is stopped, the
/// run is marked `interrupted` and can be resumed. A second Ctrl-C exits at once.
final class InterruptTrap {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "agon.interrupts")

    init(stopSignal: StopSignal) {
        var count = 0
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                count += 1
                if count > 1 { _exit(130) }
                FileHandle.standardError.write(Data("\nagon: stopping every agent (Ctrl-C again to exit at once)…\n".utf8))
                stopSignal.stop()
            }
            source.resume()
            sources.append(source)
        }
    }

    func release() {
        for source in sources { source.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Finds and kills processes a run's agents left behind when `agon` itself was killed: every
/// agent process carries `AGON_RUN_ID=<run>` in its environment, which its children inherit.
enum StrayProcesses {
    @discardableResult
    static func kill(runID: String) -> [Int32] {
        let marker = Array("AGON_RUN_ID=\(runID)".utf8)
        let me = getpid()
        var killed: [Int32] = []
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        for entry in entries {
            guard let pid = Int32(entry), pid != me,
                  let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let matches = environ.split(separator: 0).contains { Array($0) == marker }
            if matches {
                Glibc.kill(pid, SIGKILL)
                killed.append(pid)
            }
        }
        // Reap any that were our own children; the rest are reaped by their parent or init.
        for pid in killed { var status: Int32 = 0; _ = waitpid(pid, &status, WNOHANG) }
        return killed
    }
}
