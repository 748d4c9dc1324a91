import ChatPanelStore
public import Logging
public import ServiceLifecycle

/// Forgets the stored answers of old mutations (kept so that a retry with the same request id
/// is applied once), so the table does not grow for ever: every `interval`, the records older
/// than `retention` go. A retry later than `retention` is applied again; every mutation of the
/// service is harmless to repeat that late (creates make a second record, the rest converge).
public struct IdempotencyRecordPruner: Service {
    private let store: TasksStore
    private let retention: Duration
    private let interval: Duration
    private let logger: Logger

    /// A pruner of `store`'s idempotency records: by default, once an hour, those older than 7 days.
    public init(store: TasksStore, retention: Duration = .seconds(7 * 86_400), interval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let cutoff = store.now() - retention.components.seconds * 1000
                let removed = try await store.database.pruneIdempotencyRecords(before: cutoff)
                if removed > 0 { logger.info("tasks.idempotency.pruned", metadata: ["chatpanel.tasks.records": "\(removed)"]) }
            } catch {
                logger.warning("tasks.idempotency.prune_failed", metadata: ["chatpanel.tasks.error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                return  // cancelled or shutting down
            }
        }
    }
}
