import ChatPanelProto
import NIOCore

/// Where the responses of a call go.
enum ClientCallReceiver: Sendable {
    /// A unary call: resumed once, on the connection's loop, with the answer's payload or the
    /// error its status carries (the frame itself is not handed on: copying it costs a retain
    /// and a release for each of its strings and arrays).
    case unary(UnsafeContinuation<[UInt8], any Error>)
    /// A unary call started to be awaited later (``RPCClient/UnaryCall``): completed the same way.
    case started(RPCClient.UnaryCall)
    /// A server-streaming call: each frame, then the end.
    case stream(AsyncThrowingStream<RPCV1.ResponseFrame, any Error>.Continuation)
}

/// Matches response frames to the calls in flight on one connection, and keeps the calls sent
/// and unanswered at ``maximumCallsInFlight``: further calls wait here, in order, until an
/// answer (or a cancel, or a deadline) frees a slot, so that a burst of calls is slowed rather
/// than refused. At most ``maximumQueuedCalls`` wait; a call beyond that fails at once with
/// `RESOURCE_EXHAUSTED`.
///
/// ``RPCClient`` starts and cancels calls by calling the handler on the connection's loop
/// (``start(id:frame:receiver:timeout:)``, ``cancelCall(id:)``), not through the pipeline.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var receiver: ClientCallReceiver
        /// When the caller stops waiting (see ``ConnectionDeadlineTimer``).
        var deadline: NIODeadline
        /// Whether the call was written (otherwise it waits in `queue`).
        var sent: Bool
    }

    /// A call waiting for a slot.
    private struct Queued {
        var id: UInt64
        var frame: RequestFrameBytes
    }

    // Touched on the connection's event loop only: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var pending: [UInt64: Pending] = [:]
    @exclusivity(unchecked) private var queue = CircularBuffer<Queued>()
    @exclusivity(unchecked) private var sentCount = 0
    @exclusivity(unchecked) private var deadlines = ConnectionDeadlineTimer()
    /// The connection's buffer of request frames (see `send`).
    @exclusivity(unchecked) private var outbound = KeptFrameBuffer()
    /// Whether a write of `outbound` is scheduled for the end of the loop's tick (see `send`).
    @exclusivity(unchecked) private var writeScheduled = false
    /// The scheduled write, made once when the handler is added (a closure made for each
    /// write would be an allocation a call); it holds the handler until the handler is removed.
    @exclusivity(unchecked) private var writeAtTickEnd: (@Sendable () -> Void)?
    private let socketPath: String
    private let maximumCallsInFlight: Int
    private let maximumQueuedCalls: Int

    private let lastFrame: LastFrameClock
    /// Set when the handler is added; touched on the loop only.
    @exclusivity(unchecked) private var context: ChannelHandlerContext?
    /// The connection closed: calls started now fail at once.
    @exclusivity(unchecked) private var isClosed = false

    init(socketPath: String, maximumCallsInFlight: Int, maximumQueuedCalls: Int, lastFrame: LastFrameClock) {
        self.socketPath = socketPath
        self.lastFrame = lastFrame
        self.maximumCallsInFlight = max(1, maximumCallsInFlight)
        self.maximumQueuedCalls = maximumQueuedCalls
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        writeAtTickEnd = { handler.value.writeScheduledFrames() }
    }

    /// Lets go of the context and of the scheduled write (both hold this handler: keeping them
    /// would keep it alive). Calls started from now on fail UNAVAILABLE.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        writeAtTickEnd = nil
        isClosed = true
    }

    /// Gives up on a call (the caller's task was cancelled): CANCELLED, and a CANCEL to the server.
    func cancelCall(id: UInt64) {
        guard let context else { return }
        abandon(id: id, context: context, error: RPCError(code: .cancelled, message: "the call was cancelled"))
    }

    /// Starts a call: its id, its request frame (length prefix included), who gets the answers,
    /// and its timeout. The receiver hears of every failure, from a closed connection on.
    func start(id: UInt64, frame: RequestFrameBytes, receiver: ClientCallReceiver, timeout: TimeAmount) {
        guard let context, !isClosed else {
            Self.fail(receiver, RPCError.unavailable("cannot send to \(socketPath): the connection is closed"))
            return
        }
        let mustWait = sentCount >= maximumCallsInFlight || !queue.isEmpty
        if mustWait, queue.count >= maximumQueuedCalls {
            let error = RPCError(
                code: .resourceExhausted,
                message: "more than \(maximumQueuedCalls) calls wait for \(socketPath) (\(maximumCallsInFlight) in flight)")
            Self.fail(receiver, error)
            return
        }
        let deadline = NIODeadline.now() + timeout
        pending[id] = Pending(receiver: receiver, deadline: deadline, sent: !mustWait)
        if deadlines.firesAfter(deadline) {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            deadlines.arm(at: deadline, on: context.eventLoop) {
                let (handler, context) = loopBound.value
                handler.abandonOverdueCalls(context: context)
            }
        }
        if mustWait {
            queue.append(Queued(id: id, frame: frame))
        } else {
            send(frame, context: context)
        }
    }

    /// The deadline timer fired: gives up the overdue calls (DEADLINE_EXCEEDED, and a CANCEL to
    /// the server) and re-arms for the earliest deadline left.
    private func abandonOverdueCalls(context: ChannelHandlerContext) {
        deadlines.fired()
        let now = NIODeadline.now()
        var earliest = NIODeadline.distantFuture
        var overdue: [UInt64] = []
        for (id, call) in pending {
            if call.deadline <= now { overdue.append(id) } else { earliest = min(earliest, call.deadline) }
        }
        for id in overdue { abandon(id: id, context: context, error: .deadlineExceeded()) }
        guard earliest != .distantFuture, context.channel.isActive else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadlines.arm(at: earliest, on: context.eventLoop) {
            let (handler, context) = loopBound.value
            handler.abandonOverdueCalls(context: context)
        }
    }

    private func abandon(id: UInt64, context: ChannelHandlerContext, error: RPCError) {
        guard let call = pending[id] else { return }
        fail(id: id, error, context: context)
        // A call still waiting here never reached the server: nothing to cancel there.
        guard call.sent else { return }
        var cancel = RPCV1.RequestFrame()
        cancel.callID = id
        cancel.kind = .cancel
        if let bytes = try? cancel.encodedEnvelope(), context.channel.isActive {
            // The requests not yet written go first: the server hears of a call before its cancel.
            writeOutbound(context: context, flush: false)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.frame(bytes)), promise: nil)
            outbound.reuse()
        }
    }

    /// Appends a call's frame to the connection's kept buffer (``KeptFrameBuffer``), written
    /// once at the end of the loop's tick: the calls started within one tick (the upstream
    /// calls of the panels a gateway loop read at once) go out in one `write`, and the server
    /// reads them at once and answers them in one `write` too. A failed write closes the
    /// connection, which fails every pending call.
    ///
    /// The loop runs the scheduled write after the I/O of its tick and the tasks queued before
    /// it: a call started from a task on the loop (a handler's upstream call) is written when
    /// that task suspends to wait for its answer.
    private func send(_ frame: RequestFrameBytes, context: ChannelHandlerContext) {
        sentCount += 1
        outbound.append(
            id: 0, envelope: frame.envelope, field: RPCClient.payloadField, payload: frame.payload, bodySize: frame.bodySize,
            allocator: context.channel.allocator)
        guard !writeScheduled, let writeAtTickEnd else { return }
        writeScheduled = true
        context.eventLoop.execute(writeAtTickEnd)
    }

    /// The write `send` scheduled, at the end of the tick.
    private func writeScheduledFrames() {
        writeScheduled = false
        if let context { writeOutbound(context: context, flush: true) }
        outbound.reuse()
    }

    /// Writes the frames appended since the last write (none once the connection closed: its
    /// calls have failed already).
    private func writeOutbound(context: ChannelHandlerContext, flush: Bool) {
        guard !isClosed, let unwritten = outbound.unwritten() else { return }
        if flush {
            context.writeAndFlush(wrapOutboundOut(unwritten), promise: nil)
        } else {
            context.write(wrapOutboundOut(unwritten), promise: nil)
        }
    }

    /// Sends the waiting calls that fit now (skipping those given up on while they waited).
    private func sendWaitingCalls(context: ChannelHandlerContext) {
        while sentCount < maximumCallsInFlight, let next = queue.popFirst() {
            guard pending[next.id] != nil else { continue }
            pending[next.id]?.sent = true
            send(next.frame, context: context)
        }
    }

    private static func fail(_ receiver: ClientCallReceiver, _ error: RPCError) {
        switch receiver {
        case .unary(let continuation): continuation.resume(throwing: error)
        case .started(let call): call.complete(.failure(error))
        case .stream(let continuation): continuation.finish(throwing: error)
        }
    }

    /// Takes a call off the books, its slot going to the first waiting call; nil when it is
    /// not in flight (given up on already).
    private func remove(id: UInt64, context: ChannelHandlerContext?) -> Pending? {
        guard let call = pending.removeValue(forKey: id) else { return nil }
        if call.sent {
            sentCount -= 1
            if let context, context.channel.isActive { sendWaitingCalls(context: context) }
        }
        return call
    }

    /// A unary call's answer: the payload of its response frame, or the error its status carries.
    private static func result(of frame: borrowing RPCV1.ResponseFrame) -> Result<[UInt8], any Error> {
        if let status = frame.status, status.code != .ok { return .failure(RPCError(status: status)) }
        return .success(frame.payload)
    }

    /// Fails a call in flight (or waiting) with `error`.
    private func fail(id: UInt64, _ error: RPCError, context: ChannelHandlerContext?) {
        guard let call = remove(id: id, context: context) else { return }
        Self.fail(call.receiver, error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastFrame.touch()
        let buffer = unwrapInboundIn(data)
        guard let frame = try? buffer.withUnsafeReadableBytes({ try RPCV1.ResponseFrame(envelope: $0) }) else {
            context.fireErrorCaught(RPCError(code: .internal, message: "undecodable response frame from \(socketPath)"))
            return
        }
        guard let call = pending[frame.callID] else { return }  // a call given up on already
        switch call.receiver {
        case .unary(let continuation):
            _ = remove(id: frame.callID, context: context)
            continuation.resume(with: Self.result(of: frame))
        case .started(let call):
            _ = remove(id: frame.callID, context: context)
            call.complete(Self.result(of: frame))
        case .stream(let continuation):
            if frame.endOfStream { _ = remove(id: frame.callID, context: context) }
            continuation.yield(frame)
            if frame.endOfStream { continuation.finish() }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RPCError.unavailable("connection to \(socketPath) failed: \(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        deadlines.cancel()
        failAll(RPCError.unavailable("connection to \(socketPath) closed"))
        context.fireChannelInactive()
    }

    private func failAll(_ error: RPCError) {
        for id in Array(pending.keys) { fail(id: id, error, context: nil) }
        queue.removeAll()
    }
}
