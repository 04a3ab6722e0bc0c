import Foundation

/// Runs blocking jobs (agent processes, verifiers) on at most `width` dedicated threads.
/// Dispatch's pool is sized for CPU work and may start fewer threads than asked for while the
/// jobs block on a child process; plain threads make `--parallel N` mean N.
enum WorkerPool {
    static func run<Item>(_ items: [Item], width: Int, _ body: @escaping (Item) -> Void) {
        guard !items.isEmpty else { return }
        let queue = JobQueue(count: items.count)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(width, items.count)) {
            group.enter()
            let thread = Thread {
                while let index = queue.take() { body(items[index]) }
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
    }
}

/// Hands out job indices to worker threads, each exactly once.
private final class JobQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}
