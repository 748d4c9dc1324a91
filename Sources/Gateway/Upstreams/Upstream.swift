public import ChatPanelProto
public import ChatPanelRPC
import Synchronization

/// One service the gateway calls: its multiplexed client, its circuit breaker, and what it
/// is to the gateway (its ``UpstreamDescriptor``). A `Service` of the gateway process: it
/// closes its client on shutdown (see ``run()``).
public final class Upstream: Sendable {
    /// The service's name, like `clients`.
    public var name: String { descriptor.name }
    /// What the gateway knows about the service.
    public let descriptor: UpstreamDescriptor
    /// The client (one multiplexed connection per event loop, reconnecting with backoff).
    public let client: RPCClient
    /// The breaker guarding it.
    public let breaker: CircuitBreaker
    /// The calls going through it now.
    let calls = Mutex(CallsInFlight())
    private let metrics: UpstreamMetrics

    /// An upstream at a socket path.
    public init(
        _ descriptor: UpstreamDescriptor, socketPath: String, breaker: CircuitBreaker.Configuration = .init(),
        connectTimeout: Duration = .milliseconds(500)
    ) {
        self.descriptor = descriptor
        var configuration = RPCClientConfiguration(socketPath: socketPath)
        configuration.connectTimeout = connectTimeout
        self.client = RPCClient(configuration: configuration)
        let metrics = UpstreamMetrics(upstream: descriptor.name)
        self.metrics = metrics
        self.breaker = CircuitBreaker(configuration: breaker) { state in metrics.breaker(state) }
    }

