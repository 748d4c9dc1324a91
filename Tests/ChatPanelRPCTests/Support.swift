import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import EchoService
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// MARK: - Live servers (temporary folders and polling come from ChatPanelTesting)

/// A logger for test servers: warnings and worse only, so that test output stays readable.
func testLogger() -> Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}

/// A log handler that keeps the messages logged at warning or worse, for tests that check
/// what a server reports.
struct CapturingLogHandler: LogHandler {
    let messages: Recorder<String>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        messages.append("\(event.level) \(event.message)")
    }
}

/// A server configuration for tests: a short grace period so that a broken test cannot stall
/// shutdown for the default 10 s.
func testServerConfiguration(socket: String, configure: (inout RPCServerConfiguration) -> Void = { _ in }) -> RPCServerConfiguration {
    var configuration = RPCServerConfiguration(listener: .path(socket))
    configuration.shutdownGracePeriod = .seconds(3)
    configure(&configuration)
    return configuration
}

/// A live server (the echo service unless `router` says otherwise) on a temporary socket, shut
/// down on every exit path.
func withEchoServer<T>(
    router: RPCRouter = EchoService.makeRouter(),
    logger: Logger = testLogger(),
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    _ body: (RPCServer, String) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { dir in
        let socket = "\(dir)/echo.sock"
        let configuration = testServerConfiguration(socket: socket, configure: configure)
        let server = RPCServer(
            configuration: configuration, router: router, health: HealthReporter(process: "echo"), logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                try await server.waitUntilListening()
                let result = try await body(server, socket)
                server.beginGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                server.beginGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}

/// A server started on a given path that a test stops (and maybe restarts) itself.
final class RunningServer: Sendable {
    let server: RPCServer
    private let task: Task<Void, any Error>

    private init(server: RPCServer, task: Task<Void, any Error>) {
        self.server = server
        self.task = task
    }

    /// Starts a server on `socket` and waits until it listens; throws when it cannot bind.
    static func start(
        socket: String, router: RPCRouter = EchoService.makeRouter(),
        configure: (inout RPCServerConfiguration) -> Void = { _ in }
    ) async throws -> RunningServer {
        let server = RPCServer(
            configuration: testServerConfiguration(socket: socket, configure: configure), router: router,
            health: HealthReporter(process: "echo"), logger: testLogger())
        let task = Task { try await server.run() }
        do {
            try await server.waitUntilListening()
        } catch {
            _ = try? await task.value
            throw error
        }
        return RunningServer(server: server, task: task)
    }

    /// Shuts the server down gracefully and waits until `run()` returned.
    func stop() async {
        server.beginGracefulShutdown()
        _ = try? await task.value
    }
}

// MARK: - Small helpers

/// How long `body` takes.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let result = try await body()
    return (result, start.duration(to: .now))
}

/// The error a call threw, or nil when it succeeded.
func callError<T>(_ body: () async throws -> T) async -> (any Error)? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

/// A thread-safe list that handlers and tasks append to.
final class Recorder<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    func append(_ element: Element) { storage.withLock { $0.append(element) } }
    var all: [Element] { storage.withLock { $0 } }
}

/// An echo request with the fields tests use.
func echoRequest(text: String = "", delayMs: UInt32 = 0, failCode: UInt32 = 0, count: UInt32 = 0) -> TestingV1.EchoRequest {
    var request = TestingV1.EchoRequest()
    request.text = text
    request.delayMs = delayMs
    request.failCode = failCode
    request.count = count
    return request
}

/// A CALL request frame for `method` with an already encoded payload.
func callFrame(
    id: UInt64, method: String = TestingV1.Echo.echo.path, payload: [UInt8], timeoutMs: UInt32 = 10_000
) -> RPCV1.RequestFrame {
    var frame = RPCV1.RequestFrame()
    frame.callID = id
    frame.kind = .call
    frame.method = method
    frame.timeoutMs = timeoutMs
    frame.payload = payload
    return frame
}

/// A CALL request frame of `Echo/Echo`.
func echoCallFrame(id: UInt64, _ request: TestingV1.EchoRequest, timeoutMs: UInt32 = 10_000) throws -> RPCV1.RequestFrame {
    callFrame(id: id, payload: try request.serializedBytes(), timeoutMs: timeoutMs)
}

/// The bytes of one frame on the wire: 4-byte big-endian length, then the body.
func wireFrame(_ body: [UInt8]) -> [UInt8] {
    let n = UInt32(body.count)
    return [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + body
}

extension RPCV1.RequestFrame {
    /// This frame with its length prefix, as sent on the socket.
    func wireBytes() throws -> [UInt8] { wireFrame(try serializedBytes()) }
}

extension RPCV1.ResponseFrame {
    /// The status code (OK when the frame carries no status).
    var code: RPCError.Code { status?.code ?? .ok }
}

// MARK: - Raw socket files

/// Leaves a Unix socket file at `path` that nobody listens on, like a crashed server does.
func makeStaleSocketFile(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXFailure(call: "socket", errno: errno) }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else { throw POSIXFailure(call: "path too long", errno: ENAMETOOLONG) }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0 else { throw POSIXFailure(call: "bind", errno: errno) }
    // Closing without unlink leaves the file behind with no listener.
}

/// A failed POSIX call in a test helper.
struct POSIXFailure: Error, CustomStringConvertible {
    let call: String
    let errno: Int32
    var description: String { "\(call) failed with errno \(errno)" }
}

// MARK: - Raw connections: hand-made bytes over the socket

