import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatPanelRPC

/// A connection's handlers go away with the connection: each keeps its channel context while
/// it is in the pipeline, and lets go of it when removed (the context holds the handler, so a
/// kept context would keep both, and the pipeline, alive for every connection ever served).
@Suite struct HandlerLifetimeTests {
    /// Adds `make()` to a channel, closes the channel, and answers whether the handler lives on.
    private func outlivesItsChannel(_ make: () -> any ChannelHandler) throws -> Bool {
        weak var released: AnyObject?
        try {
            let handler = make()
            released = handler as AnyObject
            let channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(unixDomainSocketPath: "/tmp/handler-lifetime-test")).wait()
            _ = try channel.finish()
        }()
        return released != nil
    }

    @Test func aServerConnectionsHandlerIsReleasedWithItsChannel() throws {
        let outlives = try outlivesItsChannel {
            ServerConnectionHandler(
                router: RPCRouter(), configuration: RPCServerConfiguration(listener: .path("/tmp/handler-lifetime-test")),
                peer: PeerCredentials(processID: 1, userID: 0, groupID: 0), counters: ServerCounters(),
                eventLoop: EmbeddedEventLoop(), logger: Logger(label: "test"))
        }
        #expect(!outlives)
    }

    @Test func aClientConnectionsHandlerIsReleasedWithItsChannel() throws {
        let outlives = try outlivesItsChannel {
            ClientConnectionHandler(
                socketPath: "/tmp/handler-lifetime-test", maximumCallsInFlight: 4, maximumQueuedCalls: 4, lastFrame: LastFrameClock())
        }
        #expect(!outlives)
    }
}
