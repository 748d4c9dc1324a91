@testable import ChatPanelProto
import ChatPanelTesting
import Testing

/// A client card's keys read in one pass: for every input, what the general decoder reads
/// (the same keys or the same error), every field of the card but the keys stepped over.
@Suite struct ClientCardKeysReadingTests {
    private static let texts = ["", "d-42", "telegram", "visitor-7", "Анна Смирнова", "日本語 ✓ 🎉"]

    private static func card(_ random: inout SeededGenerator) -> ClientsV1.ClientCard {
        func text() -> String { texts[random.next(below: texts.count)] }
        var card = ClientsV1.ClientCard()
        if random.next(below: 4) != 0 {
            var dialog = ClientsV1.Dialog()
            dialog.dialogID = text()
            dialog.channel = text()
            dialog.externalLogin = text()
            dialog.displayName = text()
            dialog.phone = "+7 916 123-45-67"
            dialog.clientID = random.next(below: 2) == 0 ? nil : [0, 1, -1, Int64.max, Int64.min][random.next(below: 5)]
            dialog.createdAtMs = 1_700_000_000_000
            card.dialog = dialog
        }
        if random.next(below: 3) != 0 {
            var client = ClientsV1.Client()
            client.clientID = [0, 1, 1_000_001, -5, Int64.max, Int64.min][random.next(below: 6)]
            client.firstName = text()
            client.lastName = text()
            var phone = ClientsV1.Phone()
            phone.number = "+7 916 123-45-67"
            phone.normalized = "79161234567"
            client.phones = Array(repeating: phone, count: random.next(below: 3))
            var tag = ClientsV1.ClientTag()
            var named = ClientsV1.Tag()
            named.tagID = 7
            named.name = text()
            tag.tag = named
            tag.pinned = true
            client.tags = Array(repeating: tag, count: random.next(below: 3))
            client.tagCount = Int32(client.tags.count)
            client.updatedAtMs = 1_700_000_000_123
            card.client = client
            card.shownPhone = phone
            card.otherPhoneCount = 1
        }
        card.resolvedFromClientID = [0, 9][random.next(below: 2)]
        var field = ClientsV1.FieldValue()
        field.value = "1987-04-12"
        field.displayValue = text()
        card.fields = Array(repeating: field, count: random.next(below: 3))
        card.canSaveClient = card.client == nil
        return card
    }

