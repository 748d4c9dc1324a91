import ChatPanelProto
import ChatPanelRPC
import ClientsService
import Testing

/// Phone numbers, read by libphonenumber: with "+" and the country code, or as dialled in the
/// shop's region; stored and compared in E.164 (without its "+").
@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("8 (912) 345-67-89", "RU", "+79123456789"),
        ("8 912 345-67-89", "RU", "+79123456789"),
        ("+7 912 345 67 89", "RU", "+79123456789"),
        ("912 345 67 89", "RU", "+79123456789"),
        ("89123456789", "RU", "+79123456789"),
        ("8 800 555 35 35", "RU", "+78005553535"),
        ("+44 20 7946 0958", "RU", "+442079460958"),
        ("  +7(495)123-45-67 ", "RU", "+74951234567"),
        // Russia's international prefix is 810; "00" is one elsewhere (here: Great Britain).
        ("810 49 30 1234567", "RU", "+49301234567"),
        ("0049 30 1234567", "GB", "+49301234567"),
        // A 10-digit number without "+" belongs to the shop's region, not to Russia by default.
        ("202 555 0123", "US", "+12025550123"),
        ("(650) 253-0000", "US", "+16502530000"),
        ("+7 912 345 67 89", "US", "+79123456789"),
        // Digits of other scripts are read as libphonenumber reads them: as the same digits.
        ("٨ ٩١٢ ٣٤٥ ٦٧ ٨٩", "RU", "+79123456789"),  // Arabic-Indic
        ("۸ ۹۱۲ ۳۴۵ ۶۷ ۸۹", "RU", "+79123456789"),  // Extended Arabic-Indic (Persian)
        ("８ ９１２ ３４５ ６７ ８９", "RU", "+79123456789"),  // full-width
        ("＋７ ９１２ ３４５ ６７ ８９", "RU", "+79123456789"),  // full-width, with a full-width plus
    ])
    func normalizes(_ input: String, _ region: String, _ e164: String) throws {
        let phone = try PhoneNumber.parse(input, region: region).get()
        #expect(phone.e164 == e164)
        #expect(phone.normalized == String(e164.dropFirst()))
        #expect(phone.entered == input.split(separator: " ").joined(separator: " "))
    }

    @Test(arguments: [
        ("", "RU"), ("12345", "RU"), ("+7 912 345 67 8", "RU"), ("+7 912 345 67 890", "RU"), ("912-ABC-67-89", "RU"),
        ("1234567890123456", "RU"), ("7+9123456789", "RU"), ("99999999999999999999", "RU"),
        // Ten digits that are no Russian number are no longer made one.
        ("202 555 0123", "RU"),
        // "00" is not Russia's international prefix: read as a national number, it is too long.
        ("0049 30 1234567", "RU"),
        // A Russian number dialled with its trunk 8 is too long in the US.
        ("8 912 345-67-89", "US"),
        // "+8" is no country code; "+8 800 …" reads as Bangladesh (+880), where it is not valid.
        ("+8 912 345-67-89", "RU"), ("+8 800 555 35 35", "RU"),
        // Letters are refused (libphonenumber would read them as keypad digits).
        ("8 912 ABC-67-89", "RU"),
    ])
    func refuses(_ input: String, _ region: String) {
        #expect(throws: ValidationFailure.self) { try PhoneNumber.parse(input, region: region).get() }
    }

    @Test func saysWhyANumberIsRefused() {
        #expect(PhoneNumber.parse("+8 912 345-67-89", region: "RU").failureText?.contains("country code") == true)
        #expect(PhoneNumber.parse("+7 912 345 67 8", region: "RU").failureText?.contains("too short") == true)
        #expect(PhoneNumber.parse("202 555 0123", region: "RU").failureText?.contains("not a valid number") == true)
    }

    @Test func knowsTheRegionsLibphonenumberKnows() {
        #expect(PhoneNumber.isSupportedRegion("RU"))
        #expect(PhoneNumber.isSupportedRegion("US"))
        #expect(!PhoneNumber.isSupportedRegion("XX"))
        #expect(!PhoneNumber.isSupportedRegion(""))
    }
}

extension Result where Failure == ValidationFailure {
    /// The failure's text, or nil on success.
    fileprivate var failureText: String? {
        if case .failure(let failure) = self { return failure.description }
        return nil
    }
}

/// Emails: lower-cased, shaped like an address.
@Suite struct EmailAddressTests {
    @Test(arguments: [
        (" Ivan.Petrov@Mail.RU ", "ivan.petrov@mail.ru"),
        ("a+tag@sub.example.com", "a+tag@sub.example.com"),
        ("ivan@Почта.РФ", "ivan@почта.рф"),
    ])
    func normalizes(_ input: String, _ expected: String) throws {
        #expect(try EmailAddress.normalize(input).get() == expected)
    }

