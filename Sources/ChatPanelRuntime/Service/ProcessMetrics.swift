public import ChatPanelProto
public import ChatPanelRPC
public import ChatPanelStore
import CoreMetrics
public import Prometheus

/// The process's metrics: swift-metrics with swift-prometheus as the backend, set up once per
/// process (the first service host does it, before any metric is made), and exported in the
/// Prometheus text format by `chatpanel.metrics.v1.Metrics/Scrape` on the process's socket.
public enum ProcessMetrics {
    /// The registry every metric of this process lands in.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Makes sure the backend is in place (idempotent).
    public static func bootstrap() {
        _ = registry
    }

    /// `Metrics/Scrape`, open to every allowed peer (as health is): the text, with the store's
    /// size gauges brought up to date first.
    public static func makeRouter(database: SQLiteStore?) -> RPCRouter {
        var router = RPCRouter()
        router.register(MetricsV1.Metrics.scrape, group: nil) { _, _ in
            database?.recordSizes()
            var response = MetricsV1.ScrapeResponse()
            response.text = registry.emitToString()
            return response
        }
        return router
    }
}
