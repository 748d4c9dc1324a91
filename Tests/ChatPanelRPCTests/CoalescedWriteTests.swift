import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The client writes the calls started within one tick of its event loop together, at the end
/// of the tick: a server reads them in one read. A server that only listens sees the bytes.
@Suite(.timeLimit(.minutes(1)))
struct CoalescedWriteTests {
    /// Records the size of each read a listening server makes, answering nothing.
    private final class ReadSizes: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let sizes = Mutex<[Int]>([])

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data).readableBytes
            sizes.withLock { $0.append(bytes) }
        }

        var total: Int { sizes.withLock { $0.reduce(0, +) } }
    }

    /// Waits until `reads` holds `bytes` bytes in all, for at most 10 s.
    private func waitForBytes(_ reads: ReadSizes, _ bytes: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while reads.total < bytes {
            guard ContinuousClock.now < deadline else { throw RawTimeout(what: "\(bytes) bytes (have \(reads.total))") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func callsStartedWithinOneTickReachTheServerInOneRead() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/listen.sock"
            let reads = ReadSizes()
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(reads) } }
                .bind(unixDomainSocketPath: socket).get()
            let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let client = RPCClient(configuration: .init(socketPath: socket), eventLoopGroup: loops)
            let payload = try echoRequest(text: "coalesced").serializedBytes()
            let options = RPCCallOptions(timeout: .seconds(30))
            func start() { _ = client.start(path: TestingV1.Echo.echo.path, payload: payload, options: options) { _ in } }

            // The first call opens the connection; its frame's size is what each call sends.
            start()
            try await waitForBytes(reads, 1)
            try await Task.sleep(for: .milliseconds(50))
            let frame = reads.total
            #expect(reads.sizes.withLock { $0 } == [frame])

            // Eight calls started in one task on the loop. Between the first and the rest, the
            // loop waits long enough for the server to read a frame written at once.
            try await loops.next().submit {
                start()
                usleep(200_000)
                for _ in 1..<8 { start() }
            }.get()
            try await waitForBytes(reads, 9 * frame)
            try await Task.sleep(for: .milliseconds(50))
            #expect(reads.sizes.withLock { $0 } == [frame, 8 * frame])

            await client.close()
            try await server.close()
            try await loops.shutdownGracefully()
        }
    }
}