    @Test(arguments: ["", "plain", "a@b", "a@@b.ru", ".a@b.ru", "a..b@c.ru", "a@-b.ru", "a@b.123", "a b@c.ru", "a@b..ru", "иван@почта.рф"])
    func refuses(_ input: String) {
        #expect(throws: ValidationFailure.self) { try EmailAddress.normalize(input).get() }
    }

    @Test func limitsLength() {
        let long = String(repeating: "a", count: 65) + "@example.com"
        #expect(throws: ValidationFailure.self) { try EmailAddress.normalize(long).get() }
    }
}

/// Text rules: trimming, collapsing, lengths in characters, control characters.
@Suite struct ClientTextRuleTests {
    @Test func collapsesAndTrims() throws {
        #expect(try TextRule.personName.clean("  Анна   Мария \t").get() == "Анна Мария")
    }

    @Test func countsCharactersNotBytes() {
        // A name is limited to 200 characters, Cyrillic or Latin alike (400 bytes of "я").
        #expect(throws: ValidationFailure.self) { try TextRule.personName.clean(String(repeating: "я", count: 201)).get() }
        #expect((try? TextRule.personName.clean(String(repeating: "я", count: 200)).get()) != nil)
        #expect((try? TextRule.tagName.clean(String(repeating: "т", count: 100)).get()) != nil)
        #expect((try? TextRule.tagName.clean(String(repeating: "t", count: 100)).get()) != nil)
        #expect(throws: ValidationFailure.self) { try TextRule.tagName.clean(String(repeating: "т", count: 101)).get() }
    }

    @Test func refusesLineBreaksInOneLineValues() {
        #expect(throws: ValidationFailure.self) { try TextRule.personName.clean("Анна\nМария").get() }
        #expect((try? TextRule.fieldText.clean("line one\nline two").get()) == "line one\nline two")
        #expect(throws: ValidationFailure.self) { try TextRule.fieldText.clean("bell\u{07}").get() }
    }

    @Test func requiredValues() {
        #expect(throws: ValidationFailure.self) { try TextRule.tagName.clean("   ").get() }
    }

    @Test func searchKeysFoldCaseAndYo() {
        #expect(SearchKey.make("  Ёлка  VIP ") == "елка vip")
        #expect(SearchKey.make("ПОСТОЯННЫЙ") == "постоянный")
    }
}

/// Names parsed from a chat display name.
@Suite struct PersonNameTests {
    @Test(arguments: [
        ("Иван", "Иван", "", ""),
        ("Иван Петров", "Иван", "Петров", ""),
        ("Петров Иван Сергеевич", "Иван", "Петров", "Сергеевич"),
        ("Анна Сергеевна Иванова", "Анна", "Иванова", "Сергеевна"),
        ("Mary Ann Smith", "Mary", "Ann Smith", ""),
        ("   ", "", "", ""),
    ])
    func parses(_ display: String, _ first: String, _ last: String, _ patronymic: String) {
        let name = PersonName.parse(displayName: display)
        #expect(name == PersonName(first: first, last: last, patronymic: patronymic))
    }

    @Test func displaysLastFirstPatronymic() {
        #expect(PersonName(first: "Иван", last: "Петров", patronymic: "Сергеевич").displayName == "Петров Иван Сергеевич")
        #expect(PersonName(first: "Иван").displayName == "Иван")
    }
}

/// The address linking rules of CLIENT-7.
@Suite struct AddressRulesTests {
    private func unsplit() -> ClientAddress {
        var address = ClientAddress()
        address.freeText = "Москва, ул. Ленина, 5"
        address[.city] = "Москва"
        return address
    }

    @Test func everyPartKeepsItsOwnValue() {
        var address = ClientAddress()
        for part in AddressPart.allCases { address[part] = "value of \(part.rawValue)" }
        #expect(AddressPart.allCases.allSatisfy { address[$0] == "value of \($0.rawValue)" })
        address[.flat] = ""
        #expect(address[.flat].isEmpty && address[.floor] == "value of floor")
        #expect(ClientAddress().isEmpty && !address.isEmpty)
    }

    @Test func fivePartsDoNotChangeTheFreeText() throws {
        let next = try AddressRules.apply(AddressChanges(parts: [.city: "Казань", .postalCode: "420000"]), to: unsplit(), fieldPrefix: "")
        #expect(next.freeText == "Москва, ул. Ленина, 5")
        #expect(next[.city] == "Казань")
        #expect(next.displayText == "Москва, ул. Ленина, 5")
    }

    @Test func freeTextDoesNotChangeTheFiveParts() throws {
        let next = try AddressRules.apply(AddressChanges(freeText: "Казань"), to: unsplit(), fieldPrefix: "")
        #expect(next[.city] == "Москва")
    }

