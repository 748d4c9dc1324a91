import ChatPanelProto
import ChatPanelRPC

extension ClientsService {
    /// ListClients, ListDialogs.
    static func registerListMethods(on router: inout RPCRouter, store: ClientsStore, configuration: ClientsConfiguration) {
        router.register(ClientsV1.Clients.listClients) { request, _ in
            let filter = try ListRules.clientFilter(request, phoneRegion: configuration.phoneRegion)
            var violations = FieldViolations()
            let pageSize = ListRules.pageSize(request.pageSize, &violations)
            try violations.throwIfAny()
            return try await store.listClients(filter, pageSize: pageSize, after: try PageToken.parse(request.pageToken))
        }
        router.register(ClientsV1.Clients.listDialogs) { request, _ in
            var violations = FieldViolations()
            let tags = ListRules.tags(request.tagIDs, match: request.match, &violations)
            violations.check(!tags.isEmpty, field: "tag_ids", "name at least one tag")
            let pageSize = ListRules.pageSize(request.pageSize, &violations)
            try violations.throwIfAny()
            return try await store.listDialogs(
                tagIDs: tags, match: request.match, pageSize: pageSize, after: try PageToken.parse(request.pageToken))
        }
    }
}
