public import ChatPanelProto
import Instrumentation
import Logging
public import NIOCore
public import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Calls the methods of one service over multiplexed Unix-socket connections: at most one per
/// event loop of its group (two on a 2-core machine).
///
/// A call made from a task running on one of the group's event loops (an RPC handler, say)
/// uses that loop's connection, so the call is written, answered and resumed on one thread
/// with no hop between threads; other callers share the connection of one loop. Calls share a
/// connection and may complete in any order. A connection is made on first use; when it drops,
/// calls in flight on it fail with `UNAVAILABLE` and the next call reconnects. After a failed
/// connect the client waits (50 ms, doubling up to 2 s) before trying again, and calls made
/// meanwhile fail at once with `UNAVAILABLE`: a dead service costs its callers nothing and sees
/// no storm of reconnects.
///
/// ```swift
/// let client = RPCClient(configuration: .init(socketPath: "/run/chatpanel/clients.sock"))
/// let health = try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest())
/// ```
public final class RPCClient: Sendable {
    private enum ConnectionState {
        case connecting(EventLoopFuture<ClientConnection>)
        case connected(ClientConnection)
    }

    private struct State {
        /// The connection of each event loop that has one (keyed by the loop's identity).
        var connections: [ObjectIdentifier: ConnectionState] = [:]
        /// Set after a failed connect: until then, calls fail at once.
        var backoff: (until: ContinuousClock.Instant, reason: String)?
        var consecutiveFailures = 0
        var isClosed = false
    }

    /// The configuration the client was made with.
    public let configuration: RPCClientConfiguration
    private let group: any EventLoopGroup
    /// The loop whose connection serves callers that run on none of the group's loops: one
    /// connection for them all, as a caller on the cooperative pool gains nothing from more.
    private let homeLoop: any EventLoop
    private let state = Mutex(State())
    private let nextCallID = Atomic<UInt64>(1)
    /// When the last frame came from the service, in `NIODeadline` nanoseconds (0: never).
    private let lastFrame = LastFrameClock()

    /// A client; nothing connects until the first call.
    public init(configuration: RPCClientConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.homeLoop = eventLoopGroup.next()
    }

