import ChatPanelProto
import Testing

@testable import ChatPanelRPC

/// The one text rule every service validates typed text with: characters as the user counts
/// them, a byte cap behind, cleaning of one-line values; counting and cutting previews.
@Suite struct TextRuleTests {
    @Test func countsGraphemeClustersNotBytesOrScalars() {
        #expect(TextRule.characterCount("е\u{0301}") == 1)
        #expect(TextRule.characterCount("👍🏽") == 1)
        #expect(TextRule.characterCount("🇷🇺🇰🇿") == 2)
        #expect(TextRule.characterCount("👨‍👩‍👧‍👦") == 1)
        #expect(TextRule.characterCount("Привет") == 6)
        #expect(TextRule.characterCount("\r\n") == 1)
    }

    @Test func stopsCountingPastTheLimit() {
        let huge = String(repeating: "я", count: 100_000)
        #expect(TextRule.characterCount(huge, countingUpTo: 2000) == 2001)
        #expect(TextRule.characterCount("abc", countingUpTo: 2000) == 3)
    }

    @Test func previewsCutOnCharacterBoundariesAndTrimTrailingSpace() {
        #expect(TextRule.preview(of: "short", length: 10) == ("short", false))
        #expect(TextRule.preview(of: "exactly10!", length: 10) == ("exactly10!", false))
        #expect(TextRule.preview(of: "🇷🇺🇰🇿🇧🇾", length: 2) == ("🇷🇺🇰🇿", true))
        #expect(TextRule.preview(of: "one two three", length: 4) == ("one", true))
    }

    @Test func countsCyrillicAndLatinAlike() {
        let rule = TextRule(maxCharacters: 100, required: true)
        #expect(rule.check(String(repeating: "ж", count: 100)) == nil)
        #expect(rule.check(String(repeating: "z", count: 100)) == nil)
        #expect(rule.check(String(repeating: "ж", count: 101)) == ValidationFailure("must be at most 100 characters"))
        #expect(rule.clean(String(repeating: "ж", count: 100)) == .success(String(repeating: "ж", count: 100)))
    }

    @Test func capsBytesBehindCharacters() {
        // 10 family emoji are 10 characters but 250 bytes: over the default cap of 8 bytes a character.
        let rule = TextRule(maxCharacters: 10)
        let families = String(repeating: "👨‍👩‍👧‍👦", count: 10)
        #expect(rule.check(families) == ValidationFailure("must be at most 80 bytes of UTF-8 (got \(families.utf8.count))"))
        #expect(TextRule(maxCharacters: 10, maxBytes: 250).check(families) == nil)
    }

    @Test func requiredValuesMustNotBeEmptyOrBlank() {
        let rule = TextRule(maxCharacters: 10, required: true)
        #expect(rule.check("") == ValidationFailure("is required"))
        #expect(rule.check("  \n ") == ValidationFailure("must not be blank"))
        #expect(rule.clean("   ") == .failure(ValidationFailure("must not be blank")))
        #expect(TextRule(maxCharacters: 10).check("") == nil)
    }

    @Test func cleansOneLineValuesAndRefusesControlCharacters() {
        let rule = TextRule(maxCharacters: 20)
        #expect(rule.clean("  Иван \t  Петров ") == .success("Иван Петров"))
        #expect(rule.clean("a\u{7}b") == .failure(ValidationFailure("must be one line without control characters")))
        #expect(rule.clean("a\nb") == .failure(ValidationFailure("must be one line without control characters")))
        let multiline = TextRule(maxCharacters: 20, multiline: true)
        #expect(multiline.clean(" a\nb ") == .success("a\nb"))
    }

    @Test func violationsNameTheField() {
        var violations = FieldViolations()
        violations.checkText("", field: "title", TextRule(maxCharacters: 5, required: true))
        #expect(violations.clean("toolong", field: "name", TextRule(maxCharacters: 5)) == nil)
        violations.checkID(0, field: "client_id")
        violations.checkID(-3, field: "task_id")
        violations.checkID(7, field: "note_id")
        #expect(violations.all.map(\.field) == ["title", "name", "client_id", "task_id"])
        #expect(
            violations.all.map(\.description) == [
                "is required", "must be at most 5 characters", "is required", "must be a positive id",
            ])
    }
}

/// Clean ASCII skips the look-up of Unicode properties: it must answer what cleaning scalar by
/// scalar answers, for every shape of ASCII text.
@Suite struct TextRuleASCIITests {
    private static let rules = [
        TextRule(maxCharacters: 10), TextRule(maxCharacters: 10, required: true),
        TextRule(maxCharacters: 10, multiline: true), TextRule(maxCharacters: 10, multiline: true, required: true),
        TextRule(maxCharacters: 100, maxBytes: 5),
    ]

    /// Every text of up to four bytes over an alphabet with each kind of ASCII byte, and
    /// random longer ones.
    private static let texts: [String] = {
        let alphabet: [UInt8] = [0x61, 0x5A, 0x30, 0x7E, 0x21, 0x20, 0x09, 0x0A, 0x0D, 0x00, 0x1F, 0x7F, 0x0B, 0x0C]
        var texts: [[UInt8]] = [[]]
        var layer: [[UInt8]] = [[]]
        for _ in 1...4 {
            layer = layer.flatMap { prefix in alphabet.map { prefix + [$0] } }
            texts += layer
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            texts.append((0..<Int.random(in: 5...30, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        return texts.map { String(decoding: $0, as: UTF8.self) }
    }()

    @Test func cleanASCIIAnswersAsCleaningScalarByScalar() {
        var fast = 0
        for rule in Self.rules {
            for text in Self.texts {
                let expected = rule.cleanByScalars(text)
                #expect(rule.clean(text) == expected, "\(rule) \(Array(text.utf8))")
                if rule.isCleanASCII(text) {
                    fast += 1
                    // Text the fast path takes as clean is what cleaning leaves as it is.
                    if case .success(let value) = expected { #expect(value == text) }
                }
            }
        }
        #expect(fast > 1000)
    }

    @Test func whiteSpaceAtTheEndsOrDoubledIsNotCleanASCII() {
        let line = TextRule(maxCharacters: 50)
        let text = TextRule(maxCharacters: 50, multiline: true)
        #expect(line.isCleanASCII("bench-42 ok"))
        #expect(!line.isCleanASCII(" lead"))
        #expect(!line.isCleanASCII("trail "))
        #expect(!line.isCleanASCII("two  spaces"))
        #expect(!line.isCleanASCII("tab\there"))
        #expect(!line.isCleanASCII("line\nbreak"))
        #expect(!line.isCleanASCII(""))
        #expect(!line.isCleanASCII("кириллица"))
        #expect(text.isCleanASCII("two  spaces\nand\ta tab"))
        #expect(!text.isCleanASCII("\nlead"))
        #expect(!text.isCleanASCII("trail\r"))
    }
}
