import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ClientsService
import GRDB
import Testing

/// Merging duplicates (CLIENT-9), through the real socket.
@Suite struct MergeContractTests {
    private func merge(
        _ service: ClientsHarness, _ survivor: Int64, _ merged: Int64, requestID: String = "", as caller: RPCV1.Caller = As.editor
    )
        async throws -> ClientsV1.MergeRecord
    {
        var request = ClientsV1.MergeClientsRequest()
        request.survivorClientID = survivor
        request.mergedClientID = merged
        return try await service.call(ClientsV1.Clients.mergeClients, request, as: caller, requestID: requestID)
    }

    @Test func aMergeMovesEverythingAndFillsWhatTheSurvivorLacks() async throws {
        try await withClientsService { service in
            let survivor = try await service.savedClient("tg-1", name: "Иван", phone: "+7 903 111 22 33")
            let merged = try await service.savedClient("wa-1", name: "Иван Петров", phone: "8 903 111 22 33", email: "ivan@mail.ru")
            _ = try await service.update(merged) { request in
                var phones = ClientsV1.PhoneList()
                phones.numbers = ["8 903 111 22 33", "+7 912 000 00 01"]
                request.phones = phones
                var address = ClientsV1.AddressUpdate()
                address.text = "Москва"
                request.address = address
            }
            let vip = try await service.tag("VIP")
            let shared = try await service.tag("Общий")
            try await service.attach(shared.tagID, to: survivor)
            try await service.attach(shared.tagID, to: merged)
            try await service.attach(vip.tagID, to: merged)
            var value = ClientsV1.SetFieldValueRequest()
            value.clientID = merged
            value.code = "birthday"
            value.value = "1990-01-01"
            _ = try await service.call(ClientsV1.Clients.setFieldValue, value)

            // The survivor's card hints at the duplicate (same phone).
            #expect(try await service.card(client: survivor).duplicates.map { $0.client?.clientID } == [merged])

            let record = try await merge(service, survivor, merged)
            #expect(record.survivorClientID == survivor)
            #expect(record.mergedClientID == merged)
            #expect(record.managerID == As.editor.managerID)
            #expect(record.mergedAtMs > 0)
            #expect(record.movedPhones == 1)
            #expect(record.movedTags == 1)
            #expect(record.movedFieldValues == 1)
            #expect(record.movedDialogIDs == ["wa-1"])
            #expect(record.filledFields == ["last_name", "email", "address"])
            #expect(record.mergedClient?.email == "ivan@mail.ru")

            let card = try await service.card(client: survivor)
            let client = try #require(card.client)
            #expect(client.displayName == "Петров Иван")
            #expect(client.email == "ivan@mail.ru")
            #expect(client.address?.text == "Москва")
            #expect(client.phones.map(\.normalized) == ["79031112233", "79120000001"])
            #expect(Set(client.tags.compactMap { $0.tag?.name }) == ["VIP", "Общий"])
            #expect(card.fields.map { $0.value } == ["1990-01-01"])
            #expect(card.duplicates.isEmpty)
            var get = ClientsV1.GetTagRequest()
            get.tagID = shared.tagID
            #expect(try await service.call(ClientsV1.Clients.getTag, get).clientCount == 1)

            // The open dialog follows, and the merged id resolves to the survivor.
            #expect(try await service.card(dialog: "wa-1").client?.clientID == survivor)
            let resolved = try await service.card(client: merged)
            #expect(resolved.client?.clientID == survivor)
            #expect(resolved.resolvedFromClientID == merged)
            #expect(try await service.update(merged) { $0.patronymic = "Сергеевич" }.client?.clientID == survivor)

            var audit = ClientsV1.ListMergesRequest()
            audit.clientID = merged
            #expect(try await service.call(ClientsV1.Clients.listMerges, audit).merges.map(\.mergeID) == [record.mergeID])
        }
    }

