import ChatPanelProto
import ChatPanelRPC
import CoreMetrics

/// What the gateway records beside the RPC runtime's metrics, through swift-metrics:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `chatpanel_gateway_widgets_total` | counter | `widget` (`tags`, …), `state` (`ok`, `unavailable`, `timed_out`, `forbidden`, `disabled`) |
/// | `chatpanel_gateway_upstream_calls_total` | counter | `upstream`, `code` |
/// | `chatpanel_gateway_upstream_call_duration_seconds` | histogram | `upstream` |
/// | `chatpanel_gateway_upstream_breaker_state` | gauge | `upstream`: 0 closed, 1 half-open, 2 open |
/// | `chatpanel_gateway_upstream_breaker_opened_total` | counter | `upstream`: times the breaker opened |
/// | `chatpanel_gateway_panel_key_hints_total` | counter | `outcome`: `kept` (the widgets asked for with a dialog's remembered card keys were kept), `asked_again` (the card's keys had changed) |
///
/// The widget counters are made once, one per widget kind and state, and found by number:
/// recording a panel's widgets looks nothing up by name. They and the hint counters are made
/// with the gateway (``prepare()``), so a fresh gateway exports each at 0.
enum GatewayMetrics {
    /// The label values of the widget kinds and states, by wire number (0, unspecified, is no
    /// widget and no state: not counted).
    private static let widgetNames = ["", "client", "tags", "products", "tasks", "order", "notes", "summary", "visit", "cart"]
    private static let stateNames = ["", "ok", "unavailable", "timed_out", "forbidden", "disabled"]

    private static let widgetCounters: [[Counter?]] = widgetNames.map { widget in
        stateNames.map { state in
            widget.isEmpty || state.isEmpty
                ? nil : Counter(label: "chatpanel_gateway_widgets_total", dimensions: [("widget", widget), ("state", state)])
        }
    }

    private static let hintsKept = Counter(label: "chatpanel_gateway_panel_key_hints_total", dimensions: [("outcome", "kept")])
    private static let hintsStale = Counter(label: "chatpanel_gateway_panel_key_hints_total", dimensions: [("outcome", "asked_again")])

    /// Makes every widget and hint counter. The gateway calls it when it is made, after the
    /// process chose its metrics backend.
    static func prepare() {
        _ = widgetCounters
        _ = hintsKept
        _ = hintsStale
    }

    /// Counts a panel composed with a dialog's remembered card keys: whether the widgets asked
    /// for with them were kept.
    static func recordHint(kept: Bool) {
        (kept ? hintsKept : hintsStale).increment()
    }

    /// Counts each widget of a composed panel (or refresh) by its kind and state.
    static func record(_ widgets: [GatewayV1.Widget]) {
        for widget in widgets {
            let kind = Int(widget.kind.rawValue)
            let state = Int(widget.state.rawValue)
            guard widgetCounters.indices.contains(kind), stateNames.indices.contains(state) else { continue }
            widgetCounters[kind][state]?.increment()
        }
    }
}

/// The metrics of one upstream, made once with it.
struct UpstreamMetrics: Sendable {
    let upstream: String
    let duration: CoreMetrics.Timer
    let breakerState: Gauge
    private let breakerOpened: Counter
    private let calls: StatusCounters

    init(upstream: String) {
        self.upstream = upstream
        duration = CoreMetrics.Timer(
            label: "chatpanel_gateway_upstream_call_duration_seconds", dimensions: [("upstream", upstream)], preferredDisplayUnit: .seconds)
        breakerState = Gauge(label: "chatpanel_gateway_upstream_breaker_state", dimensions: [("upstream", upstream)])
        breakerOpened = Counter(label: "chatpanel_gateway_upstream_breaker_opened_total", dimensions: [("upstream", upstream)])
        calls = StatusCounters(label: "chatpanel_gateway_upstream_calls_total", dimensions: [("upstream", upstream)])
        breakerState.record(0)
    }

    /// Records one call through the upstream: how it ended and how long it took.
    func record(code: RPCV1.StatusCode, nanoseconds: Int64) {
        duration.recordNanoseconds(nanoseconds)
        calls.increment(code)
    }

    /// Records the breaker's state.
    func breaker(_ state: CircuitBreaker.State) {
        switch state {
        case .closed: breakerState.record(0)
        case .halfOpen: breakerState.record(1)
        case .open:
            breakerState.record(2)
            breakerOpened.increment()
        }
    }
}
