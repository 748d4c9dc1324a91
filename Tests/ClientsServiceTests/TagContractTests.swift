import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// Tags on clients: autocomplete, creating, attaching, detaching, pinning (TAG-2..5),
/// through the real socket.
@Suite struct TagContractTests {
    private func autocomplete(
        _ service: ClientsHarness, _ query: String, limit: Int32 = 0, excluding: Int64 = 0, as caller: RPCV1.Caller = As.editor
    ) async throws -> ClientsV1.AutocompleteTagsResponse {
        var request = ClientsV1.AutocompleteTagsRequest()
        request.query = query
        request.limit = limit
        request.excludeClientID = excluding
        return try await service.call(ClientsV1.Clients.autocompleteTags, request, as: caller)
    }

    @Test func autocompleteFindsPrefixesFirstThenInfixesInAnyCase() async throws {
        try await withClientsService { service in
            for name in ["Постоянный клиент", "VIP", "Не постоянный", "Опт", "постоплата", "Ёлка"] { _ = try await service.tag(name) }
            let found = try await autocomplete(service, "ПОСТ")
            #expect(found.tags.map(\.name) == ["постоплата", "Постоянный клиент", "Не постоянный"])
            #expect(!found.exactMatch)
            #expect(found.canCreate)
            #expect(try await autocomplete(service, "vip").exactMatch)
            #expect(try await autocomplete(service, "ип").tags.isEmpty)
            #expect(try await autocomplete(service, "елк").tags.map(\.name) == ["Ёлка"])
            #expect(try await autocomplete(service, "", limit: 2).tags.map(\.name) == ["VIP", "Ёлка"])
        }
    }

    @Test func withoutTheCreateRightNothingIsOfferedToCreate() async throws {
        try await withClientsService { service in
            _ = try await service.tag("VIP")
            let found = try await autocomplete(service, "новый тег", as: As.editorWithoutCreate)
            #expect(found.tags.isEmpty)
            #expect(!found.canCreate)
            #expect(try await autocomplete(service, "новый тег", as: As.editor).canCreate)
            #expect(!(try await autocomplete(service, "vip", as: As.editor).canCreate))
            var request = ClientsV1.CreateTagRequest()
            request.name = "новый тег"
            await expectError(.permissionDenied) {
                try await service.call(ClientsV1.Clients.createTag, request, as: As.editorWithoutCreate)
            }
        }
    }

    @Test func createdTagsGetAPaletteColorAndUniqueNames() async throws {
        try await withClientsService { service in
            let tag = try await service.tag("  Постоянный   клиент ")
            #expect(tag.name == "Постоянный клиент")
            #expect(TagRules.palette.contains(tag.color))
            var request = ClientsV1.CreateTagRequest()
            request.name = "ПОСТОЯННЫЙ КЛИЕНТ"
            let error = await expectError(.alreadyExists) { try await service.call(ClientsV1.Clients.createTag, request) }
            #expect(error?.decodedDetails(as: ClientsV1.Tag.self)?.tagID == tag.tagID)
            request.name = " "
            await expectError(.invalidArgument, field: "name") { try await service.call(ClientsV1.Clients.createTag, request) }
            request.name = String(repeating: "т", count: 101)
            await expectError(.invalidArgument, field: "name") { try await service.call(ClientsV1.Clients.createTag, request) }
        }
    }

    /// A tag name's limit of 100 counts characters as the user counts them: 100 Cyrillic
    /// letters fit as 100 Latin ones do (in UTF-8 bytes they would be 200).
    @Test func aTagNameOf100CyrillicLettersIsAccepted() async throws {
        try await withClientsService { service in
            let latin = try await service.tag(String(repeating: "z", count: 100))
            #expect(latin.name.count == 100)
            var request = ClientsV1.CreateTagRequest()
            request.name = String(repeating: "ю", count: 101)
            await expectError(.invalidArgument, field: "name") { try await service.call(ClientsV1.Clients.createTag, request) }
            let cyrillic = String(repeating: "я", count: 100)
            let created = try await service.tag(cyrillic)
            #expect(created.name == cyrillic)
        }
    }