    @Test func aMergeKeepsTheTenPhoneLimitAndSaysWhatItDropped() async throws {
        try await withClientsService { service in
            let survivor = try await service.savedClient("tg-1")
            let merged = try await service.savedClient("wa-1")
            let own = (1...7).map { "+7 900 000 00 0\($0)" }
            _ = try await service.update(survivor) { request in
                var phones = ClientsV1.PhoneList()
                phones.numbers = own
                request.phones = phones
            }
            // One number they share (typed another way), then four new ones: three fit.
            let theirs = ["8 900 000 00 03", "+7 911 000 00 01", "+7 911 000 00 02", "+7 911 000 00 03", "+7 911 000 00 04"]
            _ = try await service.update(merged) { request in
                var phones = ClientsV1.PhoneList()
                phones.numbers = theirs
                request.phones = phones
            }
            let record = try await merge(service, survivor, merged)
            #expect(record.movedPhones == 3)
            #expect(record.droppedPhones.map(\.number) == ["+7 911 000 00 04"])
            #expect(record.droppedPhones.map(\.normalized) == ["79110000004"])
            #expect(record.mergedClient?.phones.count == 5)

            let card = try await service.card(client: survivor)
            let phones = try #require(card.client?.phones)
            #expect(phones.map(\.number) == own + ["+7 911 000 00 01", "+7 911 000 00 02", "+7 911 000 00 03"])
            #expect(card.otherPhoneCount == 9)

            // The audit trail says the same.
            var audit = ClientsV1.ListMergesRequest()
            audit.clientID = survivor
            let stored = try #require(try await service.call(ClientsV1.Clients.listMerges, audit).merges.first)
            #expect(stored.droppedPhones == record.droppedPhones)
            #expect(stored.movedPhones == 3)

            // Edits go on within the limit: the ten phones can be saved back as they are, and a
            // phone put first pushes the last one out.
            let resaved = try await service.update(survivor) { request in
                var list = ClientsV1.PhoneList()
                list.numbers = phones.map(\.number)
                request.phones = list
            }
            #expect(resaved.client?.phones.count == 10)
            var fragment = ClientsV1.ApplyFragmentRequest()
            fragment.clientID = survivor
            fragment.target = .phone
            fragment.fragment = "+7 922 000 00 01"
            let applied = try await service.call(ClientsV1.Clients.applyFragment, fragment)
            #expect(applied.card?.client?.phones.count == 10)
            #expect(applied.card?.client?.phones.first?.normalized == "79220000001")
        }
    }

    @Test func mergeRulesAreClearErrors() async throws {
        try await withClientsService { service in
            let a = try await service.savedClient("d1")
            let b = try await service.savedClient("d2")
            let c = try await service.savedClient("d3")
            await expectError(.invalidArgument, field: "merged_client_id") { try await merge(service, a, a) }
            let error = await expectError(.invalidArgument) { try await merge(service, 0, -1) }
            #expect(Set(error?.violations.map(\.field) ?? []) == ["survivor_client_id", "merged_client_id"])
            await expectError(.notFound) { try await merge(service, a, 999) }
            await expectError(.permissionDenied) { try await merge(service, a, b, as: As.viewer) }
            _ = try await merge(service, a, b)
            let again = await expectError(.failedPrecondition) { try await merge(service, c, b) }
            #expect(again?.message.contains("already merged into client \(a)") == true)
            let refusal = again?.decodedDetails(as: ClientsV1.MergeRefusal.self)
            #expect(refusal?.reason == .alreadyMerged && refusal?.clientID == b && refusal?.mergedIntoClientID == a)
            let intoMerged = await expectError(.failedPrecondition) { try await merge(service, b, c) }
            #expect(intoMerged?.message.contains("merge into \(a)") == true)
            let survivorRefusal = intoMerged?.decodedDetails(as: ClientsV1.MergeRefusal.self)
            #expect(survivorRefusal?.reason == .survivorMerged && survivorRefusal?.mergedIntoClientID == a)
        }
    }

    @Test func idsMergedEarlierFollowTheirSurvivorWhenItIsMerged() async throws {
        try await withClientsService { service in
            let a = try await service.savedClient("d1")
            let b = try await service.savedClient("d2")
            let c = try await service.savedClient("d3")
            _ = try await merge(service, b, a)
            _ = try await merge(service, c, b)
            let card = try await service.card(client: a)
            #expect(card.client?.clientID == c)
            #expect(card.resolvedFromClientID == a)
            #expect(try await service.card(dialog: "d1").client?.clientID == c)
            // A dialog row that still names a merged client: the card is the survivor's.
            try await service.store.database.write { db in
                try db.execute(sql: "UPDATE dialog SET client_id = ? WHERE id = 'd1'", arguments: [a])
            }
            let stale = try await service.card(dialog: "d1")
            #expect(stale.client?.clientID == c && stale.dialog?.clientID == c && !stale.canSaveClient)
            var audit = ClientsV1.ListMergesRequest()
            audit.clientID = b
            #expect(try await service.call(ClientsV1.Clients.listMerges, audit).merges.count == 2)
        }
    }

    @Test func aRetriedMergeIsAppliedOnce() async throws {
        try await withClientsService { service in
            let a = try await service.savedClient("d1")
            let b = try await service.savedClient("d2")
            let first = try await merge(service, a, b, requestID: "merge-1")
            let retry = try await merge(service, a, b, requestID: "merge-1")
            #expect(retry == first)
            var audit = ClientsV1.ListMergesRequest()
            audit.clientID = a
            #expect(try await service.call(ClientsV1.Clients.listMerges, audit).merges.count == 1)
        }
    }
}
