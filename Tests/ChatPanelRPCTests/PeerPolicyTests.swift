import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

/// The `SO_PEERCRED` check: a peer whose user id and group id are both off the allow-list is
/// disconnected before its first frame is read; a listed user or group gets served, and the
/// handler sees the kernel's view of who is calling.
@Suite(.timeLimit(.minutes(1)))
struct PeerPolicyTests {
    private static let strangerID: UInt32 = 4242

    @Test func peerNotOnTheAllowListIsRefused() async throws {
        try #require(UnixSocketFile.currentUserID != Self.strangerID && UnixSocketFile.currentGroupID != Self.strangerID)
        try await withEchoServer(configure: { $0.peerPolicy = PeerPolicy(allowedUserIDs: [Self.strangerID]) }) { server, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(TestingV1.Echo.echo, echoRequest(text: "let me in"))
            }
            #expect(error?.code == .unavailable)
            await client.close()

            // On the wire: the connection is closed without an answer, even to a valid request.
            try await withRawConnection(to: socket) { raw in
                try? await raw.send(try echoCallFrame(id: 1, echoRequest(text: "let me in")))
                let answer = try await raw.readFrame(timeout: .seconds(5))
                #expect(answer == nil)
            }
            #expect(await eventually { server.connectionCount == 0 })
            #expect(server.callsInFlight == 0)
        }
    }

    @Test func refusedGroupIsNotEnoughEither() async throws {
        try #require(UnixSocketFile.currentGroupID != Self.strangerID)
        try await withEchoServer(configure: {
            $0.peerPolicy = PeerPolicy(allowedUserIDs: [Self.strangerID], allowedGroupIDs: [Self.strangerID])
        }) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let error = await #expect(throws: RPCError.self) { try await client.unary(TestingV1.Echo.echo, echoRequest()) }
            #expect(error?.code == .unavailable)
            await client.close()
        }
    }

    @Test func currentUserIsAllowed() async throws {
        try await withEchoServer(configure: {
            $0.peerPolicy = PeerPolicy(allowedUserIDs: [Self.strangerID, UnixSocketFile.currentUserID])
        }) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let answer = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "me"))
            #expect(answer.text == "me")
            await client.close()
        }
    }

    @Test func currentGroupIsAllowed() async throws {
        try #require(UnixSocketFile.currentUserID != Self.strangerID)
        try await withEchoServer(configure: {
            $0.peerPolicy = PeerPolicy(allowedUserIDs: [Self.strangerID], allowedGroupIDs: [UnixSocketFile.currentGroupID])
        }) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            let answer = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "my group"))
            #expect(answer.text == "my group")
            await client.close()
        }
    }

    @Test func handlerSeesThePeerCredentials() async throws {
        let seen = Recorder<PeerCredentials>()
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { _, context in
            seen.append(context.peer)
            return TestingV1.EchoResponse()
        }
        try await withEchoServer(router: router) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest())
            await client.close()
        }
        let peer = try #require(seen.all.first)
        #expect(peer.userID == UnixSocketFile.currentUserID)
        #expect(peer.groupID == UnixSocketFile.currentGroupID)
        #expect(peer.processID == ProcessInfo.processInfo.processIdentifier)
    }

    @Test func policyDecision() {
        let policy = PeerPolicy(allowedUserIDs: [10], allowedGroupIDs: [20])
        #expect(policy.allows(PeerCredentials(processID: 1, userID: 10, groupID: 99)))
        #expect(policy.allows(PeerCredentials(processID: 1, userID: 99, groupID: 20)))
        #expect(!policy.allows(PeerCredentials(processID: 1, userID: 20, groupID: 10)))
        #expect(!PeerPolicy(allowedUserIDs: []).allows(PeerCredentials(processID: 1, userID: 0, groupID: 0)))
    }
}
