/// Settings of the gateway process.
public struct GatewayConfiguration: Sendable {
    /// The clients service's socket.
    public var clientsSocket: String
    /// The tasks service's socket.
    public var tasksSocket: String
    /// The orders service's socket; nil: the Products and Cart widgets answer "not configured".
    public var ordersSocket: String? = nil
    /// The longest a panel may take; each widget gets what is left of it. Default 1 s.
    public var panelTimeout: Duration = .seconds(1)
    /// Circuit breaker settings for every upstream.
    public var breaker = CircuitBreaker.Configuration()

    /// A configuration with the upstreams' sockets.
    public init(clientsSocket: String, tasksSocket: String) {
        self.clientsSocket = clientsSocket
        self.tasksSocket = tasksSocket
    }
}
