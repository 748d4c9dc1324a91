import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// Phone numbers through the real socket: read by libphonenumber in the shop's region (the
/// service's configuration), bad numbers named by field, duplicates matched on E.164.
@Suite struct PhoneRegionContractTests {
    @Test func aNumberWithoutPlusIsReadInTheShopsRegion() async throws {
        try await withClientsService(configuration: ClientsConfiguration(phoneRegion: "US")) { service in
            let id = try await service.savedClient("site-1", phone: "(202) 555-0123")
            let card = try await service.card(client: id)
            #expect(card.client?.phones.map(\.normalized) == ["12025550123"])
            #expect(card.client?.phones.first?.number == "(202) 555-0123")
        }
        try await withClientsService { service in
            // The default region is Russia, where these ten digits are no valid number.
            await expectError(.invalidArgument, field: "phone") { try await service.dialog("site-1", phone: "(202) 555-0123") }
            let id = try await service.savedClient("tg-1", phone: "8 912 345-67-89")
            #expect(try await service.card(client: id).client?.phones.map(\.normalized) == ["79123456789"])
        }
    }

    @Test func everyBadNumberIsNamedByItsField() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1")
            let error = await expectError(.invalidArgument) {
                try await service.update(id) { request in
                    var phones = ClientsV1.PhoneList()
                    // [1] has no country code "+8"; [2] is no Russian number; [3] is [0] in Arabic-Indic digits.
                    phones.numbers = ["+7 912 345 67 89", "+8 912 345-67-89", "202 555 0123", "٨ ٩١٢ ٣٤٥ ٦٧ ٨٩"]
                    request.phones = phones
                }
            }
            #expect(Set(error?.violations.map(\.field) ?? []) == ["phones.numbers[1]", "phones.numbers[2]", "phones.numbers[3]"])
            #expect(error?.violations.first { $0.field == "phones.numbers[3]" }?.description.contains("phones.numbers[0]") == true)

            var fragment = ClientsV1.ApplyFragmentRequest()
            fragment.clientID = id
            fragment.target = .phone
            fragment.fragment = "+8 912 345-67-89"
            await expectError(.invalidArgument, field: "fragment") { try await service.call(ClientsV1.Clients.applyFragment, fragment) }
            await expectError(.invalidArgument, field: "phone") { try await service.dialog("tg-2", phone: "+8 912 345-67-89") }
        }
    }

    @Test func duplicatesAreFoundOnTheE164Form() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1", phone: "8 912 345-67-89")
            // The same number, typed with the country code and in full-width digits.
            try await service.dialog("wa-1", phone: "＋７ ９１２ ３４５ ６７ ８９")
            let card = try await service.card(dialog: "wa-1")
            #expect(card.duplicates.map { $0.client?.clientID } == [id])
            #expect(card.duplicates.first?.reasons.map(\.value) == ["79123456789"])
            var find = ClientsV1.ListClientsRequest()
            find.query = "+7 (912) 345 67 89"
            #expect(try await service.call(ClientsV1.Clients.listClients, find).clients.map(\.clientID) == [id])
        }
    }
}