    /// Calls a unary method.
    /// - Throws: ``RPCError`` with the server's status, `UNAVAILABLE` when the service cannot be
    ///   reached, `DEADLINE_EXCEEDED` when no answer came in time, `CANCELLED` when the task was cancelled.
    public func unary<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, options: RPCCallOptions = RPCCallOptions()
    ) async throws -> Response {
        try decode(try await unary(path: method.path, payload: try encode(request), options: options))
    }

    /// A request encoded for ``unary(path:payload:options:)`` (`inOnePass`: by the message's
    /// generated one-pass encoder, ``ProtoMessage/onePassBytes()``, for calls on the panel's hot
    /// path; the same bytes); a string holding U+0000 is `INVALID_ARGUMENT`, naming the field.
    public func encode<Request: ProtoMessage>(_ request: Request, inOnePass: Bool = false) throws -> [UInt8] {
        do {
            return try inOnePass ? request.onePassBytes() : request.serializedBytes()
        } catch let error as ProtoCodingError {
            throw RPCError.invalidArgument(field: error.field, error.reason)
        }
    }

    /// A response that ``unary(path:payload:options:)`` returned, decoded; bytes that do not
    /// decode are `INTERNAL`, naming the service.
    public func decode<Response: ProtoMessage>(_ bytes: [UInt8]) throws -> Response {
        do {
            return try Response(serializedBytes: bytes)
        } catch {
            throw RPCError(code: .internal, message: "undecodable response from \(configuration.socketPath): \(error)")
        }
    }

    /// Calls a unary method with an already encoded request and returns the encoded response,
    /// untouched: a relay keeps fields it does not know.
    public func unary(path: String, payload: [UInt8], options: RPCCallOptions = RPCCallOptions()) async throws -> [UInt8] {
        let (callID, frameBytes, timeout) = try makeFrame(path, payload, options)
        let connection = try await connection()
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<[UInt8], any Error>) in
                connection.start(id: callID, frame: frameBytes, receiver: .unary(continuation), timeout: timeout)
                // In a task cancelled before the call started, `onCancel` already ran and found no
                // call to cancel: cancel it now, behind the start (in order on the loop).
                if Task.isCancelled { connection.cancel(id: callID) }
            }
        } onCancel: {
            connection.cancel(id: callID)
        }
    }

    /// Starts a unary call with an already encoded request and returns at once, the call
    /// written (or, while its connection is being made, to be written when it is): its answer is
    /// kept until ``UnaryCall/answer()`` takes it. Calls started one after the other are under
    /// way together, without a task for each (see ``UnaryCall``).
    ///
    /// `onCompletion` is told how the call ended, once, whether or not its answer is awaited:
    /// on the connection's loop, or on this thread when the call fails before it is written.
    public func start(
        path: String, payload: [UInt8], options: RPCCallOptions = RPCCallOptions(),
        onCompletion: (@Sendable (Result<[UInt8], any Error>) -> Void)? = nil
    ) -> UnaryCall {
        let call = UnaryCall(onCompletion: onCompletion)
        let callID: UInt64
        let frameBytes: RequestFrameBytes
        let timeout: TimeAmount
        let connection: Acquired
        do {
            (callID, frameBytes, timeout) = try makeFrame(path, payload, options)
            connection = try acquireConnection()
        } catch {
            call.complete(.failure(error))
            return call
        }
        switch connection {
        case .ready(let connection):
            connection.start(call, id: callID, frame: frameBytes, timeout: timeout)
        case .connecting(let future):
            future.whenComplete { result in
                switch result {
                case .success(let connection): connection.start(call, id: callID, frame: frameBytes, timeout: timeout)
                case .failure(let error): call.complete(.failure(self.connectFailure(error)))
                }
            }
        }
        return call
    }

    /// Calls a server-streaming method; iterate the result to receive the messages. Stopping the
    /// iteration (or cancelling its task) cancels the call on the server.
    public func serverStreaming<Request, Response>(
        _ method: ServerStreamingMethod<Request, Response>, _ request: Request, options: RPCCallOptions = RPCCallOptions()
    ) -> AsyncThrowingStream<Response, any Error> {
        let payload: [UInt8]
        do {
            payload = try encode(request)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let messages = serverStreaming(path: method.path, payload: payload, options: options)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await bytes in messages { continuation.yield(try Response(serializedBytes: bytes)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Calls a server-streaming method with an already encoded request; the stream gives each
    /// encoded message, untouched.
    public func serverStreaming(
        path: String, payload: [UInt8], options: RPCCallOptions = RPCCallOptions()
    ) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let (callID, frameBytes, timeout) = try makeFrame(path, payload, options)
                    let connection = try await connection()
                    let (frames, framesContinuation) = AsyncThrowingStream<RPCV1.ResponseFrame, any Error>.makeStream()
                    try await withTaskCancellationHandler {
                        connection.start(id: callID, frame: frameBytes, receiver: .stream(framesContinuation), timeout: timeout)
                        // Cancelled before the call started: `onCancel` found nothing to cancel.
                        if Task.isCancelled { connection.cancel(id: callID) }
                        for try await frame in frames {
                            if let status = frame.status, status.code != .ok { throw RPCError(status: status) }
                            if frame.endOfStream { break }
                            continuation.yield(frame.payload)
                        }
                    } onCancel: {
                        connection.cancel(id: callID)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Closes the connections; calls in flight fail with `UNAVAILABLE`, later calls too.
    public func close() async {
        let channels: [any Channel] = state.withLock { state in
            state.isClosed = true
            defer { state.connections.removeAll() }
            return state.connections.values.compactMap { if case .connected(let connection) = $0 { connection.channel } else { nil } }
        }
        for channel in channels { try? await channel.close() }
    }

    /// A moment, to ask later whether the service was heard from since (``heardFromService(since:)``)
    /// and how long ago it was.
    public struct Moment: Sendable {
        fileprivate let uptimeNanoseconds: UInt64

        /// Nanoseconds from this moment until now (on the monotonic clock).
        public var nanosecondsAgo: Int64 { Int64(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds &- uptimeNanoseconds) }
    }

    /// Now, as a ``Moment``.
    public func now() -> Moment { Moment(uptimeNanoseconds: NIODeadline.now().uptimeNanoseconds) }

    /// Whether the service sent anything (an answer to any call, on any connection) after
    /// `moment`. A call that missed its deadline while this is true was slow because of its
    /// queue or its own work, not because the service stopped answering.
    public func heardFromService(since moment: Moment) -> Bool {
        lastFrame.nanoseconds.load(ordering: .relaxed) > moment.uptimeNanoseconds
    }

    /// Whether the client holds an open connection now.
    public var isConnected: Bool {
        state.withLock { state in
            state.connections.values.contains { if case .connected(let connection) = $0 { connection.channel.isActive } else { false } }
        }
    }

    /// The call's frame: the envelope encoded without the payload, and the payload to append to
    /// it as its `payload` field, copied once into the connection's buffer when the frame is
    /// written (a decoder takes fields in any order).
    private func makeFrame(_ path: String, _ payload: [UInt8], _ options: RPCCallOptions) throws -> (UInt64, RequestFrameBytes, TimeAmount) {
        let timeout = options.timeout ?? configuration.defaultCallTimeout
        var frame = RPCV1.RequestFrame()
        frame.callID = nextCallID.wrappingAdd(1, ordering: .relaxed).oldValue
        frame.kind = .call
        frame.method = path
        frame.timeoutMs = UInt32(clamping: max(1, timeout.milliseconds))
        frame.caller = options.caller ?? configuration.defaultCaller
        frame.requestID = options.requestID
        // The caller's span, when it runs in one: a trace the task bound (a tool that started
        // one), else the call its handler serves.
        if let trace = ServiceContext.current?.traceContext ?? RPCCallContext.current?.trace {
            frame.traceparent = trace.traceparent
        }
        let envelope = try frame.encodedEnvelope()
        let size = ByteBufferAllocator.frameBodySize(envelope: envelope, field: Self.payloadField, payload: payload)
        guard size <= configuration.maximumFrameSize else {
            throw RPCError(
                code: .resourceExhausted, message: "the request exceeds the maximum frame size of \(configuration.maximumFrameSize) bytes")
        }
        let bytes = RequestFrameBytes(envelope: envelope, payload: payload, bodySize: size)
        return (frame.callID, bytes, .nanoseconds(timeout.milliseconds * 1_000_000))
    }

    /// `RequestFrame.payload`'s field number (`proto/chatpanel/rpc/v1/rpc.proto`).
    static let payloadField: UInt32 = 7

    private enum Acquire {
        case use(ClientConnection)
        case wait(EventLoopFuture<ClientConnection>)
        case fail(RPCError)
        case connect(EventLoopPromise<ClientConnection>)
    }

    /// A connection to call on: open, or being made.
    private enum Acquired {
        case ready(ClientConnection)
        case connecting(EventLoopFuture<ClientConnection>)
    }

    /// The connection of the caller's event loop (or of the home loop, for callers on none of
    /// the group's loops), connecting it when there is none.
    private func connection() async throws -> ClientConnection {
        switch try acquireConnection() {
        case .ready(let connection):
            return connection
        case .connecting(let future):
            do {
                return try await future.get()
            } catch {
                throw connectFailure(error)
            }
        }
    }

    /// The error of a call whose connection could not be made.
    private func connectFailure(_ error: any Error) -> RPCError {
        RPCError.unavailable("cannot connect to \(configuration.socketPath): \(Self.cause(ofConnectFailure: error))")
    }

    /// The system's own words for a failed connect ("No such file or directory (errno 2)"), not
    /// SwiftNIO's description of the call that failed.
    private static func cause(ofConnectFailure error: any Error) -> String {
        (error as? IOError).map { "\(String(cString: strerror($0.errnoCode))) (errno \($0.errnoCode))" } ?? "\(error)"
    }

    /// The connection of the caller's event loop (or of the home loop), or the connect under way
    /// that makes it (started here when there is none).
    private func acquireConnection() throws -> Acquired {
        let current = group.any()
        let loop = current.inEventLoop ? current : homeLoop
        let key = ObjectIdentifier(loop)
        let action: Acquire = state.withLock { state in
            if state.isClosed { return .fail(.unavailable("the client for \(configuration.socketPath) is closed")) }
            switch state.connections[key] {
            case .connected(let connection) where connection.channel.isActive:
                return .use(connection)
            case .connecting(let future):
                return .wait(future)
            case .connected, nil:
                if let backoff = state.backoff, ContinuousClock.now < backoff.until {
                    return .fail(
                        .unavailable(
                            "\(configuration.socketPath) is unavailable (\(backoff.reason)); next attempt in \(ContinuousClock.now.duration(to: backoff.until).milliseconds) ms"
                        ))
                }
                // Connect outside the lock: a connect that fails at once completes its future
                // (and runs the callbacks that take this lock) on the calling thread.
                let promise = loop.makePromise(of: ClientConnection.self)
                state.connections[key] = .connecting(promise.futureResult)
                return .connect(promise)
            }
        }
        switch action {
        case .use(let connection): return .ready(connection)
        case .fail(let error): throw error
        case .connect(let promise):
            connect(on: loop, key: key, promise)
            return .connecting(promise.futureResult)
        case .wait(let pending):
            return .connecting(pending)
        }
    }

    /// Connects on `loop` and completes `promise`, which the state holds as `.connecting`.
    private func connect(on loop: any EventLoop, key: ObjectIdentifier, _ promise: EventLoopPromise<ClientConnection>) {
        let configuration = self.configuration
        let future = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(configuration.connectTimeout.milliseconds * 1_000_000))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        FrameReader(
                            maximumFrameSize: configuration.maximumFrameSize,
                            frameReadTimeout: .nanoseconds(configuration.frameReadTimeout.milliseconds * 1_000_000)))
                    try channel.pipeline.syncOperations.addHandler(
                        ClientConnectionHandler(
                            socketPath: configuration.socketPath, maximumCallsInFlight: configuration.maximumCallsInFlight,
                            maximumQueuedCalls: configuration.maximumQueuedCalls, lastFrame: self.lastFrame))
                }
            }
            .connect(unixDomainSocketPath: configuration.socketPath)
            .flatMapThrowing { channel in
                // On the channel's loop: the handler is found once per connection.
                ClientConnection(
                    channel: channel,
                    handler: NIOLoopBound(
                        try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self), eventLoop: channel.eventLoop))
            }
        future.whenComplete { result in
            let orphan: (any Channel)? = self.state.withLock { state in
                guard !state.isClosed, case .connecting = state.connections[key] else {
                    // Closed while connecting: nobody will use or close this channel.
                    if case .success(let connection) = result { return connection.channel }
                    return nil
                }
                switch result {
                case .success(let connection):
                    state.connections[key] = .connected(connection)
                    state.consecutiveFailures = 0
                    state.backoff = nil
                case .failure(let error):
                    state.connections[key] = nil
                    state.consecutiveFailures += 1
                    let exponent = min(state.consecutiveFailures - 1, 16)
                    let wait = min(configuration.initialBackoff * (1 << exponent), configuration.maximumBackoff)
                    state.backoff = (until: .now + wait, reason: Self.cause(ofConnectFailure: error))
                }
                return nil
            }
            orphan?.close(promise: nil)
        }
        future.whenSuccess { connection in
            let channel = connection.channel
            channel.closeFuture.whenComplete { _ in
                self.state.withLock { state in
                    if case .connected(let current) = state.connections[key], current.channel === channel {
                        state.connections[key] = nil
                    }
                }
            }
        }
        future.cascade(to: promise)
    }
}

