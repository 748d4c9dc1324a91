import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ClientsService
import GRDB
import Testing

/// Custom fields: search, definitions, values by type, the manager's order and pins
/// (CLIENT-6, CLIENT-7), through the real socket.
@Suite struct FieldContractTests {
    private func define(
        _ service: ClientsHarness, _ code: String, _ name: String, _ type: ClientsV1.FieldType, editable: Bool = true,
        options: [(String, String)] = []
    ) async throws -> ClientsV1.FieldDefinition {
        var request = ClientsV1.CreateFieldRequest()
        request.code = code
        request.name = name
        request.type = type
        request.editable = editable
        request.options = options.map { code, name in
            var option = ClientsV1.FieldOption()
            option.code = code
            option.name = name
            return option
        }
        return try await service.call(ClientsV1.Clients.createField, request, as: As.admin)
    }

    private func set(_ service: ClientsHarness, _ clientID: Int64, _ code: String, _ value: String, as caller: RPCV1.Caller = As.editor)
        async throws -> ClientsV1.FieldValue
    {
        var request = ClientsV1.SetFieldValueRequest()
        request.clientID = clientID
        request.code = code
        request.value = value
        return try await service.call(ClientsV1.Clients.setFieldValue, request, as: caller)
    }

    private func search(_ service: ClientsHarness, _ query: String, client: Int64 = 0, as caller: RPCV1.Caller = As.editor) async throws
        -> [ClientsV1.FieldValue]
    {
        var request = ClientsV1.SearchFieldsRequest()
        request.query = query
        request.clientID = client
        return try await service.call(ClientsV1.Clients.searchFields, request, as: caller).fields
    }

    @Test func searchFindsSystemAndUserFieldsByName() async throws {
        try await withClientsService { service in
            _ = try await define(
                service, "loyalty", "Уровень лояльности", .dictionary, options: [("gold", "Золото"), ("silver", "Серебро")])
            #expect(try await search(service, "ГОРОД").map { $0.definition?.code } == ["address.city"])
            #expect(try await search(service, "лояльн").map { $0.definition?.code } == ["loyalty"])
            // Prefix matches come before infix ones.
            #expect(try await search(service, "дата").map { $0.definition?.code } == ["birthday", "created_at"])
            let all = try await search(service, "")
            #expect(all.count == 9)
            #expect(all.first { $0.definition?.code == "created_at" }?.definition?.editable == false)
            #expect(all.first { $0.definition?.code == "loyalty" }?.definition?.options.map(\.name) == ["Золото", "Серебро"])
        }
    }

