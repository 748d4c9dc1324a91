import ChatPanelSystem
import CoreMetrics
public import Logging
public import NIOCore
public import NIOPosix
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Serves an ``RPCRouter`` on a Unix socket.
///
/// The server is a `Service`: `run()` binds (or adopts a socket from systemd), serves until
/// graceful shutdown is requested, then stops accepting, lets the calls in flight finish (up to
/// ``RPCServerConfiguration/shutdownGracePeriod``) and returns. ``waitUntilListening()`` is the
/// readiness hook that tests and `sd_notify(READY=1)` wait for.
///
/// ```swift
/// var router = RPCRouter()
/// router.register(TestingV1.Echo.echo) { request, _ in ... }
/// let server = RPCServer(configuration: .init(listener: .path("/run/chatpanel/echo.sock")), router: router, logger: logger)
/// try await ServiceGroup(services: [server], logger: logger).run()
/// ```
public final class RPCServer: Service, Sendable {
    private enum State {
        case idle
        case listening(any Channel)
        case draining
        case stopped
    }

    /// The configuration the server was made with.
    public let configuration: RPCServerConfiguration
    private let router: RPCRouter
    private let group: any EventLoopGroup
    private let logger: Logger
    private let counters = ServerCounters()
    private let state = Mutex<State>(.idle)
    private let connections = Mutex<[ObjectIdentifier: any Channel]>([:])
    private let listening: EventLoopPromise<Void>
    private let shutdownRequested: EventLoopPromise<Void>

    /// A server for `router`; add a health reporter to answer `Health/Check` and `Health/Watch`.
    public init(
        configuration: RPCServerConfiguration, router: RPCRouter, health: HealthReporter? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.configuration = configuration
        var router = router
        if let health {
            router.merge(health.makeRouter(callsInFlight: counters))
        }
        self.router = router.addingReflection()
        self.group = eventLoopGroup
        self.logger = logger
        self.listening = eventLoopGroup.any().makePromise(of: Void.self)
        self.shutdownRequested = eventLoopGroup.any().makePromise(of: Void.self)
    }

    deinit {
        // A server released without having run to the end (never run, or its bind failed) still
        // holds uncompleted promises, and NIO traps on those in debug builds ("leaking promise").
        // Completing an already completed promise does nothing.
        listening.fail(RPCServerError.shuttingDown)
        shutdownRequested.succeed()
    }

    /// Calls in flight over all connections.
    public var callsInFlight: Int { counters.callsInFlight.load(ordering: .relaxed) }

    /// Open connections.
    public var connectionCount: Int { connections.withLock { $0.count } }

    /// Returns once the socket listens; throws if binding failed.
    public func waitUntilListening() async throws {
        try await listening.futureResult.get()
    }

    /// Asks a running server to stop as on SIGTERM (used where no `ServiceGroup` runs it).
    public func beginGracefulShutdown() {
        shutdownRequested.succeed()
    }

    /// Binds, serves until graceful shutdown, then drains.
    public func run() async throws {
        let channel: any Channel
        do {
            channel = try await bind()
        } catch {
            listening.fail(error)
            throw error
        }
        state.withLock { $0 = .listening(channel) }
        logger.notice("rpc.server.listening", metadata: ["chatpanel.rpc.listener": "\(configuration.listener)"])
        listening.succeed()

        let shutdown = shutdownRequested
        try await withGracefulShutdownHandler {
            try await shutdown.futureResult.get()
        } onGracefulShutdown: {
            shutdown.succeed()
        }
        await drain(listener: channel)
    }

    private func drain(listener: any Channel) async {
        state.withLock { $0 = .draining }
        logger.notice("rpc.server.draining", metadata: ["chatpanel.rpc.calls_in_flight": "\(callsInFlight)"])
        try? await listener.close()
        if case .path(let path) = configuration.listener { unlink(path) }

        let open = connections.withLock { Array($0.values) }
        for connection in open {
            connection.pipeline.fireUserInboundEventTriggered(DrainConnectionEvent())
        }
        let grace = configuration.shutdownGracePeriod
        let deadline = ContinuousClock.now + grace
        while connectionCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        let remaining = connections.withLock { Array($0.values) }
        if !remaining.isEmpty {
            logger.warning("rpc.server.drain_timeout", metadata: ["chatpanel.rpc.connections": "\(remaining.count)"])
            for connection in remaining { try? await connection.close() }
        }
        state.withLock { $0 = .stopped }
        logger.notice("rpc.server.stopped")
    }

