import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// Editing a client from the panel: names, phones, email, address, message fragments
/// (CLIENT-2, CLIENT-3, CLIENT-5, CLIENT-7, CLIENT-8), through the real socket.
@Suite struct ClientEditContractTests {
    @Test func editsNamesPhonesAndEmail() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1", name: "Иван")
            let card = try await service.update(id) { request in
                request.lastName = "Петров"
                request.patronymic = "Сергеевич"
                request.email = " Ivan@Example.COM "
                var phones = ClientsV1.PhoneList()
                phones.numbers = ["+7 (903) 111-22-33", "8 912 345 67 89"]
                request.phones = phones
            }
            let client = try #require(card.client)
            #expect(client.displayName == "Петров Иван Сергеевич")
            #expect(client.email == "ivan@example.com")
            // CLIENT-5: the first phone is the one the panel shows.
            #expect(client.phones.map(\.normalized) == ["79031112233", "79123456789"])
            #expect(client.phones.first?.number == "+7 (903) 111-22-33")
            #expect(client.updatedAtMs >= client.createdAtMs)
            // Absent fields stay as they are; an empty email clears it.
            let cleared = try await service.update(id) { $0.email = "" }
            #expect(cleared.client?.email == "")
            #expect(cleared.client?.lastName == "Петров")
            #expect(cleared.client?.phones.count == 2)
        }
    }

    @Test func everyBadFieldIsNamed() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1")
            let error = await expectError(.invalidArgument) {
                try await service.update(id) { request in
                    request.firstName = "Иван\nПетров"
                    request.lastName = String(repeating: "ы", count: 201)
                    request.email = "ivan@"
                    var phones = ClientsV1.PhoneList()
                    phones.numbers = ["+7 903 111 22 33", "abc", "8 903 111-22-33"]
                    request.phones = phones
                    var address = ClientsV1.AddressUpdate()
                    address.street = "Ленина"
                    address.city = String(repeating: "г", count: 201)
                    request.address = address
                }
            }
            let fields = Set(error?.violations.map(\.field) ?? [])
            #expect(fields == ["first_name", "last_name", "email", "phones.numbers[1]", "phones.numbers[2]", "address.city"])
            // Nothing was written.
            let card = try await service.card(client: id)
            #expect(card.client?.firstName == "Иван")
            #expect(card.client?.phones.isEmpty == true)
        }
    }

    @Test func editingNeedsTheRightAndAClient() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1")
            await expectError(.permissionDenied) { try await service.update(id, as: As.viewer) { $0.firstName = "X" } }
            await expectError(.notFound) { try await service.update(12345) { $0.firstName = "X" } }
            await expectError(.invalidArgument, field: "client_id") { try await service.update(0) { $0.firstName = "X" } }
        }
    }

    @Test func anEditMatchingAnotherClientSaysSo() async throws {
        try await withClientsService { service in
            let other = try await service.savedClient("tg-1", name: "Мария", email: "maria@example.com")
            let id = try await service.savedClient("tg-2", name: "Маша")
            let card = try await service.update(id) { $0.email = "Maria@Example.com" }
            #expect(card.duplicates.map { $0.client?.clientID } == [other])
            #expect(card.duplicates.first?.reasons.map(\.kind) == [.email])

            var request = ClientsV1.ListDuplicatesRequest()
            request.target = .clientID(id)
            let listed = try await service.call(ClientsV1.Clients.listDuplicates, request, as: As.viewer)
            #expect(listed.duplicates.map { $0.client?.clientID } == [other])
            request.target = .dialogID("tg-2")
            #expect(try await service.call(ClientsV1.Clients.listDuplicates, request).duplicates.count == 1)
            await expectError(.invalidArgument, field: "target") {
                try await service.call(ClientsV1.Clients.listDuplicates, ClientsV1.ListDuplicatesRequest())
            }
        }
    }

    @Test func addressFollowsTheLinkingRules() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1")
            var card = try await service.update(id) { request in
                var address = ClientsV1.AddressUpdate()
                address.text = "Москва, Тверская 1"
                address.city = "Москва"
                address.metro = "Охотный ряд"
                request.address = address
            }
            #expect(card.client?.address?.text == "Москва, Тверская 1")
            // Changing one of the five parts leaves the free text alone.
            card = try await service.update(id) { request in
                var address = ClientsV1.AddressUpdate()
                address.city = "Казань"
                request.address = address
            }
            #expect(card.client?.address?.text == "Москва, Тверская 1")
            #expect(card.client?.address?.city == "Казань")
            // Split-only parts are refused until the address is split.
            await expectError(.invalidArgument, field: "address.house") {
                try await service.update(id) { request in
                    var address = ClientsV1.AddressUpdate()
                    address.house = "1"
                    request.address = address
                }
            }
            card = try await service.update(id) { request in
                var address = ClientsV1.AddressUpdate()
                address.split = true
                address.street = "ул. Тверская"
                address.house = "1"
                address.flat = "10"
                request.address = address
            }
            let split = try #require(card.client?.address)
            #expect(split.split)
            #expect(split.text == "Казань, ул. Тверская, д. 1, кв. 10, м. Охотный ряд")
            // A split address takes no free text.
            await expectError(.invalidArgument, field: "address.text") {
                try await service.update(id) { request in
                    var address = ClientsV1.AddressUpdate()
                    address.text = "x"
                    request.address = address
                }
            }
        }
    }

    @Test func fragmentsGoToTheChosenField() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1", name: "vanya", phone: "+7 903 111 22 33")
            func apply(_ target: ClientsV1.FragmentTarget, _ fragment: String) async throws -> ClientsV1.ApplyFragmentResponse {
                var request = ClientsV1.ApplyFragmentRequest()
                request.clientID = id
                request.target = target
                request.fragment = fragment
                request.dialogID = "tg-1"
                return try await service.call(ClientsV1.Clients.applyFragment, request)
            }
            _ = try await apply(.firstName, " «Иван», ")
            _ = try await apply(.lastName, "Петров.")
            _ = try await apply(.patronymic, "Сергеевич")
            _ = try await apply(.email, "Ivan@mail.ru.")
            let phone = try await apply(.phone, "8 (912) 345-67-89")
            let client = try #require(phone.card?.client)
            #expect(client.displayName == "Петров Иван Сергеевич")
            #expect(client.email == "ivan@mail.ru")
            // The fragment's phone comes first; the old one stays.
            #expect(client.phones.map(\.normalized) == ["79123456789", "79031112233"])
            #expect(phone.card?.dialog?.dialogID == "tg-1")
            let address = try await apply(.address, "г. Казань, ул. Баумана, д. 5.")
            #expect(address.card?.client?.address?.text == "г. Казань, ул. Баумана, д. 5.")

            let query = try await apply(.productQuery, "  «iPhone 15 Pro»? ")
            #expect(query.productQuery == "iPhone 15 Pro")
            #expect(query.card == nil)
        }
    }

    @Test func badFragmentsAreRefusedLikeEdits() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1")
            var request = ClientsV1.ApplyFragmentRequest()
            request.clientID = id
            request.target = .phone
            request.fragment = "позвоните мне завтра"
            await expectError(.invalidArgument, field: "fragment") { try await service.call(ClientsV1.Clients.applyFragment, request) }
            request.target = .email
            request.fragment = "ivan at mail"
            await expectError(.invalidArgument, field: "fragment") { try await service.call(ClientsV1.Clients.applyFragment, request) }
            request.target = .firstName
            request.fragment = " «» "
            await expectError(.invalidArgument, field: "fragment") { try await service.call(ClientsV1.Clients.applyFragment, request) }
            request.target = .unspecified
            await expectError(.invalidArgument, field: "target") { try await service.call(ClientsV1.Clients.applyFragment, request) }
            request.target = .firstName
            request.fragment = "Иван"
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.applyFragment, request, as: As.viewer) }
            // A product query needs no right.
            request.target = .productQuery
            request.clientID = 0
            #expect(try await service.call(ClientsV1.Clients.applyFragment, request, as: As.viewer).productQuery == "Иван")
        }
    }

    @Test func anAddressFragmentOnASplitAddressIsRefused() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1")
            _ = try await service.update(id) { request in
                var address = ClientsV1.AddressUpdate()
                address.split = true
                address.street = "Ленина"
                request.address = address
            }
            var request = ClientsV1.ApplyFragmentRequest()
            request.clientID = id
            request.target = .address
            request.fragment = "Москва"
            await expectError(.failedPrecondition) { try await service.call(ClientsV1.Clients.applyFragment, request) }
        }
    }

    @Test func aRetriedEditIsAppliedOnce() async throws {
        try await withClientsService { service in
            let id = try await service.savedClient("tg-1", phone: "+7 903 111 22 33")
            var request = ClientsV1.ApplyFragmentRequest()
            request.clientID = id
            request.target = .phone
            request.fragment = "+7 912 345 67 89"
            let first = try await service.call(ClientsV1.Clients.applyFragment, request, requestID: "frag-1")
            // Someone else changes the phones in between; the retry must not apply again.
            _ = try await service.update(id) { request in
                var phones = ClientsV1.PhoneList()
                phones.numbers = ["+7 903 111 22 33"]
                request.phones = phones
            }
            let retry = try await service.call(ClientsV1.Clients.applyFragment, request, requestID: "frag-1")
            #expect(retry == first)
            let card = try await service.card(client: id)
            #expect(card.client?.phones.map(\.normalized) == ["79031112233"])
            // The same request id for another method is refused.
            var other = ClientsV1.UpdateClientRequest()
            other.clientID = id
            await expectError(.failedPrecondition) { try await service.call(ClientsV1.Clients.updateClient, other, requestID: "frag-1") }
        }
    }
}
