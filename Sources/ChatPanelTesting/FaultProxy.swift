import ChatPanelProto
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A Unix-socket proxy between a client and a service that injects faults into the service's
/// side: delays, connections dropped, a response frame cut in half, a reset in the middle of
/// a response, a stall (requests swallowed, nothing answered), and flapping. The fault can be
/// changed while connections are open; it applies to what passes from then on (drop and flap
/// to new connections). It counts connections and the request frames that reached the
/// service, so that tests can bound retries.
///
/// ```swift
/// let proxy = try await FaultProxy.start(listening: "\(dir)/tasks-proxy.sock", upstream: tasksSocket)
/// proxy.fault = .stall
/// ```
public final class FaultProxy: Sendable {
    /// What the proxy does to the traffic.
    public enum Fault: Sendable, Hashable {
        /// Passes everything through.
        case none
        /// Holds each piece of a response for this long.
        case delay(Duration)
        /// Closes new connections as soon as they are accepted.
        case drop
        /// Passes the first half of the next response bytes, then closes the connection.
        case cutResponse
        /// Passes the first half of the next response bytes, then resets the connection (RST).
        case resetMidResponse
        /// Reads requests and neither forwards nor answers them.
        case stall
        /// Drops every other new connection.
        case flap
    }

    private struct State {
        var fault = Fault.none
        var connections = 0
        var requestFrames = 0
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = Mutex(State())
    private let listener = Mutex<(any Channel)?>(nil)
    /// Where clients connect.
    public let path: String
    /// Where the service listens.
    public let upstream: String

    private init(path: String, upstream: String) {
        self.path = path
        self.upstream = upstream
    }

    /// The fault applied from now on.
    public var fault: Fault {
        get { state.withLock { $0.fault } }
        set { state.withLock { $0.fault = newValue } }
    }

    /// Connections accepted so far (dropped ones included).
    public var connections: Int { state.withLock { $0.connections } }

    /// Request frames that reached the service so far.
    public var requestFrames: Int { state.withLock { $0.requestFrames } }

    /// Starts a proxy listening at `path` for the service at `upstream`.
    public static func start(listening path: String, upstream: String) async throws -> FaultProxy {
        let proxy = FaultProxy(path: path, upstream: upstream)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { inbound in proxy.accept(inbound) }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
        proxy.listener.withLock { $0 = channel }
        return proxy
    }

    /// Stops listening and closes every connection.
    public func close() async {
        let channel = listener.withLock { value in
            defer { value = nil }
            return value
        }
        try? await channel?.close()
        let open = state.withLock { Array($0.channels.values) }
        for channel in open { try? await channel.close() }
    }

    private func accept(_ inbound: any Channel) -> EventLoopFuture<Void> {
        let (number, fault) = state.withLock { state -> (Int, Fault) in
            state.connections += 1
            return (state.connections, state.fault)
        }
        if fault == .drop || (fault == .flap && number % 2 == 0) {
            return inbound.close()
        }
        let connect = ClientBootstrap(group: inbound.eventLoop)
            .channelInitializer { outbound in
                outbound.eventLoop.makeCompletedFuture {
                    try outbound.pipeline.syncOperations.addHandler(ResponseSide(proxy: self, inbound: inbound))
                }
            }
            .connect(unixDomainSocketPath: upstream)
        return connect.flatMapThrowing { outbound in
            self.track(inbound)
            self.track(outbound)
            try inbound.pipeline.syncOperations.addHandler(RequestSide(proxy: self, outbound: outbound))
        }
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { $0.channels[id] = channel }
        channel.closeFuture.whenComplete { _ in _ = self.state.withLock { $0.channels.removeValue(forKey: id) } }
    }

    fileprivate func countRequestFrames(_ count: Int) {
        state.withLock { $0.requestFrames += count }
    }
}

/// Client to service: counts request frames and forwards them, unless the proxy stalls.
private final class RequestSide: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let proxy: FaultProxy
    private let outbound: any Channel
    private var pending: [UInt8] = []

    init(proxy: FaultProxy, outbound: any Channel) {
        self.proxy = proxy
        self.outbound = outbound
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard proxy.fault != .stall else { return }
        pending += buffer.readableBytesView
        var frames = 0
        while case .frame(let start, let length) = pending.withUnsafeBytes({ WireFrame.next(in: $0, maximumSize: Int(UInt32.max)) }) {
            pending.removeFirst(start + length)
            if length > 0 { frames += 1 }
        }
        proxy.countRequestFrames(frames)
        outbound.writeAndFlush(buffer, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        outbound.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Service to client: forwards responses with the proxy's fault applied.
private final class ResponseSide: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let proxy: FaultProxy
    private let inbound: any Channel

    init(proxy: FaultProxy, inbound: any Channel) {
        self.proxy = proxy
        self.inbound = inbound
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        switch proxy.fault {
        case .none, .drop, .flap:
            inbound.writeAndFlush(buffer, promise: nil)
        case .stall:
            return
        case .delay(let duration):
            let inbound = self.inbound
            let delayed = buffer
            context.eventLoop.scheduleTask(in: .nanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)) {
                inbound.writeAndFlush(delayed, promise: nil)
            }
        case .cutResponse, .resetMidResponse:
            let half = buffer.readSlice(length: max(1, buffer.readableBytes / 2)) ?? buffer
            let reset = proxy.fault == .resetMidResponse
            let inbound = self.inbound
            inbound.writeAndFlush(half).whenComplete { _ in
                if reset, let options = inbound as? any SocketOptionProvider {
                    _ = options.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                }
                inbound.close(promise: nil)
            }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbound.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