    private func bind() async throws -> any Channel {
        let backoff = TimeAmount.milliseconds(configuration.acceptBackoff.milliseconds)
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                // Out of file descriptors, accept4 fails at once and would be retried in a
                // busy loop: pause accepting instead, and say so once per episode.
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptPause(backoff: backoff, logger: logger))
                }
            }
            .childChannelInitializer { [self] channel in
                self.initializeConnection(channel)
            }
        switch configuration.listener {
        case .activatedDescriptor(let fd):
            return try await bootstrap.withBoundSocket(fd).get()
        case .path(let path):
            switch UnixSocketFile.occupant(of: path) {
            case .none: break
            case .staleSocket:
                logger.notice("rpc.server.stale_socket_removed", metadata: ["chatpanel.rpc.path": "\(path)"])
                guard UnixSocketFile.removeIfStale(path) else { throw RPCServerError.pathInUse(path, "cannot remove the stale socket") }
            case .liveServer:
                throw RPCServerError.pathInUse(path, "another server is listening on it")
            case .notASocket:
                throw RPCServerError.pathInUse(path, "it exists and is not a socket")
            case .error(let errno):
                throw RPCServerError.pathInUse(path, "cannot inspect it (errno \(errno))")
            }
            let channel = try await bootstrap.bind(unixDomainSocketPath: path).get()
            guard UnixSocketFile.setMode(path, configuration.socketMode) else {
                try? await channel.close()
                throw RPCServerError.pathInUse(path, "cannot set its mode")
            }
            return channel
        }
    }

    private func initializeConnection(_ channel: any Channel) -> EventLoopFuture<Void> {
        let open = counters.connections.wrappingAdd(1, ordering: .relaxed).newValue
        ServerMetrics.connections.record(open)
        channel.closeFuture.whenComplete { _ in
            ServerMetrics.connections.record(self.counters.connections.wrappingSubtract(1, ordering: .relaxed).newValue)
        }
        guard open <= configuration.maximumConnections else {
            ServerMetrics.rejected(.connectionCap)
            if !counters.refusingConnections.exchange(true, ordering: .relaxed) {
                logger.warning(
                    "rpc.server.connection_cap",
                    metadata: ["chatpanel.rpc.maximum_connections": "\(configuration.maximumConnections)"])
            }
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(RPCServerError.tooManyConnections(configuration.maximumConnections))
        }
        if counters.refusingConnections.exchange(false, ordering: .relaxed) {
            logger.notice("rpc.server.connection_cap_cleared", metadata: ["chatpanel.rpc.connections": "\(open)"])
        }
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(RPCServerError.peerUnknown)
        }
        let future: EventLoopFuture<KernelPeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.flatMapThrowing { cred in
            let peer = PeerCredentials(processID: cred.pid, userID: cred.uid, groupID: cred.gid)
            guard self.configuration.peerPolicy.allows(peer) else {
                self.logger.warning("rpc.peer.refused", metadata: ["chatpanel.rpc.peer": "\(peer)"])
                throw RPCServerError.peerRefused(peer)
            }
            let draining = self.state.withLock { state -> Bool in
                switch state {
                case .idle, .listening: false
                case .draining, .stopped: true
                }
            }
            guard !draining else { throw RPCServerError.shuttingDown }
            let id = ObjectIdentifier(channel)
            self.connections.withLock { $0[id] = channel }
            channel.closeFuture.whenComplete { _ in
                _ = self.connections.withLock { $0.removeValue(forKey: id) }
            }
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(
                FrameReader(
                    maximumFrameSize: self.configuration.maximumFrameSize,
                    frameReadTimeout: .nanoseconds(self.configuration.frameReadTimeout.milliseconds * 1_000_000)))
            try sync.addHandler(
                ServerConnectionHandler(
                    router: self.router, configuration: self.configuration, peer: peer, counters: self.counters,
                    eventLoop: channel.eventLoop, logger: self.logger))
        }.flatMapErrorThrowing { error in
            channel.close(promise: nil)
            throw error
        }
    }
}

/// Why a server could not start or refused a connection.
public enum RPCServerError: Error, CustomStringConvertible {
    /// The socket path is taken.
    case pathInUse(String, String)
    /// The peer's credentials could not be read.
    case peerUnknown
    /// The peer is not on the allow-list.
    case peerRefused(PeerCredentials)
    /// The server is draining and takes no new connections.
    case shuttingDown
    /// The connection cap is reached.
    case tooManyConnections(Int)

    public var description: String {
        switch self {
        case .pathInUse(let path, let why): "cannot listen on \(path): \(why)"
        case .peerUnknown: "cannot read the peer's credentials"
        case .peerRefused(let peer): "peer \(peer) is not allowed"
        case .shuttingDown: "the server is shutting down"
        case .tooManyConnections(let cap): "the server serves at most \(cap) connections"
        }
    }
}

/// The kernel's `struct ucred` (pid, uid, gid: three 32-bit fields), as `SO_PEERCRED` fills it.
struct KernelPeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Pauses accepting when `accept4` fails for want of resources (`EMFILE`, `ENFILE`, `ENOBUFS`,
/// `ENOMEM`): the listening socket stays readable while connections wait in the backlog, so
/// retrying at once would spin. Reading (accepting) is switched off for `backoff`, then on again;
/// the connections wait in the kernel's backlog meanwhile. Logs the first failure of an episode,
/// then nothing until a connection is accepted again, which logs how many attempts failed.
private final class AcceptPause: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let backoff: TimeAmount
    private let logger: Logger
    private var failures = 0
    private var resume: Scheduled<Void>?

    init(backoff: TimeAmount, logger: Logger) {
        self.backoff = backoff
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if failures > 0 {
            logger.notice("rpc.server.accept_recovered", metadata: ["chatpanel.rpc.failed_accepts": "\(failures)"])
            failures = 0
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let ioError = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(ioError.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        failures += 1
        if failures == 1 {
            logger.error(
                "rpc.server.accept_failing",
                metadata: [
                    "chatpanel.rpc.error": "\(error)",
                    "chatpanel.rpc.action": "accepting pauses for \(backoff.nanoseconds / 1_000_000) ms at a time until it works",
                ])
        }
        guard resume == nil, let options = context.channel.syncOptions else { return }
        try? options.setOption(.autoRead, value: false)
        let channel = context.channel
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        resume = context.eventLoop.scheduleTask(in: backoff) {
            loopBound.value.resume = nil
            try? channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        resume?.cancel()
        resume = nil
        context.fireChannelInactive()
    }
}
