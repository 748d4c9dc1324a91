public import ChatPanelProto
public import ChatPanelRPC

/// One service the gateway calls: its multiplexed client and its circuit breaker.
public final class Upstream: Sendable {
    /// The service's name, like `clients`.
    public let name: String
    /// The client (one multiplexed connection, reconnecting with backoff).
    public let client: RPCClient
    /// The breaker guarding it.
    public let breaker: CircuitBreaker

    /// An upstream at a socket path.
    public init(name: String, socketPath: String, breaker: CircuitBreaker.Configuration = .init(), connectTimeout: Duration = .milliseconds(500)) {
        self.name = name
        var configuration = RPCClientConfiguration(socketPath: socketPath)
        configuration.connectTimeout = connectTimeout
        self.client = RPCClient(configuration: configuration)
        self.breaker = CircuitBreaker(configuration: breaker)
    }

    /// Calls a unary method through the breaker.
    public func call<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, options: RPCCallOptions
    ) async throws -> Response {
        try await guarded { try await client.unary(method, request, options: options) }
    }

    /// Forwards an encoded request through the breaker and returns the encoded answer.
    public func call(path: String, payload: [UInt8], options: RPCCallOptions) async throws -> [UInt8] {
        try await guarded { try await client.unary(path: path, payload: payload, options: options) }
    }

    private func guarded<T>(_ body: () async throws -> T) async throws -> T {
        guard breaker.acquire() else {
            throw RPCError.unavailable("\(name) is unavailable (circuit open after repeated failures)")
        }
        do {
            let result = try await body()
            breaker.recordSuccess()
            return result
        } catch let error as RPCError {
            switch error.code {
            case .unavailable, .deadlineExceeded: breaker.recordFailure()
            case .cancelled: break
            default: breaker.recordSuccess()
            }
            throw error
        }
    }

    /// The upstream's health: its own `Health/Check`, or why it cannot be asked.
    public func health() async -> HealthV1.ComponentHealth {
        if case .open = breaker.currentState {
            return HealthV1.ComponentHealth(name: name, status: .notServing, detail: "circuit open")
        }
        do {
            let response = try await client.unary(
                HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: RPCCallOptions(timeout: .milliseconds(300)))
            return HealthV1.ComponentHealth(name: name, status: response.status, detail: "\(response.process) \(response.version)")
        } catch {
            return HealthV1.ComponentHealth(name: name, status: .notServing, detail: "\(error)")
        }
    }
}
