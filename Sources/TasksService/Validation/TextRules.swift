/// How text lengths are counted and long texts are cut.
///
/// A "character" is what the user sees as one: an extended grapheme cluster, Swift's
/// `Character`. "é" written as e + combining accent, "👍🏽" (two scalars) and "🇷🇺" (two
/// regional indicators) each count as one; a byte count or a UTF-16 count would not match
/// what the note editor shows.
public enum TextRules {
    /// The number of characters in `text`, without counting past `limit + 1` (enough to tell
    /// whether a limit is exceeded, however long the input).
    public static func characterCount(_ text: String, countingUpTo limit: Int = .max) -> Int {
        // A character takes at least one UTF-8 byte: short texts need no walk over graphemes.
        if text.utf8.count <= limit { return text.count }
        var count = 0
        for _ in text {
            count += 1
            if count > limit { break }
        }
        return count
    }

    /// Whether `text` has nothing but white space (or nothing at all).
    public static func isBlank(_ text: String) -> Bool {
        text.allSatisfy { $0.isWhitespace }
    }

    /// The first `length` characters of `text` and whether anything was cut. A cut preview
    /// loses its trailing white space (the reader adds an ellipsis).
    public static func preview(of text: String, length: Int) -> (text: String, truncated: Bool) {
        guard let end = text.index(text.startIndex, offsetBy: length, limitedBy: text.endIndex), end < text.endIndex else {
            return (text, false)
        }
        var cut = text[..<end]
        while let last = cut.last, last.isWhitespace { cut.removeLast() }
        return (String(cut), true)
    }
}
