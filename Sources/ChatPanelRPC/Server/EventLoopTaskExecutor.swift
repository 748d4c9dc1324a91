public import NIOCore

/// Runs Swift tasks on a NIO event loop.
///
/// The RPC server runs each call's handler on the thread that read its frame, so it answers
/// without hopping between threads, and an ``RPCClient`` call made from such a task is written,
/// answered and resumed on that same thread. Other code can do the same. A call made from
/// Swift's cooperative pool hands its task to the connection's loop and back, waking a thread
/// each way (3–8 µs more CPU a call on a 2-core VM, see the README's cost figures), so a task
/// that makes many calls runs on a loop for all of them: entering and leaving the preference
/// costs the same two hand-offs as one call.
///
/// ```swift
/// let client = RPCClient(configuration: .init(socketPath: path), eventLoopGroup: loop)
/// let executor = EventLoopTaskExecutor(eventLoop: loop)
/// let cards = try await withTaskExecutorPreference(executor) {
///     var cards: [ClientsV1.ClientCard] = []
///     for id in ids { cards.append(try await client.unary(ClientsV1.Clients.getClientCard, request(id))) }
///     return cards
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
