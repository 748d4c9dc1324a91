import ChatPanelProto
import ChatPanelRPC

extension ClientsService {
    /// SearchFields, CreateField, SetFieldValue, GetFieldLayout, ReorderFields, PinField.
    static func registerFieldMethods(on router: inout RPCRouter, store: ClientsStore) {
        router.register(ClientsV1.Clients.searchFields) { request, context in
            var violations = FieldViolations()
            let query = violations.take(TextRule.query.clean(request.query), field: "query") ?? ""
            violations.check((0...100).contains(request.limit), field: "limit", "must be between 1 and 100 (0 means 20)")
            violations.check(request.clientID >= 0, field: "client_id", "must be a client id or 0")
            try violations.throwIfAny()
            var response = ClientsV1.SearchFieldsResponse()
            response.fields = try await store.searchFields(
                query: query, limit: request.limit == 0 ? 20 : Int(request.limit), clientID: request.clientID == 0 ? nil : request.clientID,
                managerID: context.caller.managerID)
            return response
        }
        router.register(ClientsV1.Clients.createField, group: .admin) { request, context in
            try context.require(.admin, for: "defining a field")
            return try await store.createField(try validNewField(request), by: context.mutation)
        }
        router.register(ClientsV1.Clients.setFieldValue) { request, context in
            try context.require(.editClients, for: "editing a client")
            var violations = FieldViolations()
            violations.checkID(request.clientID, field: "client_id")
            violations.check(!request.code.isEmpty, field: "code", "must not be empty")
            violations.check(
                request.value.utf8.count <= TextRule.fieldText.maxBytes, field: "value",
                "must be at most \(TextRule.fieldText.maxBytes) bytes of UTF-8")
            try violations.throwIfAny()
            return try await store.setFieldValue(clientID: request.clientID, code: request.code, value: request.value, by: context.mutation)
        }
        router.register(ClientsV1.Clients.getFieldLayout) { _, context in
            try await store.fieldLayout(managerID: context.caller.managerID)
        }
        router.register(ClientsV1.Clients.reorderFields) { request, context in
            var violations = FieldViolations()
            violations.check(request.codes.count <= 500, field: "codes", "at most 500 fields")
            for (index, code) in request.codes.enumerated() {
                if code.isEmpty { violations.add(field: "codes[\(index)]", "must not be empty") }
                if let first = request.codes.firstIndex(of: code), first < index {
                    violations.add(field: "codes[\(index)]", "repeats codes[\(first)]")
                }
            }
            try violations.throwIfAny()
            return try await store.reorderFields(request.codes, by: context.mutation)
        }
        router.register(ClientsV1.Clients.pinField) { request, context in
            var violations = FieldViolations()
            violations.check(!request.code.isEmpty, field: "code", "must not be empty")
            try violations.throwIfAny()
            return try await store.pinField(request.code, pinned: request.pinned, by: context.mutation)
        }
    }

    /// A `CreateField` request, validated.
    static func validNewField(_ request: ClientsV1.CreateFieldRequest) throws(RPCError) -> NewField {
        var violations = FieldViolations()
        let code = violations.take(FieldValueRules.code(request.code), field: "code") ?? ""
        let name = violations.take(TextRule.fieldName.clean(request.name), field: "name") ?? ""
        switch request.type {
        case .unspecified, .unrecognized: violations.add(field: "type", "must be a field type")
        default: break
        }
        var options: [ClientsV1.FieldOption] = []
        if request.type == .dictionary {
            violations.check(
                (1...200).contains(request.options.count), field: "options", "a dictionary field needs 1 to 200 options")
            for (index, option) in request.options.enumerated() {
                var cleaned = ClientsV1.FieldOption()
                cleaned.code = violations.take(FieldValueRules.code(option.code), field: "options[\(index)].code") ?? ""
                cleaned.name = violations.take(TextRule.fieldName.clean(option.name), field: "options[\(index)].name") ?? ""
                if options.contains(where: { $0.code == cleaned.code && !cleaned.code.isEmpty }) {
                    violations.add(field: "options[\(index)].code", "repeats another option's code")
                }
                options.append(cleaned)
            }
        } else {
            violations.check(request.options.isEmpty, field: "options", "only dictionary fields have options")
        }
        try violations.throwIfAny()
        return NewField(code: code, name: name, type: request.type, editable: request.editable, options: options)
    }
}
