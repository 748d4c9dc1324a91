import ChatPanelStore
public import Logging
public import ServiceLifecycle

/// Forgets page views' IP addresses once they are older than the retention (their country and
/// city were resolved when they were recorded): at start and then every hour.
public struct IPRetentionSweeper: Service {
    private let store: InsightsStore
    private let retention: Duration
    private let interval: Duration
    private let logger: Logger

    /// A sweeper of `store`'s page views.
    public init(store: InsightsStore, retention: Duration, interval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    /// Sweeps until cancelled or shut down.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let forgotten = try await store.forgetIPAddresses(viewedBefore: store.now() - retention.components.seconds * 1000)
                if forgotten > 0 { logger.info("insights.ip.forgotten", metadata: ["chatpanel.insights.page_views": "\(forgotten)"]) }
            } catch {
                logger.warning("insights.ip.sweep_failed", metadata: ["chatpanel.insights.error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
