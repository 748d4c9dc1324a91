import ChatPanelProto
public import ChatPanelRPC
public import ChatPanelStore
import CoreMetrics
import Foundation
import Synchronization
public import Prometheus

/// The process's metrics: swift-metrics with swift-prometheus as the backend, set up once per
/// process (the first service host does it, before any metric is made), and exported in the
/// Prometheus text format by `chatpanel.metrics.v1.Metrics/Scrape` on the process's socket.
///
/// Every documented series is exported from the start, a counter at 0 (for each documented
/// label value) until something is counted: the RPC server's and the store kit's are made right
/// after the backend is set up, the ones of a method, an upstream or a job when it is made (the
/// service's router, upstreams and jobs are made with its host), the gateway's with it.
public enum ProcessMetrics {
    /// The registry every metric of this process lands in.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        ServerMetrics.prepare()
        StoreMetrics.prepare()
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
            ProcessFigures.record()
            var response = MetricsV1.ScrapeResponse()
            response.text = registry.emitToString()
            return response
        }
        return router
    }
}

/// The standard process figures Prometheus dashboards expect (`process_cpu_seconds_total`,
/// `process_resident_memory_bytes`, `process_open_fds`, `process_start_time_seconds`), read from
/// `/proc/self` when scraped.
enum ProcessFigures {
    /// A counter, brought up to the CPU time read at each scrape.
    private static let cpu = FloatingPointCounter(label: "process_cpu_seconds_total")
    private static let cpuCounted = Mutex(0.0)
    private static let resident = Gauge(label: "process_resident_memory_bytes")
    private static let openFiles = Gauge(label: "process_open_fds")
    private static let startTime = Gauge(label: "process_start_time_seconds")

    static func record() {
        if let stat = ProcStat() {
            let used = stat.cpuSeconds
            let more = cpuCounted.withLock { counted in
                defer { counted = max(counted, used) }
                return max(0, used - counted)
            }
            if more > 0 { cpu.increment(by: more) }
            resident.record(stat.residentBytes)
            if let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8).split(separator: " ").first.flatMap({ Double($0) }) {
                let bootTime = Date().timeIntervalSince1970 - uptime
                startTime.record(bootTime + stat.startSecondsAfterBoot)
            }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFiles.record(entries.count)
        }
    }
}
