import ChatPanelStore
public import Logging
public import ServiceLifecycle

/// Forgets the answers kept for retried mutations once no caller can still be retrying them,
/// so `rpc_idempotency` does not grow without end. A `Service` of the process's group: it
/// prunes at start and then every ``interval``.
public final class IdempotencyPruner: Service, Sendable {
    private let store: ClientsStore
    /// How long an answer is kept for retries. Default 7 days (callers retry for seconds to minutes).
    public let retention: Duration
    /// How often it prunes. Default 1 hour.
    public let interval: Duration
    private let logger: Logger

    /// A pruner for `store`.
    public init(store: ClientsStore, retention: Duration = .seconds(7 * 24 * 3600), interval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    /// Prunes until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let cutoff = UTCMilliseconds.now() - Int64(self.retention.components.seconds) * 1000
                    let removed = try await self.store.database.pruneIdempotencyRecords(before: cutoff)
                    if removed > 0 {
                        self.logger.info("clients.idempotency.pruned", metadata: ["chatpanel.idempotency.removed": "\(removed)"])
                    }
                } catch {
                    self.logger.warning("clients.idempotency.prune_failed", metadata: ["chatpanel.error": "\(error)"])
                }
                try? await Task.sleep(for: self.interval)
            }
        }
    }
}
