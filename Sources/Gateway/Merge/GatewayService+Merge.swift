import ChatPanelProto
import ChatPanelRPC

extension GatewayService {
    /// `MergeClients` (starts or finds the durable workflow, CLIENT-9) and `GetMergeWorkflow`.
    func registerMerge(on router: inout RPCRouter) {
        router.register(GatewayV1.Gateway.mergeClients) { [mergeRunner, clients] request, context in
            try context.require(.editClients, for: "merging clients")
            var violations = FieldViolations()
            violations.checkID(request.survivorClientID, field: "survivor_client_id")
            violations.checkID(request.mergedClientID, field: "merged_client_id")
            if request.survivorClientID > 0, request.survivorClientID == request.mergedClientID {
                violations.add(field: "merged_client_id", "a client cannot be merged into itself")
            }
            try violations.throwIfAny()
            try await Self.refuseUnknownClients(request, clients: clients, context: context)
            return try await mergeRunner.start(
                survivorClientID: request.survivorClientID, mergedClientID: request.mergedClientID, caller: context.caller,
                requestID: context.requestID)
        }
        router.register(GatewayV1.Gateway.getMergeWorkflow) { [store] request, _ in
            guard let workflow = try await store.mergeWorkflow(id: request.workflowID) else {
                throw RPCError.notFound("no merge workflow \(request.workflowID)")
            }
            return workflow
        }
    }

    /// Refuses at once, NOT_FOUND naming the field, a merge that names a client the clients
    /// service does not know, so that the manager hears of a mistyped id from the call and not
    /// from a workflow that fails a moment later. Whatever else the clients service says (a
    /// client merged already, the service away or slow) is the workflow's to meet: it tells a
    /// merge made already from one refused, and it waits for a service that is away.
    static func refuseUnknownClients(
        _ request: GatewayV1.MergeClientsRequest, clients: Upstream, context: RPCCallContext
    ) async throws {
        func isUnknown(_ clientID: Int64) async -> Bool {
            var card = ClientsV1.GetClientCardRequest()
            card.target = .clientID(clientID)
            do {
                _ = try await clients.call(
                    ClientsV1.Clients.getClientCard, card,
                    options: RPCCallOptions(timeout: min(context.timeRemaining, .seconds(2)), caller: context.caller))
                return false
            } catch let error as RPCError {
                return error.code == .notFound
            } catch {
                return false
            }
        }
        async let survivorUnknown = isUnknown(request.survivorClientID)
        async let mergedUnknown = isUnknown(request.mergedClientID)
        let unknown = [
            await survivorUnknown ? ("survivor_client_id", request.survivorClientID) : nil,
            await mergedUnknown ? ("merged_client_id", request.mergedClientID) : nil,
        ].compactMap { $0 }
        guard !unknown.isEmpty else { return }
        throw RPCError.notFound(unknown.map { "\($0.0): client \($0.1) does not exist" }.joined(separator: "; "))
    }
}
