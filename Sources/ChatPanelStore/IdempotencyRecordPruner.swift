public import Logging
public import ServiceLifecycle

/// Forgets the answers kept for retried mutations once no caller can still be retrying them,
/// so `rpc_idempotency` does not grow without end: every ``interval``, the records older than
/// ``retention`` go. A retry later than that is applied again. A `Service` of the process's
/// group; every service with idempotent mutations runs one.
public struct IdempotencyRecordPruner: Service {
    private let store: SQLiteStore
    /// How long an answer is kept for retries. Default 7 days (callers retry for seconds to minutes).
    public let retention: Duration
    /// How long the change feed keeps a change. Default 1 hour.
    public let changeRetention: Duration
    /// How often it prunes. Default 1 hour.
    public let interval: Duration
    private let now: @Sendable () -> Int64
    private let logger: Logger
    private let metrics = JobMetrics(job: "idempotency_pruner")

    /// A pruner of `store`'s idempotency records; `now` gives UTC milliseconds (tests may move it).
    public init(
        store: SQLiteStore, retention: Duration = .seconds(7 * 86_400), changeRetention: Duration = .seconds(3600),
        interval: Duration = .seconds(3600), now: @escaping @Sendable () -> Int64 = UTCMilliseconds.now, logger: Logger
    ) {
        self.store = store
        self.retention = retention
        self.changeRetention = changeRetention
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    /// Prunes at start and then every ``interval`` until cancelled or shut down.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let removed = try await store.pruneIdempotencyRecords(before: now() - retention.components.seconds * 1000)
                if removed > 0 { logger.info("store.idempotency.pruned", metadata: ["chatpanel.store.removed": "\(removed)"]) }
                metrics.finished(.done)
            } catch {
                metrics.finished(.retried)
                logger.warning("store.idempotency.prune_failed", metadata: ["chatpanel.store.error": "\(error)"])
            }
            do {
                let removed = try await store.pruneChanges(before: now() - changeRetention.components.seconds * 1000)
                if removed > 0 { logger.info("store.changes.pruned", metadata: ["chatpanel.store.removed": "\(removed)"]) }
            } catch {
                logger.warning("store.changes.prune_failed", metadata: ["chatpanel.store.error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                return  // cancelled or shutting down
            }
        }
    }
}
