import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Gateway
import Instrumentation
import Synchronization
import TasksService
import Testing
import W3CTraceContext

/// One panel is one trace: the gateway continues the caller's trace in its own span and every
/// upstream call of the panel carries that span as its parent.
@Suite("Gateway: trace context through a panel")
struct TraceThroughGatewayTests {
    /// What an upstream handler saw.
    final class Seen: Sendable {
        private let calls = Mutex<[(service: String, trace: String, parent: String?)]>([])
        func record(_ service: String, _ context: RPCCallContext) {
            calls.withLock { $0.append((service, "\(context.trace.traceID)", context.parentSpanID.map { "\($0)" })) }
        }
        var all: [(service: String, trace: String, parent: String?)] { calls.withLock { $0 } }
    }

    @Test("GetPanel with a traceparent: the clients and tasks calls of the panel are in the caller's trace, children of the gateway's span")
    func panelIsOneTrace() async throws {
        let seen = Seen()
        let clientsRoutes: (inout RPCRouter, ClientsStore) -> Void = { router, store in
            router.register(ClientsV1.Clients.getClientCard) { request, context in
                seen.record("clients", context)
                guard case .dialogID(let dialogID)? = request.target else { throw RPCError.invalidArgument(field: "dialog_id", "missing") }
                return try await store.clientCard(dialogID: dialogID, managerID: context.caller.managerID)
            }
        }
        let tasksRoutes: (inout RPCRouter, TasksStore) -> Void = { router, _ in
            router.register(TasksV1.Tasks.getPanelData) { _, context in
                seen.record("tasks", context)
                throw RPCError.unavailable("recorded")
            }
        }
        try await withGateway(clientsRoutes: clientsRoutes, tasksRoutes: tasksRoutes) { h in
            try await h.savedClient("d-trace")
            let before = seen.all.count
            let caller = try TraceContext(traceParentHeaderValue: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            var context = ServiceContext.topLevel
            context.traceContext = caller
            let panel = try await ServiceContext.withValue(context) { try await h.panel("d-trace") }
            #expect(panel.client?.state == .ok)

            let calls = seen.all.dropFirst(before)
            #expect(Set(calls.map(\.service)) == ["clients", "tasks"], "\(calls)")
            for call in calls {
                #expect(call.trace == "0af7651916cd43dd8448eb211c80319c", "\(call.service) is in another trace")
                #expect(call.parent != nil && call.parent != "b7ad6b7169203331", "\(call.service)'s parent is the gateway's span, not the caller's")
            }
            #expect(Set(calls.map(\.parent)).count == 1, "every upstream call of the panel has the same parent: the gateway's span")
        }
    }
}
