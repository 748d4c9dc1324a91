public import NIOCore

/// Runs Swift tasks on a NIO event loop.
///
/// The RPC server runs each call's handler on the thread that read its frame, so it answers
/// without hopping between threads, and an ``RPCClient`` call made from such a task is written,
/// answered and resumed on that same thread. Other code can do the same:
///
/// ```swift
/// let executor = EventLoopTaskExecutor(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
/// let answer = try await withTaskExecutorPreference(executor) {
///     try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest())
/// }
/// ```
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    /// The loop the tasks run on.
    public let eventLoop: any EventLoop

    /// An executor for `eventLoop`.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
