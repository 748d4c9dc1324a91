import ChatPanelProto
import CoreMetrics
import Logging
import NIOCore
import Synchronization

/// Tells a connection to stop taking new calls and close once the ones in flight are done.
struct DrainConnectionEvent: Sendable {}

/// Counters shared by all connections of a server.
final class ServerCounters: Sendable {
    let callsInFlight = Atomic<Int>(0)
    /// Connections open, those being set up included.
    let connections = Atomic<Int>(0)
    /// Whether the last connection was refused at the cap (for logging once per episode).
    let refusingConnections = Atomic<Bool>(false)
}

/// Serves the calls of one connection: decodes request frames, runs handlers as tasks on the
/// connection's event loop, enforces deadlines, method groups and the in-flight cap, and writes
/// responses in whatever order the calls finish.
///
/// At the cap the connection is not refused but slowed: the handler stops reading (it holds
/// the pipeline's `read` until a call finishes), and the frames already read wait in a queue
/// in arrival order, their deadlines counted from when they were read. A call whose deadline
/// passed while it waited is answered `DEADLINE_EXCEEDED` without being run. The queue holds
/// at most what one read delivered, so a client that pipelines thousands of calls costs the
/// server no more memory than one that sends them in step.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct ActiveCall {
        var task: Task<Void, Never>?
        /// When the call expires (see ``ConnectionDeadlineTimer``).
        var deadline: NIODeadline
        /// When it started, and its method's metrics.
        var startedAt: NIODeadline
        var metrics: RouteMetrics
        /// A subscription: ended with UNAVAILABLE when the connection drains.
        var isSubscription = false
    }

    /// A method's route, and whether this connection's peer may call it.
    private struct KnownRoute {
        let method: String
        let route: RPCRoute
        let allowed: Bool
    }

    /// A call read while the connection was at its cap.
    private struct WaitingCall {
        var frame: RPCV1.RequestFrame
        var receivedAt: NIODeadline
    }

    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private let peer: PeerCredentials
    /// The method groups this peer may call.
    private let peerGroups: Set<MethodGroup>
    private let counters: ServerCounters
    private let executor: EventLoopTaskExecutor
    private var logger: Logger
    // Touched on the connection's event loop only: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var calls: [UInt64: ActiveCall] = [:]
    @exclusivity(unchecked) private var waiting = CircularBuffer<WaitingCall>()
    @exclusivity(unchecked) private var waitingIDs = Set<UInt64>()
    /// A `read` held back because the connection is at its cap.
    @exclusivity(unchecked) private var readHeld = false
    @exclusivity(unchecked) private var deadlines = ConnectionDeadlineTimer()
    @exclusivity(unchecked) private var draining = false
    @exclusivity(unchecked) private var spanIDs = SpanIDGenerator()
    /// Whether ``callEnded()`` is starting waiting calls (it is not re-entered).
    @exclusivity(unchecked) private var startingWaitingCalls = false
    /// Whether the loop is delivering a read: answers written meanwhile are flushed together
    /// when the read completes.
    @exclusivity(unchecked) private var inRead = false
    @exclusivity(unchecked) private var flushPending = false
    /// Answers made within the current read, written when it completes (see `writeAnswer`).
    @exclusivity(unchecked) private var answers = KeptFrameBuffer()
    /// The method the last call named, its route, and whether this peer may call it: a peer
    /// calls the same method again and again (the gateway asks each service for its panel
    /// data), and comparing the path costs less than hashing it and the peer's groups.
    @exclusivity(unchecked) private var lastRoute: KnownRoute?
    private var context: ChannelHandlerContext!

    init(
        router: RPCRouter, configuration: RPCServerConfiguration, peer: PeerCredentials, counters: ServerCounters,
        eventLoop: any EventLoop, logger: Logger
    ) {
        self.router = router
        self.configuration = configuration
        self.peer = peer
        self.peerGroups = configuration.peerPolicy.groups(for: peer)
        self.counters = counters
        self.executor = EventLoopTaskExecutor(eventLoop: eventLoop)
        self.logger = logger
        self.logger[metadataKey: "chatpanel.rpc.peer"] = "\(peer)"
    }

    private var atCap: Bool { calls.count >= configuration.maximumCallsInFlightPerConnection }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Lets go of the context: the context holds this handler, so keeping it would keep both
    /// (and the pipeline) alive after the connection is gone. Calls ended at `channelInactive`,
    /// so nothing after this touches the context.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inRead = true
        let buffer = unwrapInboundIn(data)
        let frame: RPCV1.RequestFrame
        do {
            // Decoded where the frame reader left it, without a copy.
            frame = try buffer.withUnsafeReadableBytes { try RPCV1.RequestFrame(envelope: $0) }
        } catch {
            // Without a decodable envelope there is no call id to answer: the peer is broken.
            logger.warning("rpc.frame.undecodable", metadata: ["chatpanel.rpc.error": "\(error)"])
            ServerMetrics.rejected(.undecodable)
            context.close(promise: nil)
            return
        }
        switch frame.kind {
        case .cancel:
            cancel(callID: frame.callID)
        case .call where atCap || !waiting.isEmpty:
            guard calls[frame.callID] == nil, waitingIDs.insert(frame.callID).inserted else {
                respond(callID: frame.callID, error: Self.duplicateCallID(frame.callID))
                return
            }
            waiting.append(WaitingCall(frame: frame, receivedAt: .now()))
        case .call:
            startCall(frame, receivedAt: nil)
        case .unrecognized(let value):
            respond(callID: frame.callID, error: RPCError(code: .invalidArgument, message: "unknown request kind \(value)"))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inRead = false
        if flushPending {
            flushPending = false
            writeAnswers()
            context.flush()
            answers.reuse()
        }
        context.fireChannelReadComplete()
    }

    // MARK: Backpressure

    func read(context: ChannelHandlerContext) {
        if atCap {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// A call ended: starts the waiting calls that now fit, then reads again if a read was held.
    ///
    /// A waiting call whose handler never suspends ends inside `startCall`, which calls this
    /// again: that inner call returns at once and the outer loop goes on, so the stack does not
    /// grow with the queue.
    private func callEnded() {
        guard !startingWaitingCalls else { return }
        startingWaitingCalls = true
        defer { startingWaitingCalls = false }
        while !atCap, let next = waiting.popFirst() {
            waitingIDs.remove(next.frame.callID)
            startCall(next.frame, receivedAt: next.receivedAt)
        }
        if readHeld, !atCap, waiting.isEmpty, context.channel.isActive {
            readHeld = false
            context.read()
        }
        closeIfDrained()
    }

    private static func duplicateCallID(_ callID: UInt64) -> RPCError {
        RPCError(code: .invalidArgument, message: "call id \(callID) is already in flight")
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is DrainConnectionEvent {
            draining = true
            endSubscriptions()
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
        for (_, call) in calls { end(call, code: .cancelled) }
        calls.removeAll()
        waiting.removeAll()
        waitingIDs.removeAll()
        context.fireChannelInactive()
    }

    // MARK: Calls

    /// Starts a call; `receivedAt` is when a call that waited at the cap was read.
    private func startCall(_ frame: RPCV1.RequestFrame, receivedAt: NIODeadline?) {
        let callID = frame.callID
        guard !draining else {
            refuse(frame, .unavailable("the server is shutting down"))
            return
        }
        guard calls[callID] == nil else {
            refuse(frame, Self.duplicateCallID(callID))
            return
        }
        guard let known = route(for: frame.method) else {
            // Not recorded per method: the path is whatever the peer sent.
            respond(callID: callID, error: RPCError(code: .unimplemented, message: "method \(frame.method) is not implemented"))
            return
        }
        let route = known.route
        if !known.allowed, let group = route.group {
            logger.warning(
                "rpc.call.forbidden",
                metadata: [
                    "chatpanel.rpc.method": "\(frame.method)", "chatpanel.rpc.group": "\(group)",
                    "chatpanel.rpc.peer_uid": "\(peer.userID)", "chatpanel.rpc.peer_pid": "\(peer.processID)",
                ])
            refuse(frame, .permissionDenied("peer uid \(peer.userID) may not call \(group) methods such as \(frame.method)"))
            return
        }

        // A subscription that names no deadline lasts as long as its caller listens (up to the
        // subscription cap), as a change feed or a panel watch is meant to.
        let cap = route.isSubscription ? configuration.maximumSubscriptionTimeout : configuration.maximumCallTimeout
        var timeout =
            frame.timeoutMs != 0 ? Duration.milliseconds(Int64(frame.timeoutMs)) : route.isSubscription ? cap : configuration.defaultCallTimeout
        timeout = min(timeout, cap)
        if let receivedAt {
            // The deadline runs from when the call was read, not from when a slot freed up.
            let waited = NIODeadline.now() - receivedAt
            timeout -= .nanoseconds(waited.nanoseconds)
            guard timeout > .zero else {
                refuse(frame, .deadlineExceeded("the call's deadline passed while it waited for a free slot"))
                return
            }
        }
        let (span, parentSpan) = spanIDs.span(for: frame)
        let callContext = RPCCallContext(
            method: frame.method, caller: frame.caller ?? RPCV1.Caller(), requestID: frame.requestID,
            deadline: .now + timeout, peer: peer, logger: logger, callID: callID, trace: span, parentSpanID: parentSpan)
        let limits = ProtoDecodingLimits(maxDepth: configuration.maximumMessageDepth)
        let run: @Sendable ([UInt8], RPCCallContext, ProtoDecodingLimits, RPCRawStreamSink) async throws -> [UInt8]
        switch route.handler {
        case .atOnce(let answer):
            answerAtOnce(callID: callID, payload: frame.payload, answer, route: route, context: callContext, limits: limits)
            return
        case .task(let handler):
            run = handler
        }

        let expiry = NIODeadline.now() + .nanoseconds(Int64(timeout.milliseconds) * 1_000_000)
        calls[callID] = ActiveCall(
            task: nil, deadline: expiry, startedAt: .now(), metrics: route.metrics, isSubscription: route.isSubscription)
        Self.callsChanged(counters.callsInFlight.wrappingAdd(1, ordering: .relaxed).newValue)
        let eventLoop = context.eventLoop
        let reply = CallReply(callID: callID, isStreaming: route.isStreaming, connection: self, eventLoop: eventLoop)
        let task = Self.spawn(on: executor, run, payload: frame.payload, context: callContext, limits: limits, reply: reply)
        // The task has already finished when its handler never suspended.
        if calls[callID] != nil {
            calls[callID]?.task = task
            if deadlines.firesAfter(expiry) {
                let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
                deadlines.arm(at: expiry, on: eventLoop) { loopBound.value.expireOverdueCalls() }
            }
        }
    }

    /// The route of `method` and whether this peer may call it; nil for a method not registered.
    private func route(for method: String) -> KnownRoute? {
        if let last = lastRoute, last.method == method { return last }
        guard let route = router.route(for: method) else { return nil }
        let known = KnownRoute(method: method, route: route, allowed: route.group.map { peerGroups.contains($0) } ?? true)
        lastRoute = known
        return known
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

    /// Runs a handler that never suspends inside this read, with no task, and answers: the
    /// call is never in flight past this function (no deadline to arm, nothing to cancel).
    private func answerAtOnce(
        callID: UInt64, payload: [UInt8], _ answer: @Sendable ([UInt8], RPCCallContext, ProtoDecodingLimits) throws -> [UInt8],
        route: RPCRoute, context: RPCCallContext, limits: ProtoDecodingLimits
    ) {
        let startedAt = NIODeadline.now()
        Self.callsChanged(counters.callsInFlight.wrappingAdd(1, ordering: .relaxed).newValue)
        let outcome: Result<[UInt8], RPCError>
        do {
            outcome = .success(try Self.bound(to: context, payload: payload) { try answer(payload, context, limits) })
        } catch {
            outcome = .failure(Self.wireError(for: error, context: context))
        }
        writeLastFrame(callID: callID, outcome: outcome, isStreaming: false)
        let code = Self.code(of: outcome)
        Self.callsChanged(counters.callsInFlight.wrappingSubtract(1, ordering: .relaxed).newValue)
        route.metrics.record(code: code, nanoseconds: Int64((NIODeadline.now() - startedAt).nanoseconds))
        if context.logsEachCall { context.logger.debug("rpc.call.done", metadata: ["chatpanel.rpc.code": "\(code.protoName)"]) }
    }

    private static func spawn(
        on executor: EventLoopTaskExecutor,
        _ run: @escaping @Sendable ([UInt8], RPCCallContext, ProtoDecodingLimits, RPCRawStreamSink) async throws -> [UInt8],
        payload: [UInt8], context: RPCCallContext, limits: ProtoDecodingLimits, reply: CallReply
    ) -> Task<Void, Never> {
        let sink = RPCRawStreamSink(reply: reply)
        return start(on: executor, run, payload: payload, context: context, limits: limits, sink: sink, reply: reply)
    }

    /// Runs `body` with the call's context bound (``RPCCallContext/current``), and for a call
    /// with a request id the payload's digest (idempotent writes compare a retry's payload with
    /// the first call's): a synchronous handler's binding, on the loop's thread.
    private static func bound<T>(to context: RPCCallContext, payload: [UInt8], _ body: () throws -> T) rethrows -> T {
        try context.withThreadBinding {
            if context.requestID.isEmpty { return try body() }
            return try RequestDigest.$current.withValue(RequestDigest.of(payload)) { try body() }
        }
    }

    private static func start(
        on executor: EventLoopTaskExecutor,
        _ run: @escaping @Sendable ([UInt8], RPCCallContext, ProtoDecodingLimits, RPCRawStreamSink) async throws -> [UInt8],
        payload: [UInt8], context: RPCCallContext, limits: ProtoDecodingLimits, sink: RPCRawStreamSink, reply: CallReply
    ) -> Task<Void, Never> {
        // Started on the loop's thread at once: a handler that never suspends runs to its answer
        // inside this read, with no job queued on the loop; one that suspends resumes on the loop.
        Task.immediate(executorPreference: executor) {
            do {
                // Bound inside the task, in its own allocator. (Bound on the loop's thread before
                // the task is made, the values were pushed there with `malloc` and copied into the
                // task, with a set of their keys: three allocations more a call.)
                let response = try await RPCCallContext.$bound.withValue(context) {
                    if context.requestID.isEmpty { return try await run(payload, context, limits, sink) }
                    return try await RequestDigest.$current.withValue(RequestDigest.of(payload)) {
                        try await run(payload, context, limits, sink)
                    }
                }
                reply.finish(.success(response))
                if context.logsEachCall { context.logger.debug("rpc.call.done", metadata: ["chatpanel.rpc.code": "OK"]) }
            } catch {
                let failure = wireError(for: error, context: context)
                reply.finish(.failure(failure))
                if context.logsEachCall { context.logger.debug("rpc.call.done", metadata: ["chatpanel.rpc.code": "\(failure.code.protoName)"]) }
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

    /// Answers a call that is not run, and counts it.
    private func refuse(_ frame: RPCV1.RequestFrame, _ error: RPCError) {
        router.route(for: frame.method)?.metrics.record(code: error.code, nanoseconds: nil)
        respond(callID: frame.callID, error: error)
    }

    private static func callsChanged(_ inFlight: Int) {
        ServerMetrics.callsInFlight.record(inFlight)
    }

    /// Takes a call off the books: the in-flight count and its method's metrics.
    private func end(_ call: ActiveCall, code: RPCError.Code) {
        Self.callsChanged(counters.callsInFlight.wrappingSubtract(1, ordering: .relaxed).newValue)
        call.metrics.record(code: code, nanoseconds: Int64((NIODeadline.now() - call.startedAt).nanoseconds))
    }

    fileprivate func finish(callID: UInt64, outcome: Result<[UInt8], RPCError>, isStreaming: Bool) {
        guard let call = calls.removeValue(forKey: callID) else { return }  // expired or cancelled already
        end(call, code: Self.code(of: outcome))
        writeLastFrame(callID: callID, outcome: outcome, isStreaming: isStreaming)
        callEnded()
    }

    private static func code(of outcome: Result<[UInt8], RPCError>) -> RPCError.Code {
        switch outcome {
        case .success: .ok
        case .failure(let error): error.code
        }
    }

    /// A call's last frame: its answer (a stream's end carries no payload), or its error.
    private func writeLastFrame(callID: UInt64, outcome: Result<[UInt8], RPCError>, isStreaming: Bool) {
        switch outcome {
        case .success(let payload):
            writeAnswer(callID: callID, payload: isStreaming ? [] : payload)
        case .failure(let error):
            respond(callID: callID, error: error)
        }
    }

    private func expire(callID: UInt64) {
        guard let call = calls.removeValue(forKey: callID) else { return }
        end(call, code: .deadlineExceeded)
        call.task?.cancel()
        logger.info("rpc.call.deadline_exceeded", metadata: ["chatpanel.rpc.call_id": "\(callID)"])
        respond(callID: callID, error: .deadlineExceeded())
        callEnded()
    }

    /// A CANCEL frame: stops a running call, or drops a waiting one; either way nothing is answered.
    private func cancel(callID: UInt64) {
        guard let call = calls.removeValue(forKey: callID) else {
            if waitingIDs.remove(callID) != nil, let index = waiting.firstIndex(where: { $0.frame.callID == callID }) {
                waiting.remove(at: index)
            }
            return
        }
        end(call, code: .cancelled)
        call.task?.cancel()
        callEnded()
    }

    fileprivate func writeStreamMessage(callID: UInt64, payload: [UInt8]) -> EventLoopFuture<Void> {
        guard calls[callID] != nil, context.channel.isActive else {
            return executor.eventLoop.makeFailedFuture(CancellationError())
        }
        var frame = RPCV1.ResponseFrame()
        frame.callID = callID
        frame.status = RPCV1.Status()
        frame.payload = payload
        let promise = context.eventLoop.makePromise(of: Void.self)
        write(frame, promise: promise)
        // A write that fails means the caller is gone (the connection closed while it was
        // under way): the stream ends as cancelled, as it does when that is known before.
        return promise.futureResult.flatMapErrorThrowing { _ in throw CancellationError() }
    }

    // MARK: Outbound

    private func respond(callID: UInt64, error: RPCError) {
        var frame = RPCV1.ResponseFrame()
        frame.callID = callID
        frame.endOfStream = true
        frame.status = error.status
        write(frame)
    }

    /// The last frame of a call that ended OK: the envelope encoded once (end of stream, OK
    /// status), the call id ahead of it and the payload after it.
    private func writeAnswer(callID: UInt64, payload: [UInt8]) {
        let size = ByteBufferAllocator.frameBodySize(id: callID, envelope: Self.answerEnvelope, field: Self.payloadField, payload: payload)
        guard size <= configuration.maximumFrameSize else {
            // Answered RESOURCE_EXHAUSTED by the general path.
            var frame = RPCV1.ResponseFrame()
            frame.callID = callID
            frame.endOfStream = true
            frame.status = RPCV1.Status()
            frame.payload = payload
            write(frame)
            return
        }
        guard inRead else {
            send(context.channel.allocator.frame(id: callID, envelope: Self.answerEnvelope, field: Self.payloadField, payload: payload), promise: nil)
            return
        }
        // Answered within a read: appended to the read's answers, written in one buffer when the
        // read completes (the buffer is the connection's, kept for the next read).
        answers.append(
            id: callID, envelope: Self.answerEnvelope, field: Self.payloadField, payload: payload, bodySize: size,
            allocator: context.channel.allocator)
        flushPending = true
    }

    /// Writes the answers appended within this read (ahead of a frame written now, so that
    /// frames leave in the order they were made).
    private func writeAnswers() {
        if let unwritten = answers.unwritten() { context.write(wrapOutboundOut(unwritten), promise: nil) }
    }

    /// `ResponseFrame` with end of stream and an OK status, and no call id or payload.
    static let answerEnvelope: [UInt8] = {
        var frame = RPCV1.ResponseFrame()
        frame.endOfStream = true
        frame.status = RPCV1.Status()
        guard let bytes = try? frame.serializedBytes() else { preconditionFailure("a constant response frame encodes") }
        return bytes
    }()

    /// Writes a response frame; `promise` (when given) completes once it is written.
    private func write(_ frame: RPCV1.ResponseFrame, promise: EventLoopPromise<Void>? = nil) {
        // The envelope is encoded without the payload, which goes into the frame's buffer as the
        // frame's last field: copied once, the bytes protobuf-c would pack for the whole frame.
        var envelope = frame
        var payload = frame.payload
        envelope.payload = []
        var bytes: [UInt8]
        do {
            bytes = try envelope.serializedBytes()
        } catch {
            logger.error("rpc.response.unencodable", metadata: ["chatpanel.rpc.error": "\(error)"])
            payload = []
            envelope.status = RPCError.internal.status
            bytes = (try? envelope.serializedBytes()) ?? []
        }
        let size = ByteBufferAllocator.frameBodySize(envelope: bytes, field: Self.payloadField, payload: payload)
        if size > configuration.maximumFrameSize {
            logger.error("rpc.response.too_large", metadata: ["chatpanel.rpc.size": "\(size)"])
            var replacement = RPCV1.ResponseFrame()
            replacement.callID = frame.callID
            replacement.endOfStream = true
            replacement.status = RPCError(code: .resourceExhausted, message: "the response exceeds the maximum frame size").status
            bytes = (try? replacement.serializedBytes()) ?? []
            payload = []
        }
        send(context.channel.allocator.frame(envelope: bytes, field: Self.payloadField, payload: payload), promise: promise)
    }

    /// Writes a frame, flushed at once or, within a read, with the read's other answers.
    private func send(_ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        if inRead {
            // Answered within a read: flushed once with the others when the read completes.
            writeAnswers()
            context.write(wrapOutboundOut(buffer), promise: promise)
            flushPending = true
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
        }
    }

    /// `ResponseFrame.payload`'s field number (`proto/chatpanel/rpc/v1/rpc.proto`), its last field.
    private static let payloadField: UInt32 = 4

    /// Ends every subscription in flight with UNAVAILABLE: its caller subscribes again once
    /// the server is back, and the drain does not wait for a stream that never ends.
    private func endSubscriptions() {
        let subscriptions = calls.filter { $0.value.isSubscription }
        for (callID, call) in subscriptions {
            calls.removeValue(forKey: callID)
            end(call, code: .unavailable)
            call.task?.cancel()
            respond(callID: callID, error: .unavailable("the server is shutting down"))
        }
    }

    private func closeIfDrained() {
        if draining, calls.isEmpty, waiting.isEmpty, context.channel.isActive {
            writeAnswers()
            context.flush()
            context.close(promise: nil)
        }
    }
}

/// Where a call's task sends its answer and its stream messages: the call's connection, on
/// the connection's loop (at once when the task runs there, as a handler that never suspended
/// does). One object per call carries both ways back.
final class CallReply: Sendable {
    let callID: UInt64
    let isStreaming: Bool
    private let connection: NIOLoopBound<ServerConnectionHandler>
    private let eventLoop: any EventLoop

    init(callID: UInt64, isStreaming: Bool, connection: ServerConnectionHandler, eventLoop: any EventLoop) {
        self.callID = callID
        self.isStreaming = isStreaming
        self.connection = NIOLoopBound(connection, eventLoop: eventLoop)
        self.eventLoop = eventLoop
    }

    /// Answers the call (ends a stream), unless it expired or was cancelled meanwhile.
    func finish(_ outcome: Result<[UInt8], RPCError>) {
        if eventLoop.inEventLoop {
            connection.value.finish(callID: callID, outcome: outcome, isStreaming: isStreaming)
        } else {
            eventLoop.execute { self.connection.value.finish(callID: self.callID, outcome: outcome, isStreaming: self.isStreaming) }
        }
    }

    /// Sends one message of a stream; returns once it is written.
    func send(_ bytes: [UInt8]) async throws {
        try await eventLoop.flatSubmit { self.connection.value.writeStreamMessage(callID: self.callID, payload: bytes) }.get()
    }
}
