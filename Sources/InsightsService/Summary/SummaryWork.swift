import Dispatch
import Synchronization

/// Where summaries are made: off the RPC server's event loops, one at a time.
///
/// The server runs a handler on the event loop that read its request, and a read made there
/// runs on that loop too. Made there, a summary (reading the dialog, counting its tokens,
/// ranking its messages) held the loop for as long as it took: the other calls of every
/// connection on that loop (the gateway's panels among them) waited, and so did the loop's
/// deadline timer. Here the work runs on one serial queue of its own, which also keeps
/// summaries asked for at once from taking more than one core from the calls beside them; a
/// summary that waits for a model frees the queue while it waits.
enum SummaryWork {
    /// The queue every summary of the process runs its work on.
    static let executor = DispatchTaskExecutor(queue: DispatchQueue(label: "chatpanel.insights.summaries"))

    /// Runs `body` on the summaries' queue; cancelling the calling task tells `stop`, which
    /// the work reads where it cannot see the task (inside a database read).
    static func run<T: Sendable>(_ stop: WorkStop, _ body: () async throws -> T) async throws -> T {
        try stop.check()
        return try await withTaskCancellationHandler {
            try await withTaskExecutorPreference(executor) { try await body() }
        } onCancel: {
            stop.cancel()
        }
    }
}

/// Runs Swift tasks on a dispatch queue.
final class DispatchTaskExecutor: TaskExecutor, @unchecked Sendable {
    /// The queue the tasks run on.
    let queue: DispatchQueue

    /// An executor for `queue`.
    init(queue: DispatchQueue) {
        self.queue = queue
    }

    /// Runs `job` on the queue.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Tells one call's long work to stop: the call was cancelled (the server cancels a call whose
/// deadline passed, or that its caller cancelled), or its deadline passed.
final class WorkStop: Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let deadline: ContinuousClock.Instant?

    /// A stop for work that must end by `deadline` (nil: only when cancelled).
    init(deadline: ContinuousClock.Instant? = nil) {
        self.deadline = deadline
    }

    /// The work is to stop.
    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    /// Whether the work is to stop.
    var isStopped: Bool {
        if cancelled.load(ordering: .relaxed) { return true }
        guard let deadline else { return false }
        return ContinuousClock.now >= deadline
    }

    /// Throws `CancellationError` once the work is to stop (the server answers CANCELLED, or
    /// DEADLINE_EXCEEDED when the deadline passed).
    func check() throws {
        if isStopped { throw CancellationError() }
    }
}
