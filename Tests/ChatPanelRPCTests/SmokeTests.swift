import ChatPanelProto
import ChatPanelRPC
import Testing

/// The simplest end-to-end call.
@Suite struct SmokeTests {
    @Test func echoRoundTrip() async throws {
        try await withEchoServer { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            var request = TestingV1.EchoRequest()
            request.text = "привет"
            request.body = [1, 2, 3]
            let response = try await client.unary(TestingV1.Echo.echo, request, options: .init(caller: .init(managerID: 7, rights: [])))
            #expect(response.text == "привет")
            #expect(response.body == [1, 2, 3])
            #expect(response.managerID == 7)
            await client.close()
        }
    }
}
