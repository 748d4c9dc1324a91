import ChatPanelProto
import ChatPanelRPC

extension ClientsService {
    /// UpdateClient, ApplyFragment, ListDuplicates, MergeClients, ListMerges.
    static func registerClientMethods(on router: inout RPCRouter, store: ClientsStore, configuration: ClientsConfiguration) {
        router.register(ClientsV1.Clients.updateClient) { request, context in
            try context.require(.editClients, for: "editing a client")
            var violations = FieldViolations()
            violations.checkID(request.clientID, field: "client_id")
            let dialogID =
                request.dialogID.isEmpty ? "" : violations.take(TextRule.dialogID.clean(request.dialogID), field: "dialog_id") ?? ""
            try violations.throwIfAny()
            let changes = try ClientChanges(validating: request, phoneRegion: configuration.phoneRegion)
            return try await store.updateClient(request.clientID, changes, dialogID: dialogID, by: context.mutation)
        }
        router.register(ClientsV1.Clients.applyFragment) { request, context in
            if request.target == .productQuery {
                var response = ClientsV1.ApplyFragmentResponse()
                let query = MessageFragment.clean(request.fragment, keepTrailingDot: false)
                switch TextRule.productQuery.clean(query) {
                case .success(let cleaned): response.productQuery = cleaned
                case .failure(let failure): throw RPCError.invalidArgument(field: "fragment", failure)
                }
                return response
            }
            try context.require(.editClients, for: "applying a message fragment to a client")
            var violations = FieldViolations()
            violations.checkID(request.clientID, field: "client_id")
            let dialogID =
                request.dialogID.isEmpty ? "" : violations.take(TextRule.dialogID.clean(request.dialogID), field: "dialog_id") ?? ""
            try violations.throwIfAny()
            let changes = try ClientChanges(fragment: request.fragment, target: request.target, phoneRegion: configuration.phoneRegion)
            return try await store.applyFragment(request.clientID, changes, dialogID: dialogID, by: context.mutation)
        }
        router.register(ClientsV1.Clients.listDuplicates) { request, _ in
            var response = ClientsV1.ListDuplicatesResponse()
            switch request.target {
            case .dialogID(let dialogID)?:
                response.duplicates = try await store.duplicates(ofDialog: try validDialogID(dialogID, field: "dialog_id"))
            case .clientID(let clientID)?:
                var violations = FieldViolations()
                violations.checkID(clientID, field: "client_id")
                try violations.throwIfAny()
                response.duplicates = try await store.duplicates(ofClient: clientID)
            case nil:
                throw RPCError.invalidArgument(field: "target", "give a dialog_id or a client_id")
            }
            return response
        }
        router.register(ClientsV1.Clients.mergeClients) { request, context in
            try context.require(.editClients, for: "merging clients")
            var violations = FieldViolations()
            violations.checkID(request.survivorClientID, field: "survivor_client_id")
            violations.checkID(request.mergedClientID, field: "merged_client_id")
            if request.survivorClientID > 0, request.survivorClientID == request.mergedClientID {
                violations.add(field: "merged_client_id", "a client cannot be merged into itself")
            }
            try violations.throwIfAny()
            return try await store.mergeClients(survivor: request.survivorClientID, merged: request.mergedClientID, by: context.mutation)
        }
        router.register(ClientsV1.Clients.listMerges) { request, _ in
            var violations = FieldViolations()
            violations.checkID(request.clientID, field: "client_id")
            let pageSize = ListRules.pageSize(
                request.pageSize, default: ListRules.defaultMergePageSize, maximum: ListRules.maximumMergePageSize, &violations)
            try violations.throwIfAny()
            return try await store.merges(ofClient: request.clientID, pageSize: pageSize, after: try PageToken.parse(request.pageToken))
        }
    }
}