    /// Calls a unary method through the breaker. A request that does not encode never reaches
    /// the breaker; an answer that does not decode is the gateway's error, not the upstream's.
    public func call<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, options: RPCCallOptions
    ) async throws -> Response {
        try client.decode(try await call(path: method.path, payload: try client.encode(request), options: options))
    }

    /// Calls a unary method through the breaker and reads its answer as `view`: a message with
    /// the response's field numbers whose parts are left encoded (`bytes`), so that the parts
    /// are forwarded (into widgets) as the service encoded them, never decoded here. An answer
    /// that does not read as the view is INTERNAL, naming the method and the upstream.
    public func call<Request, Response, View: ProtoMessage>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, options: RPCCallOptions, answerAs view: View.Type
    ) async throws -> View {
        try read(try await call(path: method.path, payload: try client.encode(request), options: options), of: method.path, as: view)
    }

    /// Forwards an encoded request through the breaker and returns the encoded answer: the
    /// started call of ``start(path:payload:options:)``, awaited.
    public func call(path: String, payload: [UInt8], options: RPCCallOptions) async throws -> [UInt8] {
        try await start(path: path, payload: payload, options: options).answer()
    }

    /// Starts a unary call through the breaker and returns at once (see
    /// ``start(path:payload:options:)``); a request that does not encode is a call that failed
    /// already, and never reaches the breaker.
    public func start<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, options: RPCCallOptions
    ) -> RPCClient.UnaryCall {
        let payload: [UInt8]
        do {
            payload = try client.encode(request, inOnePass: true)  // the panel's calls: the hot path
        } catch {
            return RPCClient.UnaryCall(failed: error)
        }
        return start(path: method.path, payload: payload, options: options)
    }

    /// Starts an encoded request through the breaker and returns at once (see
    /// ``RPCClient/start(path:payload:options:onCompletion:)``): several calls started in turn
    /// are under way together. The breaker and the calls in flight hear how it ended when it
    /// completes, awaited or not; a call the breaker refuses is a call that failed already.
    public func start(path: String, payload: [UInt8], options: RPCCallOptions) -> RPCClient.UnaryCall {
        let attempt: Attempt
        do {
            attempt = try begin()
        } catch {
            return RPCClient.UnaryCall(failed: error)
        }
        return client.start(path: path, payload: payload, options: options) { result in
            attempt.ended(result)
            self.end()
        }
    }

    /// An answer read as `view` (see ``call(_:_:options:answerAs:)``): bytes that do not read
    /// are INTERNAL, naming the method and the upstream.
    public func read<View: ProtoMessage>(_ answer: [UInt8], of path: String, as view: View.Type) throws -> View {
        do {
            return try View(serializedBytes: answer)
        } catch {
            throw RPCError(code: .internal, message: "undecodable \(path) answer from \(name): \(error)")
        }
    }

    /// A call let through the breaker: ``Attempt/ended(_:)`` tells the breaker how it went, and
    /// ``end()`` takes it off the calls in flight.
    ///
    /// The breaker counts the upstream's own failures: the connection failing or the service
    /// saying UNAVAILABLE, and a missed deadline only when the service sent nothing at all while
    /// the call waited. A deadline missed while the service kept answering other calls is the
    /// caller's queue (or a deadline set too short for it), not a sign that the service is down.
    private struct Attempt {
        let upstream: Upstream
        /// When it started: both for the call's duration and for whether the service was heard
        /// from since.
        let started: RPCClient.Moment

        func ended(_ result: Result<[UInt8], any Error>) {
            switch result {
            case .success:
                upstream.breaker.recordSuccess()
                upstream.metrics.record(code: .ok, nanoseconds: started.nanosecondsAgo)
            case .failure(let error as RPCError): failed(error)
            case .failure(let error): failed(RPCError(code: .internal, message: "\(error)"))
            }
        }

        private func failed(_ error: RPCError) {
            upstream.metrics.record(code: error.code, nanoseconds: started.nanosecondsAgo)
            switch error.code {
            case .unavailable: upstream.breaker.recordFailure()
            case .deadlineExceeded where !upstream.client.heardFromService(since: started): upstream.breaker.recordFailure()
            case .deadlineExceeded, .cancelled, .resourceExhausted: upstream.breaker.release()
            default: upstream.breaker.recordSuccess()
            }
        }
    }

    /// Lets a call through the breaker (or refuses it, UNAVAILABLE, while the breaker is open)
    /// and counts it in flight.
    private func begin() throws -> Attempt {
        guard breaker.acquire() else {
            throw RPCError.unavailable("\(name) is unavailable (circuit open after repeated failures)")
        }
        calls.withLock { $0.begin() }
        return Attempt(upstream: self, started: client.now())
    }

    /// Takes a call off the calls in flight (waking a shutdown waiting for the last one).
    private func end() {
        calls.withLock { $0.end() }?.resume()
    }

    /// The upstream's health: its own `Health/Check`, asked even while the breaker is open, so
    /// that a service that is back closes the breaker without waiting for a panel to probe it.
    public func health() async -> HealthV1.ComponentHealth {
        do {
            let response = try await client.unary(
                HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: RPCCallOptions(timeout: descriptor.healthCheckTimeout))
            if response.status == .serving { breaker.recordSuccess() }
            return HealthV1.ComponentHealth(name: name, status: response.status, detail: "\(response.process) \(response.version)")
        } catch {
            if case .open = breaker.currentState {
                return HealthV1.ComponentHealth(name: name, status: .notServing, detail: "circuit open: \(error)")
            }
            return HealthV1.ComponentHealth(name: name, status: .notServing, detail: "\(error)")
        }
    }
}

/// The calls going through an upstream, so that shutting it down can wait for them.
struct CallsInFlight {
    /// How many calls are in flight.
    private(set) var count = 0
    private var drained: CheckedContinuation<Void, Never>?

    /// Starts a call.
    mutating func begin() { count += 1 }

    /// Ends a call; returns the waiter to resume when it was the last one.
    mutating func end() -> CheckedContinuation<Void, Never>? {
        count -= 1
        guard count == 0, let waiter = drained else { return nil }
        drained = nil
        return waiter
    }

    /// Registers the one waiter; returns false (and keeps nothing) when no call is in flight.
    mutating func wait(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        guard count > 0 else { return false }
        drained = continuation
        return true
    }
}
