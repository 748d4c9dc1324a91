import ChatPanelProto
import Testing

/// `ClientCardKeys` shares its field numbers with `ClientCard`, `Dialog` and `Client`: a whole
/// card's bytes decode as its keys, everything else skipped.
@Suite struct ClientCardKeysTests {
    private static func card(clientID: Int64?) -> ClientsV1.ClientCard {
        var card = ClientsV1.ClientCard()
        var dialog = ClientsV1.Dialog()
        dialog.dialogID = "d-42"
        dialog.channel = "site"
        dialog.externalLogin = "visitor-7"
        dialog.displayName = "Анна Смирнова"
        dialog.phone = "+7 916 123-45-67"
        dialog.email = "anna@example.com"
        dialog.clientID = clientID
        card.dialog = dialog
        if let clientID {
            var client = ClientsV1.Client()
            client.clientID = clientID
            client.firstName = "Анна"
            client.lastName = "Смирнова"
            var phone = ClientsV1.Phone()
            phone.number = "+7 916 123-45-67"
            phone.normalized = "79161234567"
            client.phones = [phone, phone]
            card.client = client
            card.shownPhone = phone
            card.otherPhoneCount = 1
        }
        var field = ClientsV1.FieldValue()
        field.value = "1987-04-12"
        field.displayValue = "12.04.1987"
        card.fields = [field, field, field]
        card.canSaveClient = clientID == nil
        return card
    }

    @Test func aCardsBytesDecodeAsItsKeys() throws {
        let bytes = try Self.card(clientID: 1_000_001).serializedBytes()
        let keys = try ClientsV1.ClientCardKeys(serializedBytes: bytes)
        #expect(keys.client?.clientID == 1_000_001)
        #expect(keys.dialog?.dialogID == "d-42")
        #expect(keys.dialog?.channel == "site")
        #expect(keys.dialog?.externalLogin == "visitor-7")
    }

    @Test func aCardWithoutAClientHasNoClientKey() throws {
        let keys = try ClientsV1.ClientCardKeys(serializedBytes: try Self.card(clientID: nil).serializedBytes())
        #expect(keys.client == nil)
        #expect(keys.dialog?.dialogID == "d-42")
    }
}
