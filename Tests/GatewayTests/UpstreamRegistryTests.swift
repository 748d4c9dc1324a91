import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Gateway
import Testing

/// The upstream registry: one entry per service gives its flag, environment key and default
/// socket; action paths come from the generated method descriptors; upstream clients close on
/// shutdown.
@Suite("Gateway: upstream registry")
struct UpstreamRegistryTests {
    @Test("sockets come from the flag, else the environment key, else the state folder")
    func socketResolution() throws {
        let sockets = try GatewayConfiguration.upstreamSockets(
            arguments: ["--clients-socket", "/x/clients.sock"], environment: ["CHATPANEL_TASKS_SOCKET": "/y/tasks.sock"],
            stateDirectory: "/state")
        #expect(sockets == ["clients": "/x/clients.sock", "tasks": "/y/tasks.sock"])
        let defaults = try GatewayConfiguration.upstreamSockets(
            arguments: ["--tasks-socket=/z.sock"], environment: [:], stateDirectory: "/state")
        #expect(defaults == ["clients": "/state/clients.sock", "tasks": "/z.sock"])
        #expect(UpstreamDescriptor.all.map(\.socketFlag) == ["clients-socket", "tasks-socket", "orders-socket", "insights-socket"])
        #expect(
            UpstreamDescriptor.all.map(\.environmentKey) == [
                "CHATPANEL_CLIENTS_SOCKET", "CHATPANEL_TASKS_SOCKET", "CHATPANEL_ORDERS_SOCKET", "CHATPANEL_INSIGHTS_SOCKET",
            ])
        // The orders and insights services are optional: configured only when a flag or key names a socket.
        let orders = try GatewayConfiguration.upstreamSockets(
            arguments: ["--orders-socket", "/o.sock"], environment: [:], stateDirectory: "/s")
        #expect(orders == ["clients": "/s/clients.sock", "tasks": "/s/tasks.sock", "orders": "/o.sock"])
        let insights = try GatewayConfiguration.upstreamSockets(
            arguments: [], environment: ["CHATPANEL_INSIGHTS_SOCKET": "/i.sock"], stateDirectory: "/s")
        #expect(insights == ["clients": "/s/clients.sock", "tasks": "/s/tasks.sock", "insights": "/i.sock"])
        #expect(throws: GatewayConfiguration.UpstreamArgumentError.self) {
            try GatewayConfiguration.upstreamSockets(arguments: ["--reports-socket", "/r.sock"], environment: [:], stateDirectory: "/s")
        }
        #expect(throws: GatewayConfiguration.UpstreamArgumentError.self) {
            try GatewayConfiguration.upstreamSockets(arguments: ["--clients-socket"], environment: [:], stateDirectory: "/s")
        }
    }

    @Test("an upstream run as a service closes its client when it stops")
    func upstreamClosesOnShutdown() async throws {
        try await withGateway { h in
            let upstream = Upstream(.clients, socketPath: "\(h.directory)/clients.sock")
            let service = Task { try await upstream.run() }
            let health = try await upstream.call(
                HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: RPCCallOptions(timeout: .seconds(20)))
            #expect(health.status == .serving)
            #expect(upstream.client.isConnected)
            service.cancel()
            _ = await service.result
            #expect(!upstream.client.isConnected)
            await expectUnavailable {
                _ = try await upstream.call(HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: RPCCallOptions())
            }
        }
    }

    private func expectUnavailable(_ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected UNAVAILABLE after the upstream was closed")
        } catch let error as RPCError {
            #expect(error.code == .unavailable, "\(error)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
