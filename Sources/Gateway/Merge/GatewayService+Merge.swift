import ChatPanelProto
import ChatPanelRPC

extension GatewayService {
    /// `MergeClients` (starts or finds the durable workflow, CLIENT-9) and `GetMergeWorkflow`.
    func registerMerge(on router: inout RPCRouter) {
        router.register(GatewayV1.Gateway.mergeClients) { [mergeRunner] request, context in
            try context.require(.editClients, for: "merging clients")
            var violations = FieldViolations()
            violations.checkID(request.survivorClientID, field: "survivor_client_id")
            violations.checkID(request.mergedClientID, field: "merged_client_id")
            if request.survivorClientID > 0, request.survivorClientID == request.mergedClientID {
                violations.add(field: "merged_client_id", "a client cannot be merged into itself")
            }
            try violations.throwIfAny()
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
}
