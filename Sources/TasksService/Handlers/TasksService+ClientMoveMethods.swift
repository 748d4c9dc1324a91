import ChatPanelProto
import ChatPanelRPC

extension TasksService {
    /// MoveClientRecords: needs RIGHT_EDIT_CLIENTS (merging clients is editing them; the
    /// tasks right is not asked, so a merge never stops half-way for it).
    static func registerClientMoveMethods(on router: inout RPCRouter, store: TasksStore) {
        router.register(TasksV1.Tasks.moveClientRecords) { request, context in
            try context.require(.editClients, for: "moving a client's tasks and notes")
            try request.validate()
            return try await store.moveClientRecords(from: request.fromClientID, to: request.toClientID, requestID: context.requestID)
        }
    }
}