    @Test func splitOnlyPartsNeedASplitAddress() {
        #expect(throws: RPCError.self) {
            try AddressRules.apply(AddressChanges(parts: [.street: "Ленина"]), to: unsplit(), fieldPrefix: "")
        }
        do {
            _ = try AddressRules.apply(AddressChanges(parts: [.street: "Ленина", .flat: "3"]), to: unsplit(), fieldPrefix: "address.")
        } catch {
            #expect(Set(error.violations.map(\.field)) == ["address.street", "address.flat"])
        }
    }

    @Test func splittingAllowsThePartsAndShowsThemComposed() throws {
        let next = try AddressRules.apply(
            AddressChanges(split: true, parts: [.street: "ул. Ленина", .house: "5", .flat: "12"]), to: unsplit(), fieldPrefix: "")
        #expect(next.split)
        #expect(next.displayText == "Москва, ул. Ленина, д. 5, кв. 12")
    }

    @Test func aSplitAddressRefusesAFreeText() {
        var split = unsplit()
        split.split = true
        #expect(throws: RPCError.self) { try AddressRules.apply(AddressChanges(freeText: "x"), to: split, fieldPrefix: "") }
    }

    @Test func unsplittingKeepsTheFiveAndComposesTheText() throws {
        var split = unsplit()
        split.split = true
        split[.street] = "ул. Ленина"
        split[.house] = "5"
        let next = try AddressRules.apply(AddressChanges(split: false), to: split, fieldPrefix: "")
        #expect(!next.split)
        #expect(next.freeText == "Москва, ул. Ленина, д. 5")
        #expect(next[.street].isEmpty)
        #expect(next[.city] == "Москва")
    }
}

/// Custom field values by type.
@Suite struct FieldValueRulesTests {
    private let options: [ClientsV1.FieldOption] = {
        var gold = ClientsV1.FieldOption()
        gold.code = "gold"
        gold.name = "Золотой"
        return [gold]
    }()

    @Test(arguments: [
        (ClientsV1.FieldType.integer, " -42 ", "-42"),
        (.decimal, "12,50", "12.50"),
        (.decimal, "007.5", "7.5"),
        (.boolean, "Да", "true"),
        (.boolean, "0", "false"),
        (.date, "31.01.2024", "2024-01-31"),
        (.date, "2024-02-29", "2024-02-29"),
        (.email, "A@B.RU", "a@b.ru"),
        (.dictionary, "gold", "gold"),
        (.dictionary, "золотой", "gold"),
        (.string, " one  line ", "one line"),
    ])
    func accepts(_ type: ClientsV1.FieldType, _ input: String, _ expected: String) throws {
        #expect(try FieldValueRules.normalize(input, type: type, options: options).get() == expected)
    }

    @Test(arguments: [
        (ClientsV1.FieldType.integer, "4.2"),
        (.integer, "99999999999999999999"),
        (.decimal, "1.2.3"),
        (.decimal, "1234567890123456789"),
        (.boolean, "maybe"),
        (.date, "2023-02-29"),
        (.date, "2024-13-01"),
        (.date, "yesterday"),
        (.email, "nope"),
        (.dictionary, "silver"),
        (.string, "two\nlines"),
    ])
    func refuses(_ type: ClientsV1.FieldType, _ input: String) {
        #expect(throws: ValidationFailure.self) { try FieldValueRules.normalize(input, type: type, options: options).get() }
    }

    @Test func codes() {
        #expect((try? FieldValueRules.code("loyalty_level2").get()) == "loyalty_level2")
        #expect(throws: ValidationFailure.self) { try FieldValueRules.code("2fast").get() }
        #expect(throws: ValidationFailure.self) { try FieldValueRules.code("Has-Dash").get() }
    }
}

/// Message fragments and other small rules.
@Suite struct FragmentAndTokenTests {
    @Test func fragmentsLoseQuotesAndSentencePunctuation() {
        #expect(MessageFragment.clean(" «ivan@mail.ru». ", keepTrailingDot: false) == "ivan@mail.ru")
        #expect(MessageFragment.clean("\"Иван\",", keepTrailingDot: false) == "Иван")
        #expect(MessageFragment.clean("ул. Ленина, д. 5.", keepTrailingDot: true) == "ул. Ленина, д. 5.")
    }

    @Test func tagColors() throws {
        #expect(try TagRules.color("#1E88E5").get() == "#1e88e5")
        #expect(throws: ValidationFailure.self) { try TagRules.color("blue").get() }
        #expect(TagRules.palette.contains(TagRules.randomColor()))
    }

    @Test func pageTokensRoundTrip() throws {
        for token in [PageToken.clientID(42), .name(key: "иванов иван", id: 7), .dialog(clientID: 9, dialogID: "tg:1:2")] {
            #expect(try PageToken.parse(token.text) == token)
        }
        #expect(try PageToken.parse("") == nil)
        #expect(throws: RPCError.self) { try PageToken.parse("zzz") }
        #expect(throws: RPCError.self) { try PageToken.parse("cabc") }
    }
}
