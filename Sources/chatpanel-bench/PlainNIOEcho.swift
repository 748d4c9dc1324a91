import ArgumentParser
import ChatPanelRPC
import Foundation
import NIOCore
import NIOPosix

/// The baseline of `chatpanel-bench cost` for what SwiftNIO itself costs: an echo of
/// length-prefixed frames over a Unix socket with no RPC layer (no envelopes, no protobuf, no
/// call ids, no handler tasks), written the way SwiftNIO's own echo example is. Its callers are
/// placed as the RPC layer's are (tasks on Swift's cooperative pool, or each on its channel's
/// event loop), so that the difference between the two rows of one placement is the RPC layer's
/// own cost, and what both rows share is the cost of the placement.
enum PlainNIOEcho {
    /// Splits the stream into frames: a 4-byte big-endian length and that many bytes, passed on
    /// whole (the length included).
    struct FrameSplitter: ByteToMessageDecoder {
        typealias InboundOut = ByteBuffer

        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self),
                let frame = buffer.readSlice(length: 4 + Int(length))
            else { return .needMoreData }
            context.fireChannelRead(wrapInboundOut(frame))
            return .continue
        }
    }

    /// Writes every frame back; flushes once a read is done.
    final class ServerHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.write(data, promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }

    /// A frame to send and the promise its echo completes.
    struct Exchange: Sendable {
        let frame: ByteBuffer
        let answer: EventLoopPromise<ByteBuffer>
    }

    /// Sends frames and completes each exchange with the frame that comes back (in order: one
    /// connection, one server, answers in the order of the questions).
    final class ClientHandler: ChannelDuplexHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = Exchange
        typealias OutboundOut = ByteBuffer

        private var waiting = CircularBuffer<EventLoopPromise<ByteBuffer>>()

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let exchange = unwrapOutboundIn(data)
            waiting.append(exchange.answer)
            context.write(wrapOutboundOut(exchange.frame), promise: promise)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            waiting.popFirst()?.succeed(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            while let answer = waiting.popFirst() { answer.fail(ChannelError.ioOnClosedChannel) }
            context.fireChannelInactive()
        }
    }

    /// One round trip of `frame` on `channel`.
    static func exchange(_ frame: ByteBuffer, on channel: any Channel) async throws -> ByteBuffer {
        let answer = channel.eventLoop.makePromise(of: ByteBuffer.self)
        channel.writeAndFlush(Exchange(frame: frame, answer: answer), promise: nil)
        return try await answer.futureResult.get()
    }

    /// A connection to the echo server at `socket`, on `loop`.
    static func connect(_ socket: String, on loop: any EventLoop) async throws -> any Channel {
        try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameSplitter()))
                    try channel.pipeline.syncOperations.addHandler(ClientHandler())
                }
            }
            .connect(unixDomainSocketPath: socket).get()
    }

    /// A frame of `size` bytes: its length, then filler.
    static func frame(size: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(size - 4))
        buffer.writeRepeatingByte(0x61, count: size - 4)
        return buffer
    }
}

/// `chatpanel-bench nio-echo-server`: the plain SwiftNIO echo server, until SIGTERM.
struct NIOEchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nio-echo-server", abstract: "Serves the plain SwiftNIO echo (no RPC layer).", shouldDisplay: false)

    @Option var socket: String

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PlainNIOEcho.FrameSplitter()))
                    try channel.pipeline.syncOperations.addHandler(PlainNIOEcho.ServerHandler())
                }
            }
            .bind(unixDomainSocketPath: socket, cleanupExistingSocketFile: true).get()
        try await channel.closeFuture.get()
    }
}

/// `chatpanel-bench nio-echo-callers`: callers (16 unless told) of the plain SwiftNIO echo,
/// each with a connection of its own, in tasks on Swift's cooperative pool or (`--on-loops`)
/// each on its connection's event loop. Prints its own and the server's CPU seconds over the measured
/// calls (after a warm-up), as `key=value` pairs, as `pool-callers` does.
struct NIOEchoCallers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nio-echo-callers", abstract: "Makes plain SwiftNIO echo round trips.", shouldDisplay: false)

    @Option var socket: String
    @Option(help: "The server's pid, whose CPU time is read from /proc.") var serverPID: Int32
    @Option var calls = 64_000
    @Option(help: "Bytes per frame, its 4-byte length included.") var frame = 300
    @Option(help: "Callers, each with a connection of its own.") var callers = 16
    @Flag(help: "Run each caller on its connection's event loop.") var onLoops = false

    func run() async throws {
        var channels: [any Channel] = []
        for _ in 0..<callers {
            channels.append(try await PlainNIOEcho.connect(socket, on: MultiThreadedEventLoopGroup.singleton.next()))
        }
        let frame = PlainNIOEcho.frame(size: frame)
        let perCaller = calls / callers
        try await call(channels, frame, times: 50)
        let (server, own) = try await measuredCPU(serverPID: serverPID) { try await call(channels, frame, times: perCaller) }
        for channel in channels { try? await channel.close() }
        printCallersCPU(calls: perCaller * callers, server: server, own: own)
    }

    /// Each channel's caller makes `times` round trips, all callers at once.
    private func call(_ channels: [any Channel], _ frame: ByteBuffer, times: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for channel in channels {
                let body: @Sendable () async throws -> Void = {
                    for _ in 0..<times {
                        let echo = try await PlainNIOEcho.exchange(frame, on: channel)
                        guard echo.readableBytes == frame.readableBytes else {
                            throw ValidationError("an echo of \(echo.readableBytes) bytes for a frame of \(frame.readableBytes)")
                        }
                    }
                }
                if onLoops {
                    group.addTask(executorPreference: EventLoopTaskExecutor(eventLoop: channel.eventLoop), operation: body)
                } else {
                    group.addTask(operation: body)
                }
            }
            try await group.waitForAll()
        }
    }
}
