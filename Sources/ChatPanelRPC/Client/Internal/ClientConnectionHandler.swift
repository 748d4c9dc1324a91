import ChatPanelProto
import NIOCore

/// What the client writes into a connection's pipeline.
enum ClientOutbound: Sendable {
    /// Where the responses of a call go.
    enum Receiver: Sendable {
        case unary(EventLoopPromise<RPCV1.ResponseFrame>)
        case stream(AsyncThrowingStream<RPCV1.ResponseFrame, any Error>.Continuation)
    }

    /// Starts a call: its id, the encoded request frame, who gets the answers, and its timeout.
    case call(id: UInt64, frame: [UInt8], receiver: Receiver, timeout: TimeAmount)
    /// Gives up on a call: the receiver gets CANCELLED and the server is told to stop.
    case cancel(id: UInt64)
}

/// Matches response frames to the calls in flight on one connection.
final class ClientConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ClientOutbound
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var receiver: ClientOutbound.Receiver
        /// When the caller stops waiting (see ``ConnectionDeadlineTimer``).
        var deadline: NIODeadline
    }

    // Touched on the connection's event loop only: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var pending: [UInt64: Pending] = [:]
    @exclusivity(unchecked) private var deadlines = ConnectionDeadlineTimer()
    private let socketPath: String

    init(socketPath: String) {
        self.socketPath = socketPath
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .call(let id, let frame, let receiver, let timeout):
            let deadline = NIODeadline.now() + timeout
            pending[id] = Pending(receiver: receiver, deadline: deadline)
            if deadlines.firesAfter(deadline) {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                deadlines.arm(at: deadline, on: context.eventLoop) {
                    let (handler, context) = loopBound.value
                    handler.abandonOverdueCalls(context: context)
                }
            }
            // A failed write fails `promise` (the caller's) and closes the connection, which
            // fails every pending call.
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.frame(frame)), promise: promise)
        case .cancel(let id):
            abandon(id: id, context: context, error: RPCError(code: .cancelled, message: "the call was cancelled"))
            promise?.succeed()
        }
    }

    /// Fails a call locally and tells the server to stop working on it.
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
        guard pending[id] != nil else { return }
        complete(id: id, with: .failure(error))
        var cancel = RPCV1.RequestFrame()
        cancel.callID = id
        cancel.kind = .cancel
        if let bytes = try? cancel.serializedBytes(), context.channel.isActive {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.frame(bytes)), promise: nil)
        }
    }

    private func complete(id: UInt64, with result: Result<RPCV1.ResponseFrame, any Error>) {
        guard let call = pending.removeValue(forKey: id) else { return }
        switch call.receiver {
        case .unary(let promise):
            promise.completeWith(result)
        case .stream(let continuation):
            switch result {
            case .success(let frame):
                continuation.yield(frame)
                continuation.finish()
            case .failure(let error):
                continuation.finish(throwing: error)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let frame = try? buffer.withUnsafeReadableBytes({ try RPCV1.ResponseFrame(unsafeBytes: $0) }) else {
            context.fireErrorCaught(RPCError(code: .internal, message: "undecodable response frame from \(socketPath)"))
            return
        }
        guard let call = pending[frame.callID] else { return }  // a call given up on already
        switch call.receiver {
        case .unary:
            complete(id: frame.callID, with: .success(frame))
        case .stream(let continuation):
            if frame.endOfStream {
                complete(id: frame.callID, with: .success(frame))
            } else {
                continuation.yield(frame)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RPCError.unavailable("connection to \(socketPath) failed: \(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadlines.cancel()
        failAll(RPCError.unavailable("connection to \(socketPath) closed"))
        context.fireChannelInactive()
    }

    private func failAll(_ error: RPCError) {
        for id in Array(pending.keys) { complete(id: id, with: .failure(error)) }
    }
}
