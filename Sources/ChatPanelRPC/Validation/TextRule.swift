/// The one rule for text a person types, shared by every service: its length is counted in
/// characters as the person counts them, with a cap on its UTF-8 bytes behind that.
///
/// A "character" is an extended grapheme cluster, Swift's `Character`: "é" written as e +
/// combining accent, "👍🏽" and "🇷🇺" each count as one, and a Cyrillic letter counts as one
/// as a Latin one does (a byte count would let a tag have 100 Latin letters but only 50
/// Cyrillic ones). The byte cap (by default eight bytes a character: a flag or an emoji with
/// a skin tone fits) bounds what is stored when characters are unusually long, like long
/// emoji sequences.
///
/// The RPC runtime already refuses invalid UTF-8 and U+0000, so only shape and length are
/// checked here:
///
/// ```swift
/// static let title = TextRule(maxCharacters: 200, required: true)
/// let name = violations.clean(request.name, field: "name", .tagName)   // trimmed, or nil and a violation
/// violations.checkText(request.text, field: "text", .noteText)          // checked as it is
/// ```
public struct TextRule: Sendable, Hashable {
    /// The longest value in characters (grapheme clusters).
    public var maxCharacters: Int
    /// The longest value in UTF-8 bytes.
    public var maxBytes: Int
    /// Whether line breaks and tabs are allowed.
    public var multiline: Bool
    /// Whether an empty or blank value is refused.
    public var required: Bool

    /// A rule; the byte cap defaults to eight bytes a character.
    public init(maxCharacters: Int, maxBytes: Int? = nil, multiline: Bool = false, required: Bool = false) {
        self.maxCharacters = maxCharacters
        self.maxBytes = maxBytes ?? maxCharacters * 8
        self.multiline = multiline
        self.required = required
    }

    /// The cleaned value, or why it is refused: one-line values are trimmed with inner runs of
    /// white space collapsed to one space and must hold no control characters; multi-line
    /// values are trimmed and may hold line breaks and tabs.
    public func clean(_ raw: String) -> Result<String, ValidationFailure> {
        if isCleanASCII(raw) {
            if let failure = lengthFailure(raw, blank: false, empty: false) { return .failure(failure) }
            return .success(raw)
        }
        return cleanByScalars(raw)
    }

    /// ``clean(_:)`` scalar by scalar, looking up each one's Unicode properties.
    func cleanByScalars(_ raw: String) -> Result<String, ValidationFailure> {
        if raw.unicodeScalars.contains(where: { Self.isForbiddenControl($0, multiline: multiline) }) {
            return .failure(
                ValidationFailure(multiline ? "must not contain control characters" : "must be one line without control characters"))
        }
        let value = multiline ? raw.trimmingWhitespace() : raw.collapsingWhitespace()
        if let failure = lengthFailure(value, blank: value.isEmpty, empty: raw.isEmpty) { return .failure(failure) }
        return .success(value)
    }

    /// Whether `raw` is ASCII that cleaning leaves as it is (ids, codes, most names): printable
    /// characters, no white space at either end, and, on one line, single spaces between words
    /// and no tab (multi-line text may also hold tabs and line breaks inside). Such text needs
    /// no look-up of Unicode properties; anything else, empty text included, is cleaned scalar
    /// by scalar.
    func isCleanASCII(_ raw: String) -> Bool {
        var count = 0
        var afterSpace = true  // a space first would be trimmed
        var lastIsWhitespace = true
        for byte in raw.utf8 {
            count += 1
            switch byte {
            case 0x21...0x7E:
                afterSpace = false
                lastIsWhitespace = false
            case 0x20:
                if !multiline, afterSpace { return false }  // first, or a second one in a row
                if multiline, count == 1 { return false }
                afterSpace = true
                lastIsWhitespace = true
            case 0x09, 0x0A, 0x0D:
                if !multiline || count == 1 { return false }
                lastIsWhitespace = true
            default:
                return false  // another control character, or not ASCII
            }
        }
        return count > 0 && !lastIsWhitespace
    }

    /// Why `text`, taken as it is (not cleaned), is refused, or nil: blank when required, or
    /// too long.
    public func check(_ text: String) -> ValidationFailure? {
        lengthFailure(text, blank: Self.isBlank(text), empty: text.isEmpty)
    }

    private func lengthFailure(_ value: String, blank: Bool, empty: Bool) -> ValidationFailure? {
        if required, blank { return ValidationFailure(empty ? "is required" : "must not be blank") }
        if value.utf8.count > maxBytes {
            return ValidationFailure("must be at most \(maxBytes) bytes of UTF-8 (got \(value.utf8.count))")
        }
        let count = Self.characterCount(value, countingUpTo: maxCharacters)
        if count > maxCharacters { return ValidationFailure("must be at most \(maxCharacters) characters") }
        return nil
    }

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

    private static func isForbiddenControl(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        // Tabs are white space: kept in multi-line text, collapsed to a space in one-line values.
        if scalar == " " || scalar == "\t" { return false }
        if multiline, scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator:
            // Zero-width joiners are formats that names and emoji legitimately use.
            return !(scalar == "\u{200D}" || scalar == "\u{200C}")
        default:
            return false
        }
    }
}

extension String {
    /// Without leading and trailing white space (Unicode's definition).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }

    /// Trimmed, with every inner run of white space replaced by one space.
    public func collapsingWhitespace() -> String {
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(scalar)
            }
        }
        return String(result)
    }
}
