public import ChatPanelProto
import Logging

/// The methods a server answers, each with its typed handler.
///
/// ```swift
/// var router = RPCRouter()
/// router.register(HealthV1.Health.check) { request, context in
///     HealthV1.HealthCheckResponse()
/// }
/// ```
public struct RPCRouter: Sendable {
    private(set) var routes: [String: RPCRoute] = [:]

    /// An empty router.
    public init() {}

    /// Every registered method path.
    public var methodPaths: [String] { routes.keys.sorted() }

    /// The group of a registered method: `.some(nil)` for one every allowed peer may call,
    /// `nil` for a path not registered.
    public func group(of path: String) -> MethodGroup?? { routes[path].map(\.group) }

    /// Answers a unary method of `group` (`nil`: any allowed peer may call it, as health checks).
    public mutating func register<Request, Response>(
        _ method: UnaryMethod<Request, Response>, group: MethodGroup? = .panel,
        handler: @escaping @Sendable (Request, RPCCallContext) async throws -> Response
    ) {
        routes[method.path] = RPCRoute(
            isStreaming: false, group: group, metrics: RouteMetrics.of(method.path),
            handler: .task { payload, context, limits, _ in
                let request = try Self.decode(Request.self, payload, limits)
                let response = try await handler(request, context)
                return try Self.encode(response)
            })
    }

    /// Answers a unary method of `group` with a handler that returns its response already
    /// encoded: the bytes of a `Response`, for an answer written in one pass from parts that
    /// are encoded already (the gateway's panel, whose widgets carry the services' bytes).
    /// The handler owns the encoding's correctness (its tests compare it with `Response`'s own);
    /// an encoding it cannot make is thrown as any other error of a handler (INTERNAL).
    public mutating func register<Request, Response>(
        _ method: UnaryMethod<Request, Response>, group: MethodGroup? = .panel,
        encoded handler: @escaping @Sendable (Request, RPCCallContext) async throws -> [UInt8]
    ) {
        routes[method.path] = RPCRoute(
            isStreaming: false, group: group, metrics: RouteMetrics.of(method.path),
            handler: .task { payload, context, limits, _ in
                let request = try Self.decode(Request.self, payload, limits)
                return try await handler(request, context)
            })
    }

    /// Answers a unary method of `group` with a handler that never suspends: it runs inside the
    /// read of its request, on the connection's event loop thread, with no task of its own (a
    /// task, its task-local values and its async frames cost about a tenth of a small call).
    /// For handlers that validate, read the store (``ChatPanelStore``'s `readNow`, on the loop's
    /// own connection) and answer; a handler that awaits anything registers with
    /// ``register(_:group:handler:)``. The call's ``RPCCallContext/current`` and ``RequestDigest`` are
    /// bound while it runs, as for any handler. Its answer is written by the message's
    /// generated encoder (``ProtoMessage/onePassBytes()``). It blocks its loop while it runs, so
    /// it must be short: nothing interrupts it at its deadline (its answer, if late, finds a
    /// caller that has given up), and a CANCEL frame for it cannot arrive before it has answered.
    public mutating func register<Request, Response>(
        _ method: UnaryMethod<Request, Response>, group: MethodGroup? = .panel,
        synchronous handler: @escaping @Sendable (Request, RPCCallContext) throws -> Response
    ) {
        routes[method.path] = RPCRoute(
            isStreaming: false, group: group, metrics: RouteMetrics.of(method.path),
            handler: .atOnce { payload, context, limits in
                let request = try Self.decode(Request.self, payload, limits)
                return try Self.encode(try handler(request, context), inOnePass: true)
            })
    }

    /// Answers a server-streaming method of `group`: the handler sends messages, then returns to end the stream.
    ///
    /// A subscription (`isSubscription`: a stream that lasts as long as its caller listens, like
    /// a change feed) may run up to ``RPCServerConfiguration/maximumSubscriptionTimeout`` rather
    /// than the unary cap, and is ended with `UNAVAILABLE` as soon as the server starts draining
    /// (its caller subscribes again elsewhere or later) instead of holding the shutdown up.
    public mutating func register<Request, Response>(
        _ method: ServerStreamingMethod<Request, Response>, group: MethodGroup? = .panel, isSubscription: Bool = false,
        handler: @escaping @Sendable (Request, RPCServerStreamWriter<Response>, RPCCallContext) async throws -> Void
    ) {
        routes[method.path] = RPCRoute(
            isStreaming: true, isSubscription: isSubscription, group: group, metrics: RouteMetrics.of(method.path),
            handler: .task { payload, context, limits, sink in
                let request = try Self.decode(Request.self, payload, limits)
                try await handler(request, RPCServerStreamWriter(sink: sink), context)
                return []
            })
    }

    /// Adds every route of another router.
    public mutating func merge(_ other: RPCRouter) {
        routes.merge(other.routes) { _, new in new }
    }

    func route(for path: String) -> RPCRoute? { routes[path] }

    private static func decode<M: ProtoMessage>(_ type: M.Type, _ payload: [UInt8], _ limits: ProtoDecodingLimits) throws -> M {
        do {
            return try M(serializedBytes: payload, limits: limits)
        } catch let error as ProtoCodingError {
            if error.field.isEmpty {
                throw RPCError(code: .invalidArgument, message: "request payload \(error.reason)")
            }
            throw RPCError.invalidArgument(field: error.field, error.reason)
        }
    }

    /// An answer encoded (`inOnePass`: a synchronous handler's, the panel's hot reads, written by
    /// the message's generated encoder, ``ProtoMessage/onePassBytes()``: the same bytes).
    private static func encode<M: ProtoMessage>(_ message: M, inOnePass: Bool = false) throws -> [UInt8] {
        do {
            return try inOnePass ? message.onePassBytes() : message.serializedBytes()
        } catch {
            throw ResponseEncodingError(cause: error)
        }
    }
}

/// A response the server could not encode (a handler bug): leaves as INTERNAL.
struct ResponseEncodingError: Error {
    let cause: any Error
}

/// One method's type-erased handler (a class: a call takes its route with one retain).
final class RPCRoute: Sendable {
    let isStreaming: Bool
    /// A long-lived stream: its own deadline cap, ended when the server drains.
    let isSubscription: Bool
    /// Who may call it; nil: every allowed peer.
    let group: MethodGroup?
    /// Its metrics, made when it is registered: a call records without looking them up.
    let metrics: RouteMetrics
    /// How its handler runs, taking the request's payload and giving the answer's.
    let handler: Handler

    init(isStreaming: Bool, isSubscription: Bool = false, group: MethodGroup?, metrics: RouteMetrics, handler: Handler) {
        self.isStreaming = isStreaming
        self.isSubscription = isSubscription
        self.group = group
        self.metrics = metrics
        self.handler = handler
    }

    enum Handler: Sendable {
        /// In a task of its own, which may suspend; a stream's messages go through the sink.
        case task(@Sendable ([UInt8], RPCCallContext, ProtoDecodingLimits, RPCRawStreamSink) async throws -> [UInt8])
        /// Inside the read of its request, with no task: a unary handler that never suspends.
        case atOnce(@Sendable ([UInt8], RPCCallContext, ProtoDecodingLimits) throws -> [UInt8])
    }
}