    @Test func aRetriedCreateWithTheSameRequestIDMakesOneTag() async throws {
        try await withClientsService { service in
            var request = ClientsV1.CreateTagRequest()
            request.name = "VIP"
            let first = try await service.call(ClientsV1.Clients.createTag, request, requestID: "tag-1")
            let retry = try await service.call(ClientsV1.Clients.createTag, request, requestID: "tag-1")
            #expect(first == retry)
            #expect(try await autocomplete(service, "").tags.count == 1)
        }
    }

    @Test func attachDetachAndPin() async throws {
        try await withClientsService { service in
            let client = try await service.savedClient("tg-1")
            let vip = try await service.tag("VIP")
            let wholesale = try await service.tag("Опт")
            try await service.attach(vip.tagID, to: client)
            let both = try await service.attach(wholesale.tagID, to: client)
            #expect(both.tags.map { $0.tag?.name } == ["VIP", "Опт"])
            // Attaching again changes nothing.
            #expect(try await service.attach(vip.tagID, to: client).tags.count == 2)

            var pin = ClientsV1.PinTagRequest()
            pin.clientID = client
            pin.tagID = wholesale.tagID
            pin.pinned = true
            let pinned = try await service.call(ClientsV1.Clients.pinTag, pin)
            #expect(pinned.tags.map { $0.tag?.name } == ["Опт", "VIP"])
            #expect(pinned.tags.map(\.pinned) == [true, false])
            // Pinning another tag unpins the first.
            pin.tagID = vip.tagID
            #expect(try await service.call(ClientsV1.Clients.pinTag, pin).tags.map(\.pinned) == [true, false])
            let card = try await service.card(dialog: "tg-1")
            #expect(card.client?.tags.first?.tag?.name == "VIP")
            #expect(card.client?.tags.first?.pinned == true)

            var get = ClientsV1.GetTagRequest()
            get.tagID = vip.tagID
            #expect(try await service.call(ClientsV1.Clients.getTag, get).clientCount == 1)

            var detach = ClientsV1.DetachTagRequest()
            detach.clientID = client
            detach.tagID = vip.tagID
            let left = try await service.call(ClientsV1.Clients.detachTag, detach)
            #expect(left.tags.map { $0.tag?.name } == ["Опт"])
            #expect(try await service.call(ClientsV1.Clients.getTag, get).clientCount == 0)
            // Detaching again changes nothing; pinning a tag the client lacks is refused.
            #expect(try await service.call(ClientsV1.Clients.detachTag, detach).tags.count == 1)
            await expectError(.failedPrecondition) { try await service.call(ClientsV1.Clients.pinTag, pin) }
            // Autocomplete can leave out the client's own tags.
            #expect(try await autocomplete(service, "", excluding: client).tags.map(\.name) == ["VIP"])
        }
    }

    @Test func changingTagsNeedsTheEditRightAndRealIDs() async throws {
        try await withClientsService { service in
            let client = try await service.savedClient("tg-1")
            let vip = try await service.tag("VIP")
            var attach = ClientsV1.AttachTagRequest()
            attach.clientID = client
            attach.tagID = vip.tagID
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.attachTag, attach, as: As.viewer) }
            var detach = ClientsV1.DetachTagRequest()
            detach.clientID = client
            detach.tagID = vip.tagID
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.detachTag, detach, as: As.viewer) }
            var pin = ClientsV1.PinTagRequest()
            pin.clientID = client
            pin.tagID = vip.tagID
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.pinTag, pin, as: As.viewer) }
            attach.tagID = 999
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.attachTag, attach) }
            attach.tagID = vip.tagID
            attach.clientID = 999
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.attachTag, attach) }
            attach.clientID = 0
            attach.tagID = -1
            let error = await expectError(.invalidArgument) { try await service.call(ClientsV1.Clients.attachTag, attach) }
            #expect(Set(error?.violations.map(\.field) ?? []) == ["client_id", "tag_id"])
            var get = ClientsV1.GetTagRequest()
            get.tagID = 999
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.getTag, get) }
        }
    }

    @Test func autocompleteValidatesItsInput() async throws {
        try await withClientsService { service in
            await expectError(.invalidArgument, field: "limit") { try await autocomplete(service, "a", limit: 51) }
            await expectError(.invalidArgument, field: "query") { try await autocomplete(service, String(repeating: "q", count: 101)) }
            await expectError(.invalidArgument, field: "exclude_client_id") { try await autocomplete(service, "a", excluding: -5) }
        }
    }
}
