import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// CLIENT-5 through the real socket: the card names the one phone the panel shows and how
/// many others the client has, so the panel never picks or hides phones itself.
@Suite struct ClientCardPhoneContractTests {
    @Test func theCardCarriesThePhoneToShowAndHowManyOthers() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1", phone: "+7 903 111 22 33")
            let edited = try await service.update(id) { request in
                var phones = ClientsV1.PhoneList()
                phones.numbers = ["+7 903 111 22 33", "8 912 345 67 89", "+44 20 7946 0958"]
                request.phones = phones
            }
            #expect(edited.shownPhone?.number == "+7 903 111 22 33")
            #expect(edited.otherPhoneCount == 2)
            for card in [try await service.card(client: id), try await service.card(dialog: "tg-1")] {
                #expect(card.shownPhone?.number == "+7 903 111 22 33")
                #expect(card.shownPhone?.normalized == "79031112233")
                #expect(card.otherPhoneCount == 2)
            }
            // Another phone put first becomes the shown one.
            var fragment = ClientsV1.ApplyFragmentRequest()
            fragment.clientID = id
            fragment.target = .phone
            fragment.fragment = "8 912 345 67 89"
            let applied = try await service.call(ClientsV1.Clients.applyFragment, fragment)
            #expect(applied.card?.shownPhone?.normalized == "79123456789")
            #expect(applied.card?.otherPhoneCount == 2)
        }
    }

    @Test func anUnsavedContactShowsItsOwnPhoneAndAClientWithoutPhonesShowsNone() async throws {
        try await withClientsService { service in
            try await service.dialog("wa-1", phone: "8 912 000 00 01")
            let unsaved = try await service.card(dialog: "wa-1")
            #expect(unsaved.client == nil)
            #expect(unsaved.shownPhone?.number == "8 912 000 00 01")
            #expect(unsaved.shownPhone?.normalized == "79120000001")
            #expect(unsaved.otherPhoneCount == 0)

            let id = try await service.savedClient("tg-2")
            let bare = try await service.card(client: id)
            #expect(bare.shownPhone == nil)
            #expect(bare.otherPhoneCount == 0)
        }
    }
}
