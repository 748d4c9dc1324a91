import ChatPanelProto
import Logging
import NIOCore
import Synchronization

/// Tells a connection to stop taking new calls and close once the ones in flight are done.
struct DrainConnectionEvent: Sendable {}

/// Counters shared by all connections of a server.
final class ServerCounters: Sendable {
    let callsInFlight = Atomic<Int>(0)
    let connections = Atomic<Int>(0)
}

/// Serves the calls of one connection: decodes request frames, runs handlers as tasks on the
/// connection's event loop, enforces deadlines and the in-flight cap, and writes responses in
/// whatever order the calls finish.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct ActiveCall {
        var task: Task<Void, Never>?
        /// When the call expires (see ``ConnectionDeadlineTimer``).
        var deadline: NIODeadline
    }

    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private let peer: PeerCredentials
    private let counters: ServerCounters
    private let executor: EventLoopTaskExecutor
    private var logger: Logger
    // Touched on the connection's event loop only: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var calls: [UInt64: ActiveCall] = [:]
    @exclusivity(unchecked) private var deadlines = ConnectionDeadlineTimer()
    @exclusivity(unchecked) private var draining = false
    private var context: ChannelHandlerContext!

    init(
        router: RPCRouter, configuration: RPCServerConfiguration, peer: PeerCredentials, counters: ServerCounters,
        eventLoop: any EventLoop, logger: Logger
    ) {
        self.router = router
        self.configuration = configuration
        self.peer = peer
        self.counters = counters
        self.executor = EventLoopTaskExecutor(eventLoop: eventLoop)
        self.logger = logger
        self.logger[metadataKey: "chatpanel.rpc.peer"] = "\(peer)"
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let frame: RPCV1.RequestFrame
        do {
            // Decoded where the frame reader left it, without a copy.
            frame = try buffer.withUnsafeReadableBytes { try RPCV1.RequestFrame(unsafeBytes: $0) }
        } catch {
            // Without a decodable envelope there is no call id to answer: the peer is broken.
            logger.warning("rpc.frame.undecodable", metadata: ["chatpanel.rpc.error": "\(error)"])
            context.close(promise: nil)
            return
        }
        switch frame.kind {
        case .cancel:
            cancel(callID: frame.callID)
        case .call:
            startCall(frame)
        case .unrecognized(let value):
            respond(callID: frame.callID, error: RPCError(code: .invalidArgument, message: "unknown request kind \(value)"))
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainConnectionEvent {
            draining = true
            closeIfDrained()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.warning("rpc.connection.error", metadata: ["chatpanel.rpc.error": "\(error)"])
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines.cancel()
        for (_, call) in calls {
            call.task?.cancel()
        }
        counters.callsInFlight.subtract(calls.count, ordering: .relaxed)
        calls.removeAll()
        context.fireChannelInactive()
    }

    // MARK: Calls

    private func startCall(_ frame: RPCV1.RequestFrame) {
        let callID = frame.callID
        guard !draining else {
            respond(callID: callID, error: .unavailable("the server is shutting down"))
            return
        }
        guard calls[callID] == nil else {
            respond(callID: callID, error: RPCError(code: .invalidArgument, message: "call id \(callID) is already in flight"))
            return
        }
        guard calls.count < configuration.maximumCallsInFlightPerConnection else {
            respond(
                callID: callID,
                error: RPCError(
                    code: .resourceExhausted,
                    message: "more than \(configuration.maximumCallsInFlightPerConnection) calls in flight on one connection"))
            return
        }
        guard let route = router.route(for: frame.method) else {
            respond(callID: callID, error: RPCError(code: .unimplemented, message: "method \(frame.method) is not implemented"))
            return
        }

        var timeout = frame.timeoutMs == 0 ? configuration.defaultCallTimeout : Duration.milliseconds(Int64(frame.timeoutMs))
        timeout = min(timeout, configuration.maximumCallTimeout)
        let callContext = RPCCallContext(
            method: frame.method, caller: frame.caller ?? RPCV1.Caller(), requestID: frame.requestID,
            deadline: .now + timeout, peer: peer, logger: logger, callID: callID)

        let expiry = NIODeadline.now() + .nanoseconds(Int64(timeout.milliseconds) * 1_000_000)
        calls[callID] = ActiveCall(task: nil, deadline: expiry)
        counters.callsInFlight.add(1, ordering: .relaxed)
        let eventLoop = context.eventLoop
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let limits = ProtoDecodingLimits(maxDepth: configuration.maximumMessageDepth)
        let sink = RPCRawStreamSink { bytes in
            try await eventLoop.flatSubmit { loopBound.value.writeStreamMessage(callID: callID, payload: bytes) }.get()
        }
        let payload = frame.payload
        let isStreaming = route.isStreaming

        let finish: @Sendable (Result<[UInt8], RPCError>) -> Void = { outcome in
            if eventLoop.inEventLoop {
                loopBound.value.finish(callID: callID, outcome: outcome, isStreaming: isStreaming)
            } else {
                eventLoop.execute { loopBound.value.finish(callID: callID, outcome: outcome, isStreaming: isStreaming) }
            }
        }
        let task = Self.spawn(
            on: executor, route: route, payload: payload, context: callContext, limits: limits, sink: sink, finish: finish)
        // The task may already have finished (a handler that never suspends).
        if calls[callID] != nil {
            calls[callID]?.task = task
            if deadlines.firesAfter(expiry) {
                deadlines.arm(at: expiry, on: eventLoop) { loopBound.value.expireOverdueCalls() }
            }
        }
    }

    /// The connection's deadline timer fired: expires every overdue call and re-arms the timer
    /// for the earliest deadline left.
    private func expireOverdueCalls() {
        deadlines.fired()
        let now = NIODeadline.now()
        var earliest = NIODeadline.distantFuture
        var overdue: [UInt64] = []
        for (callID, call) in calls {
            if call.deadline <= now {
                overdue.append(callID)
            } else {
                earliest = min(earliest, call.deadline)
            }
        }
        for callID in overdue { expire(callID: callID) }
        guard earliest != .distantFuture, context.channel.isActive else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadlines.arm(at: earliest, on: context.eventLoop) { loopBound.value.expireOverdueCalls() }
    }

    private static func spawn(
        on executor: EventLoopTaskExecutor, route: RPCRoute, payload: [UInt8], context: RPCCallContext,
        limits: ProtoDecodingLimits, sink: RPCRawStreamSink, finish: @escaping @Sendable (Result<[UInt8], RPCError>) -> Void
    ) -> Task<Void, Never> {
        Task(executorPreference: executor) {
            do {
                finish(.success(try await route.run(payload, context, limits, sink)))
            } catch {
                finish(.failure(wireError(for: error, context: context)))
            }
        }
    }

    private static func wireError(for error: any Error, context: RPCCallContext) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as any RPCErrorConvertible:
            return error.rpcError
        case is CancellationError:
            return ContinuousClock.now >= context.deadline
                ? .deadlineExceeded() : RPCError(code: .cancelled, message: "the call was cancelled")
        default:
            context.logger.error("rpc.handler.failed", metadata: ["chatpanel.rpc.error": "\(String(reflecting: error))"])
            return .internal
        }
    }

    private func finish(callID: UInt64, outcome: Result<[UInt8], RPCError>, isStreaming: Bool) {
        guard calls.removeValue(forKey: callID) != nil else { return }  // expired or cancelled already
        counters.callsInFlight.subtract(1, ordering: .relaxed)
        switch outcome {
        case .success(let payload):
            var frame = RPCV1.ResponseFrame()
            frame.callID = callID
            frame.endOfStream = true
            frame.status = RPCV1.Status()
            if !isStreaming { frame.payload = payload }
            write(frame)
        case .failure(let error):
            respond(callID: callID, error: error)
        }
        closeIfDrained()
    }

    private func expire(callID: UInt64) {
        guard let call = calls.removeValue(forKey: callID) else { return }
        counters.callsInFlight.subtract(1, ordering: .relaxed)
        call.task?.cancel()
        logger.info("rpc.call.deadline_exceeded", metadata: ["chatpanel.rpc.call_id": "\(callID)"])
        respond(callID: callID, error: .deadlineExceeded())
        closeIfDrained()
    }

    private func cancel(callID: UInt64) {
        guard let call = calls.removeValue(forKey: callID) else { return }
        counters.callsInFlight.subtract(1, ordering: .relaxed)
        call.task?.cancel()
        closeIfDrained()
    }

    private func writeStreamMessage(callID: UInt64, payload: [UInt8]) -> EventLoopFuture<Void> {
        guard calls[callID] != nil, context.channel.isActive else {
            return context.eventLoop.makeFailedFuture(CancellationError())
        }
        var frame = RPCV1.ResponseFrame()
        frame.callID = callID
        frame.status = RPCV1.Status()
        frame.payload = payload
        return write(frame)
    }

    // MARK: Outbound

    private func respond(callID: UInt64, error: RPCError) {
        var frame = RPCV1.ResponseFrame()
        frame.callID = callID
        frame.endOfStream = true
        frame.status = error.status
        write(frame)
    }

    @discardableResult
    private func write(_ frame: RPCV1.ResponseFrame) -> EventLoopFuture<Void> {
        var frame = frame
        var bytes: [UInt8]
        do {
            bytes = try frame.serializedBytes()
        } catch {
            logger.error("rpc.response.unencodable", metadata: ["chatpanel.rpc.error": "\(error)"])
            frame.payload = []
            frame.status = RPCError.internal.status
            bytes = (try? frame.serializedBytes()) ?? []
        }
        if bytes.count > configuration.maximumFrameSize {
            logger.error("rpc.response.too_large", metadata: ["chatpanel.rpc.size": "\(bytes.count)"])
            var replacement = RPCV1.ResponseFrame()
            replacement.callID = frame.callID
            replacement.endOfStream = true
            replacement.status = RPCError(code: .resourceExhausted, message: "the response exceeds the maximum frame size").status
            bytes = (try? replacement.serializedBytes()) ?? []
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.frame(bytes)), promise: promise)
        return promise.futureResult
    }

    private func closeIfDrained() {
        if draining, calls.isEmpty, context.channel.isActive {
            context.close(promise: nil)
        }
    }
}
