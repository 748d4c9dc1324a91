/// One service the gateway calls, described in one place: its name, how the gateway process is
/// told where it listens, the widget actions it answers, the widgets it composes, and its part
/// in a merge. The process's flags and environment keys, the health report, the action catalog,
/// the panel and the merge workflow are all made from ``all``: adding a service (orders,
/// insights) is writing its descriptor and adding it there.
///
/// ```swift
/// extension UpstreamDescriptor {
///     static let orders = UpstreamDescriptor(
///         name: "orders", environmentKey: "CHATPANEL_ORDERS_SOCKET",
///         actions: [GatewayAction(OrdersV1.Orders.createOrder, right: .orders, refresh: [.order], bind: [.client(\.clientID, field: "client_id")])],
///         widgets: WidgetSource(...), mergeStep: MergeStepDescriptor(name: "move orders") { upstream, context in ... })
/// }
/// ```
public struct UpstreamDescriptor: Sendable {
    /// The service's name, as health reports and the configuration say it: `clients`.
    public let name: String
    /// The `chatpaneld gateway` flag naming its socket, without the dashes: `clients-socket`.
    public let socketFlag: String
    /// The environment key naming its socket when the flag is not given: `CHATPANEL_CLIENTS_SOCKET`.
    public let environmentKey: String
    /// The socket's file name in the state folder when neither names one: `clients.sock`.
    public let defaultSocketFileName: String
    /// How long the gateway's health check waits for the service's own.
    public let healthCheckTimeout: Duration
    /// The widget actions it answers through `Act`.
    let actions: [GatewayAction]
    /// The panel widgets it composes; nil when it composes none.
    let widgets: WidgetSource?
    /// Its step in a merge of two clients (CLIENT-9), in ``all``'s order; nil when it keeps nothing per client.
    let mergeStep: MergeStepDescriptor?
    /// Called only when its flag or environment key names a socket (no state-folder default):
    /// without it, its widgets answer "not configured", its actions are not forwarded and
    /// merges skip its step. The orders service is optional while deployments adopt it.
    public let isOptional: Bool

    init(
        name: String, environmentKey: String, healthCheckTimeout: Duration = .milliseconds(300), actions: [GatewayAction],
        widgets: WidgetSource?, mergeStep: MergeStepDescriptor?, isOptional: Bool = false
    ) {
        self.name = name
        self.socketFlag = "\(name)-socket"
        self.environmentKey = environmentKey
        self.defaultSocketFileName = "\(name).sock"
        self.healthCheckTimeout = healthCheckTimeout
        self.actions = actions
        self.widgets = widgets
        self.mergeStep = mergeStep
        self.isOptional = isOptional
    }

    /// Every service the gateway calls, in merge-step order. The clients service comes first:
    /// it owns the base client block of every panel.
    public static let all: [UpstreamDescriptor] = [.clients, .tasks, .orders, .insights]
}

/// A service's part in a merge: a named, idempotent step run with the workflow's context.
struct MergeStepDescriptor: Sendable {
    /// Shown in the workflow's progress.
    let name: String
    /// Runs the step against the service; safe to repeat (the context's request id is the same on every attempt).
    let run: @Sendable (Upstream, MergeStepContext) async throws -> Void
}