/// A read on a raw connection did not complete in time.
struct RawTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Collects whatever the server sends; lives on the connection's event loop.
private final class RawCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var buffer = ByteBuffer()
    private(set) var isClosed = false
    private(set) var error: (any Error)?
    private var waiters: [Int: EventLoopPromise<Bool>] = [:]
    private var nextWaiter = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        wakeAll()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        wakeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.error = error
        context.close(promise: nil)
    }

    /// One complete frame body, if the buffer holds one.
    func takeFrame() -> [UInt8]? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
            buffer.readableBytes >= 4 + Int(length)
        else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readBytes(length: Int(length))
    }

    /// Drops everything received so far.
    func discard() { buffer.clear() }

    /// Succeeds with true when data or EOF arrives, with false at `deadline`.
    func waitForChange(on loop: any EventLoop, deadline: NIODeadline) -> EventLoopFuture<Bool> {
        let id = nextWaiter
        nextWaiter += 1
        let promise = loop.makePromise(of: Bool.self)
        waiters[id] = promise
        let bound = NIOLoopBound(self, eventLoop: loop)
        let timer = loop.scheduleTask(deadline: deadline) {
            bound.value.waiters.removeValue(forKey: id)?.succeed(false)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    private func wakeAll() {
        let all = waiters
        waiters = [:]
        for promise in all.values { promise.succeed(true) }
    }
}

/// A client socket that sends hand-made bytes and reads raw frames, with deadlines on every read.
final class RawConnection: Sendable {
    let channel: any Channel
    private let collector: NIOLoopBound<RawCollector>

    private init(channel: any Channel, collector: NIOLoopBound<RawCollector>) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to the Unix socket at `path`.
    static func connect(to path: String) async throws -> RawConnection {
        // The collector is kept from the initializer: a pipeline lookup after connecting could
        // miss it when the server closes the connection at once (a refused peer).
        let made = Recorder<NIOLoopBound<RawCollector>>()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let collector = RawCollector()
                    try channel.pipeline.syncOperations.addHandler(collector)
                    made.append(NIOLoopBound(collector, eventLoop: channel.eventLoop))
                }
            }
            .connect(unixDomainSocketPath: path).get()
        guard let collector = made.all.first else { throw RawTimeout(what: "the connection's handler") }
        return RawConnection(channel: channel, collector: collector)
    }

    /// Sends bytes as they are.
    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// Sends one request frame with its length prefix.
    func send(_ frame: RPCV1.RequestFrame) async throws {
        try await send(try frame.wireBytes())
    }

    /// The body of the next frame, or nil when the server closed the connection first.
    func readFrame(timeout: Duration = .seconds(5)) async throws -> [UInt8]? {
        let loop = channel.eventLoop
        let deadline = NIODeadline.now() + .nanoseconds(timeout.milliseconds * 1_000_000)
        let collector = self.collector
        return try await loop.flatSubmit { Self.nextFrame(collector, loop, deadline) }.get()
    }

    /// The next response frame; throws when the connection closes or nothing comes in time.
    func readResponse(timeout: Duration = .seconds(5)) async throws -> RPCV1.ResponseFrame {
        guard let bytes = try await readFrame(timeout: timeout) else { throw RawTimeout(what: "a response (connection closed)") }
        return try RPCV1.ResponseFrame(serializedBytes: bytes)
    }

    /// Waits until the server closes the connection, discarding anything it sends; returns
    /// whether it closed within `timeout`.
    func waitForClose(timeout: Duration = .seconds(5)) async -> Bool {
        let loop = channel.eventLoop
        let deadline = NIODeadline.now() + .nanoseconds(timeout.milliseconds * 1_000_000)
        let collector = self.collector
        return (try? await loop.flatSubmit { Self.closed(collector, loop, deadline) }.get()) ?? false
    }

    /// Whether the connection is closed now.
    func isClosed() async -> Bool {
        let collector = self.collector
        let closed = try? await channel.eventLoop.submit { collector.value.isClosed }.get()
        return closed ?? true
    }

    /// The error the connection failed with (like ECONNRESET), nil after a clean EOF.
    func failure() async -> String? {
        let collector = self.collector
        let failure = try? await channel.eventLoop.submit { collector.value.error.map { "\($0)" } }.get()
        return failure ?? nil
    }

    /// Closes the connection (idempotent).
    func close() async {
        try? await channel.close()
    }

    private static func nextFrame(
        _ collector: NIOLoopBound<RawCollector>, _ loop: any EventLoop, _ deadline: NIODeadline
    ) -> EventLoopFuture<[UInt8]?> {
        if let frame = collector.value.takeFrame() { return loop.makeSucceededFuture(frame) }
        if collector.value.isClosed { return loop.makeSucceededFuture(nil) }
        return collector.value.waitForChange(on: loop, deadline: deadline).flatMap { changed in
            guard changed else { return loop.makeFailedFuture(RawTimeout(what: "a frame")) }
            return nextFrame(collector, loop, deadline)
        }
    }

    private static func closed(
        _ collector: NIOLoopBound<RawCollector>, _ loop: any EventLoop, _ deadline: NIODeadline
    ) -> EventLoopFuture<Bool> {
        collector.value.discard()
        if collector.value.isClosed { return loop.makeSucceededFuture(true) }
        return collector.value.waitForChange(on: loop, deadline: deadline).flatMap { changed in
            guard changed else { return loop.makeSucceededFuture(false) }
            return closed(collector, loop, deadline)
        }
    }
}

/// Runs `body` with a raw connection to `path`, closed on every exit path.
func withRawConnection<T>(to path: String, _ body: (RawConnection) async throws -> T) async throws -> T {
    let connection = try await RawConnection.connect(to: path)
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}
