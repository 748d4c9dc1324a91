import ChatPanelProto
import ChatPanelRPC
import Testing

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
