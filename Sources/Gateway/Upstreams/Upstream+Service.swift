import ChatPanelRPC
public import ServiceLifecycle
import Synchronization

extension Upstream: Service {
    /// Holds the upstream's client open until the process shuts down (or this task is
    /// cancelled), lets the calls in flight through it finish, then closes it. Later calls
    /// fail with UNAVAILABLE.
    ///
    /// `ChatPanelProcess` lists the RPC server before the background services, and a
    /// `ServiceGroup` shuts its services down in reverse order: the upstreams are told before the
    /// server drains, which is why this waits for the calls already made.
    public func run() async throws {
        try? await gracefulShutdown()
        await withCheckedContinuation { continuation in
            if !calls.withLock({ $0.wait(continuation) }) { continuation.resume() }
        }
        await client.close()
    }
}
