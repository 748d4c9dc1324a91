import TasksService
import Testing

/// Counting characters and cutting previews.
@Suite struct TextRulesTests {
    @Test func countsGraphemeClustersNotBytesOrScalars() {
        #expect(TextRules.characterCount("е\u{0301}") == 1)
        #expect(TextRules.characterCount("👍🏽") == 1)
        #expect(TextRules.characterCount("🇷🇺🇰🇿") == 2)
        #expect(TextRules.characterCount("👨‍👩‍👧‍👦") == 1)
        #expect(TextRules.characterCount("Привет") == 6)
        #expect(TextRules.characterCount("\r\n") == 1)
    }

    @Test func stopsCountingPastTheLimit() {
        let huge = String(repeating: "я", count: 100_000)
        #expect(TextRules.characterCount(huge, countingUpTo: 2000) == 2001)
        #expect(TextRules.characterCount("abc", countingUpTo: 2000) == 3)
    }

    @Test func previewsCutOnCharacterBoundariesAndTrimTrailingSpace() {
        #expect(TextRules.preview(of: "short", length: 10) == ("short", false))
        #expect(TextRules.preview(of: "exactly10!", length: 10) == ("exactly10!", false))
        #expect(TextRules.preview(of: "🇷🇺🇰🇿🇧🇾", length: 2) == ("🇷🇺🇰🇿", true))
        #expect(TextRules.preview(of: "one two three", length: 4) == ("one", true))
    }
}