    @Test(arguments: 0..<40)
    func cardsAreReadInOnePassAsTheGeneralDecoderReadsThem(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(seed))
        let card = Self.card(&random)
        let bytes = try card.serializedBytes()
        // Read by the one-pass reader itself, not handed to the general decoder.
        let read = try #require(bytes.withUnsafeBytes { ClientsV1.ClientCardKeys.read($0) })
        #expect(read == (try ClientsV1.ClientCardKeys(serializedBytes: bytes)))
        #expect(read.dialog?.dialogID == card.dialog?.dialogID)
        #expect(read.dialog?.channel == card.dialog?.channel)
        #expect(read.dialog?.externalLogin == card.dialog?.externalLogin)
        #expect(read.client?.clientID == card.client?.clientID)
        #expect(try ClientsV1.ClientCardKeys(card: bytes) == read)
    }

    @Test(arguments: 0..<4)
    func everyChangedCardReadsAsTheGeneralDecoderReadsIt(seed: Int) throws {
        var random = SeededGenerator(seed: UInt64(3_000 + seed))
        var card = Self.card(&random)
        card.fields = []  // keeps the mutations few
        card.client?.tags = []
        DecoderAgreement.agreeOnEveryChange(of: try card.serializedBytes(), ClientsV1.ClientCardKeys.init(cardBytes:))
    }

    @Test func randomBytesReadAsTheGeneralDecoderReadsThem() {
        var random = SeededGenerator(seed: 78)
        for _ in 0..<3_000 {
            let bytes = (0..<random.next(below: 24)).map { _ in UInt8(truncatingIfNeeded: random.next() as UInt64) }
            DecoderAgreement.agree(bytes, ClientsV1.ClientCardKeys.init(cardBytes:))
        }
    }

    /// Fields of numbers the keys do not know are stepped over in every wire type and key
    /// length protobuf takes; what the reader does not take goes to the general decoder.
    @Test func unknownFieldsAreSteppedOverAndUnusualEncodingsLeftToTheGeneralDecoder() {
        let dialog = WireBytes.lengthDelimited(1, WireBytes.lengthDelimited(1, Array("d-1".utf8)) + WireBytes.lengthDelimited(9, [1]))
        let client = WireBytes.lengthDelimited(2, WireBytes.key(1, wireType: 0) + WireBytes.varint(77))
        let read: [(String, [UInt8])] = [
            ("a two-byte key", dialog + WireBytes.lengthDelimited(300, [1, 2]) + client),
            ("the largest field number", dialog + WireBytes.key((1 << 29) - 1, wireType: 0) + [5] + client),
            ("fixed 64 and fixed 32 fields", WireBytes.key(20, wireType: 1) + [UInt8](repeating: 1, count: 8) + WireBytes.key(21, wireType: 5) + [1, 2, 3, 4] + client),
            ("a long key inside the client", WireBytes.lengthDelimited(2, WireBytes.lengthDelimited(4_000, [9]) + WireBytes.key(1, wireType: 0) + [3])),
            ("a negative client id", WireBytes.lengthDelimited(2, WireBytes.key(1, wireType: 0) + WireBytes.varint(UInt64(bitPattern: -3)))),
        ]
        for (what, bytes) in read {
            #expect(bytes.withUnsafeBytes { ClientsV1.ClientCardKeys.read($0) } != nil, "\(what)")
            DecoderAgreement.agree(bytes, ClientsV1.ClientCardKeys.init(cardBytes:))
        }
        let unusual: [(String, [UInt8])] = [
            ("the dialog twice (merged)", dialog + client + dialog),
            ("the client twice (merged)", client + dialog + client),
            ("the dialog id twice", WireBytes.lengthDelimited(1, WireBytes.lengthDelimited(1, [0x61]) + WireBytes.lengthDelimited(1, [0x62]))),
            ("the client id twice", WireBytes.lengthDelimited(2, WireBytes.key(1, wireType: 0) + [1] + WireBytes.key(1, wireType: 0) + [2])),
            ("a key longer than it needs", WireBytes.hex("8a 00 00") + client),
            ("a field number past protobuf's largest", WireBytes.key(1 << 29, wireType: 0) + [5] + client),
            ("a varint longer than it needs in another field", WireBytes.hex("18 85 00") + client),
            ("a group", WireBytes.hex("1b 1c") + client),
            ("a dialog id with a NUL", WireBytes.lengthDelimited(1, WireBytes.lengthDelimited(1, [0x61, 0x00]))),
            ("a channel that is not UTF-8", WireBytes.lengthDelimited(1, WireBytes.lengthDelimited(2, [0xC3, 0x28]))),
            ("the client id as bytes", WireBytes.lengthDelimited(2, WireBytes.lengthDelimited(1, [1]))),
            ("the dialog as a varint", WireBytes.key(1, wireType: 0) + [1]),
            ("a client id past 64 bits", WireBytes.lengthDelimited(2, WireBytes.hex("08 80 80 80 80 80 80 80 80 80 02"))),
            ("a six-byte length prefix", WireBytes.hex("0a 82 80 80 80 80 00 0a 00")),
        ]
        for (what, bytes) in unusual {
            #expect(bytes.withUnsafeBytes { ClientsV1.ClientCardKeys.read($0) } == nil, "\(what)")
            DecoderAgreement.agree(bytes, ClientsV1.ClientCardKeys.init(cardBytes:))
        }
    }
}

extension ClientsV1.ClientCardKeys {
    /// ``init(card:)`` over a buffer, for ``DecoderAgreement``.
    fileprivate init(cardBytes bytes: UnsafeRawBufferPointer) throws {
        try self.init(card: Array(bytes))
    }
}
