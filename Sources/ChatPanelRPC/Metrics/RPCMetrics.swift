public import ChatPanelProto
import CoreMetrics
import Synchronization

/// What the RPC runtime records, through swift-metrics (the process picks the backend; the
/// ChatPanel processes export Prometheus text through `Metrics/Scrape`):
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `chatpanel_rpc_calls_total` | counter | `method`, `code` |
/// | `chatpanel_rpc_call_duration_seconds` | histogram | `method` |
/// | `chatpanel_rpc_calls_in_flight` | gauge | |
/// | `chatpanel_rpc_connections` | gauge | |
/// | `chatpanel_rpc_frames_rejected_total` | counter | `reason` (`undecodable`, `too_large`, `too_slow`, `connection_cap`) |
///
/// Metric objects are made once (per method when it is registered, per method and code) and
/// reused: recording a call is a few atomic operations, not a look-up in the backend. The
/// server-wide ones, a counter for each rejection reason among them, are made when the process
/// chooses its backend (``ServerMetrics/prepare()``), so a fresh process exports them at 0.
final class RouteMetrics: Sendable {
    let method: String
    let duration: CoreMetrics.Timer
    private let calls: StatusCounters

    init(method: String) {
        self.method = method
        self.duration = CoreMetrics.Timer(
            label: "chatpanel_rpc_call_duration_seconds", dimensions: [("method", method)], preferredDisplayUnit: .seconds)
        self.calls = StatusCounters(label: "chatpanel_rpc_calls_total", dimensions: [("method", method)])
    }

    private static let all = Mutex<[String: RouteMetrics]>([:])

    /// The metrics of `method`, made on first use: routers ask when a method is registered, which
    /// the service host does after the process chose its backend.
    static func of(_ method: String) -> RouteMetrics {
        all.withLock { all in
            if let metrics = all[method] { return metrics }
            let made = RouteMetrics(method: method)
            all[method] = made
            return made
        }
    }

    /// Records one call: its code, and its duration when it ran.
    func record(code: RPCError.Code, nanoseconds: Int64?) {
        if let nanoseconds { duration.recordNanoseconds(nanoseconds) }
        calls.increment(code)
    }
}

/// A counter per status code under one label (`code` beside the given dimensions). The OK
/// counter is made up front and counted without a lock: it is nearly every call. The others
/// are made when a code first occurs, so the exposition lists only codes that happened.
public final class StatusCounters: Sendable {
    private let label: String
    private let dimensions: [(String, String)]
    private let ok: CoreMetrics.Counter
    private let failures = Mutex<[RPCError.Code: CoreMetrics.Counter]>([:])

    /// Counters of `label` with `dimensions` plus `code`.
    public init(label: String, dimensions: [(String, String)]) {
        self.label = label
        self.dimensions = dimensions
        self.ok = CoreMetrics.Counter(label: label, dimensions: dimensions + [("code", RPCError.Code.ok.protoName)])
    }

    /// Counts one call that ended with `code`.
    public func increment(_ code: RPCError.Code) {
        if code == .ok {
            ok.increment()
            return
        }
        let counter = failures.withLock { counters in
            if let counter = counters[code] { return counter }
            let made = CoreMetrics.Counter(label: label, dimensions: dimensions + [("code", code.protoName)])
            counters[code] = made
            return made
        }
        counter.increment()
    }
}

/// The server-wide metrics.
public enum ServerMetrics {
    static let callsInFlight = Gauge(label: "chatpanel_rpc_calls_in_flight")
    static let connections = Gauge(label: "chatpanel_rpc_connections")

    /// Why a frame or connection was refused.
    enum Rejection: String, CaseIterable {
        case undecodable, tooLarge = "too_large", tooSlow = "too_slow", connectionCap = "connection_cap"
    }

    /// A counter per reason, made together.
    private static let rejections = Dictionary(
        uniqueKeysWithValues: Rejection.allCases.map { reason in
            (reason, CoreMetrics.Counter(label: "chatpanel_rpc_frames_rejected_total", dimensions: [("reason", reason.rawValue)]))
        })

    static func rejected(_ reason: Rejection) {
        rejections[reason]?.increment()
    }

    /// Makes every server-wide series (the gauges, and the rejections under each reason), so
    /// that a process exports them at 0 before anything happened, as Prometheus expects of a
    /// counter. Call once the process chose its metrics backend: a metric made before that
    /// records nowhere.
    public static func prepare() {
        _ = callsInFlight
        _ = connections
        _ = rejections
    }
}