    @Test func definingFieldsIsForAdministratorsAndValidated() async throws {
        try await withClientsService { service in
            var request = ClientsV1.CreateFieldRequest()
            request.code = "vip_since"
            request.name = "VIP с"
            request.type = .date
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.createField, request, as: As.editor) }
            _ = try await service.call(ClientsV1.Clients.createField, request, as: As.admin)
            await expectError(.alreadyExists) { try await service.call(ClientsV1.Clients.createField, request, as: As.admin) }
            var bad = ClientsV1.CreateFieldRequest()
            bad.code = "Bad-Code"
            bad.type = .dictionary
            var option = ClientsV1.FieldOption()
            option.code = "x"
            option.name = "X"
            bad.options = [option, option]
            let error = await expectError(.invalidArgument) { try await service.call(ClientsV1.Clients.createField, bad, as: As.admin) }
            #expect(Set(error?.violations.map(\.field) ?? []) == ["code", "name", "options[1].code"])
            bad = ClientsV1.CreateFieldRequest()
            bad.code = "plain"
            bad.name = "Plain"
            bad.options = [option]
            let error2 = await expectError(.invalidArgument) { try await service.call(ClientsV1.Clients.createField, bad, as: As.admin) }
            #expect(Set(error2?.violations.map(\.field) ?? []) == ["type", "options"])
        }
    }

    @Test func valuesAreCheckedByType() async throws {
        try await withClientsService { service in
            let client = try await service.savedClient("tg-1")
            _ = try await define(service, "orders_count", "Заказов", .integer)
            _ = try await define(service, "loyalty", "Лояльность", .dictionary, options: [("gold", "Золото")])
            #expect(try await set(service, client, "orders_count", " 12 ").value == "12")
            await expectError(.invalidArgument, field: "value") { try await set(service, client, "orders_count", "twelve") }
            let gold = try await set(service, client, "loyalty", "золото")
            #expect(gold.value == "gold")
            #expect(gold.displayValue == "Золото")
            await expectError(.invalidArgument, field: "value") { try await set(service, client, "loyalty", "bronze") }
            #expect(try await set(service, client, "birthday", "31.12.1990").value == "1990-12-31")
            await expectError(.invalidArgument, field: "value") { try await set(service, client, "birthday", "31.02.1990") }
            await expectError(.failedPrecondition) { try await set(service, client, "created_at", "2020-01-01") }
            await expectError(.notFound) { try await set(service, client, "no_such_field", "1") }
            await expectError(.notFound) { try await set(service, 999, "birthday", "1990-01-01") }
            await expectError(.permissionDenied) { try await set(service, client, "birthday", "1990-01-01", as: As.viewer) }
            await expectError(.invalidArgument, field: "code") { try await set(service, client, "", "1") }
            // Filled fields show on the card; clearing removes them.
            let card = try await service.card(client: client)
            #expect(Set(card.fields.map { $0.definition?.code ?? "" }) == ["orders_count", "loyalty", "birthday"])
            _ = try await set(service, client, "orders_count", "")
            #expect(try await service.card(client: client).fields.count == 2)
            // Search shows a client's values.
            #expect(try await search(service, "лоял", client: client).first?.value == "gold")
        }
    }

    @Test func addressFieldsChangeThePartsNotTheFreeText() async throws {
        try await withClientsService { service in
            let client = try await service.savedClient("tg-1")
            _ = try await service.update(client) { request in
                var address = ClientsV1.AddressUpdate()
                address.text = "Москва, Тверская 1"
                request.address = address
            }
            #expect(try await set(service, client, "address.city", "Москва").value == "Москва")
            let card = try await service.card(client: client)
            #expect(card.client?.address?.city == "Москва")
            #expect(card.client?.address?.text == "Москва, Тверская 1")
            #expect(try await search(service, "город", client: client).first?.value == "Москва")
        }
    }

    @Test func pinnedFieldsShowForEveryClientInTheManagersOrder() async throws {
        try await withClientsService { service in
            let first = try await service.savedClient("tg-1")
            let second = try await service.savedClient("tg-2")
            _ = try await define(service, "note", "Заметка", .string)
            _ = try await set(service, first, "note", "звонить после 18")
            for code in ["address.city", "birthday"] {
                var pin = ClientsV1.PinFieldRequest()
                pin.code = code
                pin.pinned = true
                _ = try await service.call(ClientsV1.Clients.pinField, pin)
            }
            var card = try await service.card(client: second)
            #expect(card.fields.map { $0.definition?.code } == ["address.city", "birthday"])
            #expect(card.fields.allSatisfy { $0.pinned })
            card = try await service.card(client: first)
            #expect(card.fields.map { $0.definition?.code } == ["address.city", "birthday", "note"])
            #expect(card.fields.last?.pinned == false)

            var reorder = ClientsV1.ReorderFieldsRequest()
            reorder.codes = ["note", "birthday"]
            let layout = try await service.call(ClientsV1.Clients.reorderFields, reorder)
            #expect(layout.orderedCodes == ["note", "birthday", "address.city"])
            #expect(layout.pinnedCodes == ["birthday", "address.city"])
            #expect(try await service.card(client: first).fields.map { $0.definition?.code } == ["birthday", "address.city", "note"])
            // Layouts are per manager.
            #expect(try await service.card(client: first, as: As.viewer).fields.map { $0.definition?.code } == ["note"])
            #expect(
                try await service.call(ClientsV1.Clients.getFieldLayout, ClientsV1.GetFieldLayoutRequest(), as: As.viewer).orderedCodes
                    .isEmpty)

            reorder.codes = ["note", "nope", "note"]
            let error = await expectError(.invalidArgument) { try await service.call(ClientsV1.Clients.reorderFields, reorder) }
            #expect(error?.violations.map(\.field) == ["codes[2]"])
            reorder.codes = ["nope"]
            await expectError(.invalidArgument, field: "codes[0]") { try await service.call(ClientsV1.Clients.reorderFields, reorder) }
            var pin = ClientsV1.PinFieldRequest()
            pin.code = "nope"
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.pinField, pin) }
        }
    }

    @Test func aClientsOtherValuesFollowTheManagersPlacementThenTheCatalog() async throws {
        try await withClientsService { service in
            let client = try await service.savedClient("tg-1")
            // Defined in this order, which is not the codes' order.
            for code in ["b_field", "a_field", "c_field"] { _ = try await define(service, code, code, .string) }
            for code in ["c_field", "a_field", "b_field"] { _ = try await set(service, client, code, "value of \(code)") }
            #expect(try await service.card(client: client).fields.map { $0.definition?.code } == ["b_field", "a_field", "c_field"])
            // The field the manager placed comes first; the others keep the catalog's order.
            var reorder = ClientsV1.ReorderFieldsRequest()
            reorder.codes = ["c_field"]
            _ = try await service.call(ClientsV1.Clients.reorderFields, reorder)
            let card = try await service.card(client: client)
            #expect(card.fields.map { $0.definition?.code } == ["c_field", "b_field", "a_field"])
            #expect(card.fields.map(\.value) == ["value of c_field", "value of b_field", "value of a_field"])
            #expect(card.fields.allSatisfy { !$0.pinned })
            // Another manager's card keeps the catalog's order.
            #expect(try await service.card(client: client, as: As.viewer).fields.map { $0.definition?.code } == ["b_field", "a_field", "c_field"])
        }
    }

    @Test func aCatalogChangeMadeByAnotherConnectionShowsOnTheNextCard() async throws {
        try await withClientsService { service in
            let client = try await service.savedClient("tg-1")
            _ = try await define(service, "note", "Заметка", .string)
            _ = try await set(service, client, "note", "звонить после 18")
            // Read twice: the second card takes the catalog from memory.
            #expect(try await service.card(client: client).fields.map { $0.definition?.code } == ["note"])
            #expect(try await service.card(client: client).fields.map(\.pinned) == [false])
            // The catalog's tables changed behind the service's back (a restore, an admin's SQL):
            // the triggers raise the version, so no card shows the old catalog.
            let other = try DatabaseQueue(path: service.store.database.path)
            try await other.write { db in
                try db.execute(
                    sql: "INSERT INTO manager_field (manager_id, field_code, position, pinned) VALUES (?, 'address.city', 0, 1)",
                    arguments: [As.editor.managerID])
                try db.execute(sql: "UPDATE field_definition SET name = 'Примечание' WHERE code = 'note'")
            }
            let card = try await service.card(client: client)
            #expect(card.fields.map { $0.definition?.code } == ["address.city", "note"])
            #expect(card.fields.map(\.pinned) == [true, false])
            #expect(card.fields.last?.definition?.name == "Примечание")
        }
    }
}
