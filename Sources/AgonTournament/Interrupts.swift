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
