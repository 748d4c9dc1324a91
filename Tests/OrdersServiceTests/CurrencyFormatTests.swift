import ChatPanelProto
import OrdersService
import Testing

/// How amounts read: thousands grouped with no-break spaces, a decimal comma, each currency's
/// own minor digits, and its sign (or code) after a no-break space.
@Suite struct CurrencyFormatTests {
    @Test(arguments: [
        (Int64(0), "RUB", "0,00\u{A0}₽"),
        (Int64(5), "RUB", "0,05\u{A0}₽"),
        (Int64(99_999), "RUB", "999,99\u{A0}₽"),
        (Int64(100_000), "RUB", "1\u{A0}000,00\u{A0}₽"),
        (Int64(1_299_000), "RUB", "12\u{A0}990,00\u{A0}₽"),
        (Int64(123_456_789_012), "USD", "1\u{A0}234\u{A0}567\u{A0}890,12\u{A0}$"),
        (Int64(-1_500_050), "EUR", "-15\u{A0}000,50\u{A0}€"),
        (Int64(1_500), "JPY", "1\u{A0}500\u{A0}¥"),
        (Int64(999), "KRW", "999\u{A0}KRW"),
        (Int64(1_250), "KWD", "1,250\u{A0}KWD"),
        (Int64(7), "KWD", "0,007\u{A0}KWD"),
        (Int64(1_000_001), "BYN", "10\u{A0}000,01\u{A0}Br"),
        (Int64(42), "XYZ", "0,42\u{A0}XYZ"),
        (Int64.min, "RUB", "-92\u{A0}233\u{A0}720\u{A0}368\u{A0}547\u{A0}758,08\u{A0}₽"),
    ])
    func amountsReadAsPeopleWriteThem(amount: Int64, currency: String, text: String) {
        #expect(Currency.format(amount, currency) == text)
    }
}

/// The panel's product lists and carts are written by the one-pass encoder: an amount's bytes
/// must be those protobuf-c packs for the same `Money`, and a currency holding U+0000 is refused
/// as the encoder refuses it.
@Suite struct MoneyWritingTests {
    @Test(arguments: [
        (Int64(0), "RUB"), (Int64(1_299_000), "RUB"), (Int64(-1_500_050), "EUR"), (Int64(1_500), "JPY"), (Int64(42), "XYZ"),
        (Int64.min, "RUB"), (Int64.max, "KWD"), (Int64(7), ""), (Int64(300), "Д"),
    ])
    func writtenMoneyIsWhatTheEncoderPacks(amount: Int64, currency: String) throws {
        // A `ListedProduct` with its id and price set, both ways.
        var listed = OrdersV1.ListedProduct()
        listed.productID = 1
        listed.price = Currency.money(amount, currency)
        let written = try listed.onePassBytes()
        #expect(written == (try listed.serializedBytes()))
        #expect(try OrdersV1.ListedProduct(serializedBytes: written) == listed)
    }

    @Test func aCurrencyHoldingNULIsRefusedByName() {
        var item = OrdersV1.CartItem()
        item.price = Currency.money(100, "RU\u{0}B")
        #expect(throws: ProtoCodingError.embeddedNUL(field: "price.currency")) { try item.onePassBytes() }
        #expect(throws: ProtoCodingError.embeddedNUL(field: "price.currency")) { try item.serializedBytes() }
    }
}
