import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// Dialogs, saving a client from a dialog, linking, auto-save and the dialog's card
/// (CLIENT-1, CLIENT-3, CLIENT-4, CLIENT-5), through the real socket.
@Suite struct DialogContractTests {
    @Test func anUnknownContactOffersSaveClient() async throws {
        try await withClientsService { service in
            let recorded = try await service.dialog("tg-1", name: "Петров Иван Сергеевич", phone: "8 912 345-67-89", email: "Ivan@Mail.ru")
            #expect(recorded.dialog?.clientID == nil)
            #expect(recorded.dialog?.email == "ivan@mail.ru")
            #expect(recorded.autoSavedClientID == nil)
            let card = try await service.card(dialog: "tg-1", as: As.viewer)
            #expect(card.canSaveClient)
            #expect(card.client == nil)
            #expect(card.dialog?.displayName == "Петров Иван Сергеевич")
            #expect(card.dialog?.phone == "8 912 345-67-89")
        }
    }

    @Test func savingAClientUsesTheContactDataAndLinksTheDialog() async throws {
        try await withClientsService { service in
            try await service.dialog("tg-1", name: "Петров Иван Сергеевич", phone: "8 912 345-67-89", email: "Ivan@Mail.ru")
            var request = ClientsV1.SaveClientFromDialogRequest()
            request.dialogID = "tg-1"
            let card = try await service.call(ClientsV1.Clients.saveClientFromDialog, request)
            let client = try #require(card.client)
            #expect(client.firstName == "Иван")
            #expect(client.lastName == "Петров")
            #expect(client.patronymic == "Сергеевич")
            #expect(client.displayName == "Петров Иван Сергеевич")
            #expect(client.email == "ivan@mail.ru")
            #expect(client.phones.map(\.normalized) == ["79123456789"])
            #expect(client.phones.first?.number == "8 912 345-67-89")
            #expect(card.dialog?.clientID == client.clientID)
            #expect(!card.canSaveClient)

            let again = try await service.card(dialog: "tg-1")
            #expect(again.client?.clientID == client.clientID)
        }
    }

    @Test func nameOverridesWinOverTheParsedName() async throws {
        try await withClientsService { service in
            try await service.dialog("tg-1", name: "vanya_2000")
            var request = ClientsV1.SaveClientFromDialogRequest()
            request.dialogID = "tg-1"
            request.firstName = "Иван"
            request.lastName = "Петров"
            let card = try await service.call(ClientsV1.Clients.saveClientFromDialog, request)
            #expect(card.client?.displayName == "Петров Иван")
        }
    }

    @Test func savingTwiceIsRefused() async throws {
        try await withClientsService { service in
            let clientID = try await service.savedClient("tg-1")
            var request = ClientsV1.SaveClientFromDialogRequest()
            request.dialogID = "tg-1"
            let error = await expectError(.failedPrecondition) { try await service.call(ClientsV1.Clients.saveClientFromDialog, request) }
            #expect(error?.message.contains("client \(clientID)") == true)
        }
    }

    @Test func aRetriedSaveWithTheSameRequestIDCreatesOneClient() async throws {
        try await withClientsService { service in
            try await service.dialog("tg-1")
            var request = ClientsV1.SaveClientFromDialogRequest()
            request.dialogID = "tg-1"
            let first = try await service.call(ClientsV1.Clients.saveClientFromDialog, request, requestID: "save-1")
            let retry = try await service.call(ClientsV1.Clients.saveClientFromDialog, request, requestID: "save-1")
            #expect(first == retry)
            var list = ClientsV1.ListClientsRequest()
            list.pageSize = 10
            let clients = try await service.call(ClientsV1.Clients.listClients, list)
            #expect(clients.clients.count == 1)
        }
    }