/// When a client last received a frame, shared by its connections.
final class LastFrameClock: Sendable {
    let nanoseconds = Atomic<UInt64>(0)

    func touch() { nanoseconds.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed) }
}

/// One connection of a client: its channel and the handler that matches its calls (used on
/// the channel's loop only).
struct ClientConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ClientConnectionHandler>

    /// Starts a call on the connection's handler: at once when the caller runs on the
    /// connection's loop (an RPC handler calling an upstream), else as one job on it.
    func start(id: UInt64, frame: RequestFrameBytes, receiver: ClientCallReceiver, timeout: TimeAmount) {
        let loop = channel.eventLoop
        if loop.inEventLoop {
            handler.value.start(id: id, frame: frame, receiver: receiver, timeout: timeout)
        } else {
            loop.execute { handler.value.start(id: id, frame: frame, receiver: receiver, timeout: timeout) }
        }
    }

    /// Starts a started call on the connection's handler, as ``start(id:frame:receiver:timeout:)``
    /// does, unless it was cancelled meanwhile. It is placed on the connection in the same
    /// step, on the loop: a cancel that finds it placed is queued behind its start.
    func start(_ call: RPCClient.UnaryCall, id: UInt64, frame: RequestFrameBytes, timeout: TimeAmount) {
        let loop = channel.eventLoop
        if loop.inEventLoop {
            guard call.place(on: self, id: id) else { return }
            handler.value.start(id: id, frame: frame, receiver: .started(call), timeout: timeout)
        } else {
            loop.execute {
                guard call.place(on: self, id: id) else { return }
                handler.value.start(id: id, frame: frame, receiver: .started(call), timeout: timeout)
            }
        }
    }

    /// Gives up on a call, always as a job on the loop (behind its start): a task may be
    /// cancelled from inside the handler's own work.
    func cancel(id: UInt64) {
        channel.eventLoop.execute { handler.value.cancelCall(id: id) }
    }
}
