/// Settings of the gateway process.
public struct GatewayConfiguration: Sendable {
    /// Each upstream's socket, keyed by the upstream's name (``UpstreamDescriptor/name``).
    public var upstreamSockets: [String: String]
    /// The longest a panel may take; each widget gets what is left of it. Default 1 s.
    public var panelTimeout: Duration = .seconds(1)
    /// Circuit breaker settings for every upstream.
    public var breaker = CircuitBreaker.Configuration()
    /// How merge workflows wait between attempts at a step whose service is away, and when they give up.
    public var mergeRetry = MergeRetryPolicy()
    /// The live panel: stalled watchers, coalescing, feed subscriptions.
    public var live = LiveConfiguration()
    /// How many dialogs' card keys the gateway remembers, to ask for a panel's other widgets
    /// while its card is read (``DialogKeyHints``); 0 asks for them after the card, always.
    /// About 250 bytes a dialog. Default 250 000.
    public var panelKeyHints = 250_000

    /// A configuration with every upstream's socket, keyed by upstream name.
    public init(upstreamSockets: [String: String]) {
        self.upstreamSockets = upstreamSockets
    }

    /// A configuration with the clients and tasks services' sockets.
    public init(clientsSocket: String, tasksSocket: String) {
        self.init(upstreamSockets: [UpstreamDescriptor.clients.name: clientsSocket, UpstreamDescriptor.tasks.name: tasksSocket])
    }
}