    @Test func savingNeedsTheEditClientsRight() async throws {
        try await withClientsService { service in
            try await service.dialog("tg-1")
            var request = ClientsV1.SaveClientFromDialogRequest()
            request.dialogID = "tg-1"
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.saveClientFromDialog, request, as: As.viewer) }
            let card = try await service.card(dialog: "tg-1")
            #expect(card.canSaveClient)
        }
    }

    @Test func unknownDialogsAndClientsAreNotFound() async throws {
        try await withClientsService { service in
            await expectError(.notFound) { try await service.card(dialog: "nope") }
            await expectError(.notFound) { try await service.card(client: 999) }
            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = "nope"
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.saveClientFromDialog, save) }
            try await service.dialog("tg-1")
            var link = ClientsV1.LinkDialogRequest()
            link.dialogID = "tg-1"
            link.clientID = 999
            await expectError(.notFound) { try await service.call(ClientsV1.Clients.linkDialog, link) }
        }
    }

    @Test func upsertValidationNamesEveryBadField() async throws {
        try await withClientsService { service in
            var request = ClientsV1.UpsertDialogRequest()
            request.dialogID = ""
            request.channel = ""
            request.phone = "12"
            request.email = "not-an-email"
            request.displayName = String(repeating: "я", count: 256)
            let error = await expectError(.invalidArgument) { try await service.call(ClientsV1.Clients.upsertDialog, request) }
            #expect(Set(error?.violations.map(\.field) ?? []) == ["dialog_id", "channel", "phone", "email", "display_name"])
        }
    }

    @Test func cardRequestsNeedATarget() async throws {
        try await withClientsService { service in
            await expectError(.invalidArgument, field: "target") {
                try await service.call(ClientsV1.Clients.getClientCard, ClientsV1.GetClientCardRequest())
            }
            await expectError(.invalidArgument, field: "client_id") { try await service.card(client: -1) }
            await expectError(.invalidArgument, field: "dialog_id") { try await service.card(dialog: "  ") }
        }
    }

    @Test func theCardHintsAtAnExistingClientWithTheSamePhoneOrEmail() async throws {
        try await withClientsService { service in
            let existing = try await service.savedClient("tg-1", name: "Иван Петров", phone: "+7 912 345 67 89", email: "ivan@mail.ru")
            try await service.dialog("wa-2", name: "Ваня", phone: "89123456789", channel: "whatsapp")
            let card = try await service.card(dialog: "wa-2")
            #expect(card.canSaveClient)
            let duplicate = try #require(card.duplicates.first)
            #expect(duplicate.client?.clientID == existing)
            #expect(duplicate.reasons.map(\.kind) == [.phone])
            #expect(duplicate.reasons.first?.value == "79123456789")

            // CLIENT-3: link the dialog to the existing client instead.
            var link = ClientsV1.LinkDialogRequest()
            link.dialogID = "wa-2"
            link.clientID = existing
            let linked = try await service.call(ClientsV1.Clients.linkDialog, link)
            #expect(linked.client?.clientID == existing)
            #expect(linked.duplicates.isEmpty)
            #expect(!linked.canSaveClient)
        }
    }

    @Test func linkingNeedsTheEditClientsRightAndValidIDs() async throws {
        try await withClientsService { service in
            let clientID = try await service.savedClient("tg-1")
            try await service.dialog("tg-2")
            var link = ClientsV1.LinkDialogRequest()
            link.dialogID = "tg-2"
            link.clientID = clientID
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.linkDialog, link, as: As.viewer) }
            link.clientID = 0
            link.dialogID = ""
            let error = await expectError(.invalidArgument) { try await service.call(ClientsV1.Clients.linkDialog, link) }
            #expect(Set(error?.violations.map(\.field) ?? []) == ["client_id", "dialog_id"])
        }
    }

    @Test func autoSaveCreatesClientsForNewDialogs() async throws {
        try await withClientsService { service in
            var update = ClientsV1.UpdateSettingsRequest()
            var settings = ClientsV1.Settings()
            settings.autoSaveClients = true
            update.settings = settings
            await expectError(.permissionDenied) { try await service.call(ClientsV1.Clients.updateSettings, update, as: As.editor) }
            await expectError(.invalidArgument, field: "settings") {
                try await service.call(ClientsV1.Clients.updateSettings, ClientsV1.UpdateSettingsRequest(), as: As.admin)
            }
            let saved = try await service.call(ClientsV1.Clients.updateSettings, update, as: As.admin)
            #expect(saved.autoSaveClients)
            #expect(try await service.call(ClientsV1.Clients.getSettings, ClientsV1.GetSettingsRequest()).autoSaveClients)

            let recorded = try await service.dialog("tg-1", name: "Анна Смирнова", phone: "+7 903 000 00 01")
            let clientID = try #require(recorded.autoSavedClientID)
            #expect(recorded.dialog?.clientID == clientID)
            let card = try await service.card(dialog: "tg-1")
            #expect(card.client?.displayName == "Смирнова Анна")
            #expect(!card.canSaveClient)
            // A later update of the same dialog does not make another client.
            let again = try await service.dialog("tg-1", name: "Анна Смирнова")
            #expect(again.autoSavedClientID == nil)
            #expect(again.dialog?.clientID == clientID)
        }
    }
}
