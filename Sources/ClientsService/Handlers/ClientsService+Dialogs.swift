import ChatPanelProto
import ChatPanelRPC

extension ClientsService {
    /// UpsertDialog, GetClientCard, SaveClientFromDialog, LinkDialog, ListClientDialogs.
    static func registerDialogMethods(on router: inout RPCRouter, store: ClientsStore, configuration: ClientsConfiguration) {
        router.register(ClientsV1.Clients.upsertDialog, group: .feeds) { request, context in
            let contact = try DialogContact(validating: request, phoneRegion: configuration.phoneRegion)
            // The chat back end records dialogs as they come: no manager acts (0 is recorded then).
            return try await store.upsertDialog(
                contact, by: Mutation(managerID: context.caller.managerID, requestID: context.requestID))
        }
        // Answered inside the read of the request: the card is one read on the loop's connection.
        router.register(ClientsV1.Clients.getClientCard, synchronous: { request, context in
            switch request.target {
            case .dialogID(let dialogID)?:
                let id = try validDialogID(dialogID, field: "dialog_id")
                return try store.clientCardNow(dialogID: id, managerID: context.caller.managerID)
            case .clientID(let clientID)?:
                var violations = FieldViolations()
                violations.checkID(clientID, field: "client_id")
                try violations.throwIfAny()
                return try store.clientCardNow(clientID: clientID, managerID: context.caller.managerID)
            case nil:
                throw RPCError.invalidArgument(field: "target", "give a dialog_id or a client_id")
            }
        })
        router.register(ClientsV1.Clients.saveClientFromDialog) { request, context in
            try context.require(.editClients, for: "saving a client")
            let overrides = try NameOverrides(validating: request)
            let dialogID = try validDialogID(request.dialogID, field: "dialog_id")
            return try await store.saveClientFromDialog(dialogID, overrides: overrides, by: context.mutation)
        }
        router.register(ClientsV1.Clients.linkDialog) { request, context in
            try context.require(.editClients, for: "linking a dialog to a client")
            var violations = FieldViolations()
            violations.checkID(request.clientID, field: "client_id")
            let dialogID = violations.take(TextRule.dialogID.clean(request.dialogID), field: "dialog_id")
            try violations.throwIfAny()
            return try await store.linkDialog(dialogID!, to: request.clientID, by: context.mutation)
        }
        router.register(ClientsV1.Clients.listClientDialogs) { request, _ in
            var violations = FieldViolations()
            violations.checkID(request.clientID, field: "client_id")
            let pageSize = ListRules.pageSize(request.pageSize, &violations)
            try violations.throwIfAny()
            return try await store.dialogs(ofClient: request.clientID, pageSize: pageSize, after: try PageToken.parse(request.pageToken))
        }
    }

    /// A cleaned dialog id, or `INVALID_ARGUMENT` on `field`.
    static func validDialogID(_ raw: String, field: String) throws(RPCError) -> String {
        switch TextRule.dialogID.clean(raw) {
        case .success(let id): return id
        case .failure(let failure): throw RPCError.invalidArgument(field: field, failure)
        }
    }
}
