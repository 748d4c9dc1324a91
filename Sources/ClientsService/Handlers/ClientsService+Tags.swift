import ChatPanelProto
import ChatPanelRPC

extension ClientsService {
    /// AutocompleteTags, CreateTag, GetTag, AttachTag, DetachTag, PinTag, ListClientTags.
    static func registerTagMethods(on router: inout RPCRouter, store: ClientsStore) {
        router.register(ClientsV1.Clients.autocompleteTags) { request, context in
            var violations = FieldViolations()
            let query = violations.take(TextRule.query.clean(request.query), field: "query") ?? ""
            violations.check((0...50).contains(request.limit), field: "limit", "must be between 1 and 50 (0 means 10)")
            violations.check(request.excludeClientID >= 0, field: "exclude_client_id", "must be a client id or 0")
            try violations.throwIfAny()
            let matches = try await store.autocompleteTags(
                key: SearchKey.make(query), limit: request.limit == 0 ? 10 : Int(request.limit),
                excludingClient: request.excludeClientID == 0 ? nil : request.excludeClientID)
            var response = ClientsV1.AutocompleteTagsResponse()
            response.tags = matches.tags
            response.exactMatch = matches.exactMatch
            response.canCreate = !matches.exactMatch && context.caller.has(.createTags) && (try? TagRules.name(query).get()) != nil
            return response
        }
        router.register(ClientsV1.Clients.createTag) { request, context in
            try context.require(.createTags, for: "creating a tag")
            var violations = FieldViolations()
            let name = violations.take(TagRules.name(request.name), field: "name")
            try violations.throwIfAny()
            return try await store.createTag(named: name!, by: context.mutation)
        }
        router.register(ClientsV1.Clients.getTag) { request, _ in
            var violations = FieldViolations()
            violations.checkID(request.tagID, field: "tag_id")
            try violations.throwIfAny()
            return try await store.tag(request.tagID)
        }
        router.register(ClientsV1.Clients.attachTag) { request, context in
            try context.require(.editClients, for: "changing a client's tags")
            try checkClientAndTag(request.clientID, request.tagID)
            return try await store.attachTag(request.tagID, toClient: request.clientID, by: context.mutation)
        }
        router.register(ClientsV1.Clients.detachTag) { request, context in
            try context.require(.editClients, for: "changing a client's tags")
            try checkClientAndTag(request.clientID, request.tagID)
            return try await store.detachTag(request.tagID, fromClient: request.clientID, by: context.mutation)
        }
        router.register(ClientsV1.Clients.pinTag) { request, context in
            try context.require(.editClients, for: "changing a client's tags")
            try checkClientAndTag(request.clientID, request.tagID)
            return try await store.pinTag(request.tagID, onClient: request.clientID, pinned: request.pinned, by: context.mutation)
        }
        router.register(ClientsV1.Clients.listClientTags) { request, _ in
            var violations = FieldViolations()
            violations.checkID(request.clientID, field: "client_id")
            let pageSize = ListRules.pageSize(request.pageSize, &violations)
            try violations.throwIfAny()
            return try await store.clientTags(ofClient: request.clientID, pageSize: pageSize, after: try PageToken.parse(request.pageToken))
        }
    }

    private static func checkClientAndTag(_ clientID: Int64, _ tagID: Int64) throws(RPCError) {
        var violations = FieldViolations()
        violations.checkID(clientID, field: "client_id")
        violations.checkID(tagID, field: "tag_id")
        try violations.throwIfAny()
    }
}
