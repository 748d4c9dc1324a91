/// How a request string is cleaned and checked: trimmed, limited in UTF-8 bytes, and (for
/// one-line values) free of line breaks and control characters, with inner runs of spaces
/// collapsed to one.
///
/// The RPC runtime already refuses invalid UTF-8 and U+0000, so only shape and length are
/// checked here.
public struct TextRule: Sendable, Hashable {
    /// The longest value in UTF-8 bytes.
    public var maxBytes: Int
    /// Whether line breaks and tabs are allowed.
    public var multiline: Bool
    /// Whether an empty value (after trimming) is refused.
    public var required: Bool

    /// A rule.
    public init(maxBytes: Int, multiline: Bool = false, required: Bool = false) {
        self.maxBytes = maxBytes
        self.multiline = multiline
        self.required = required
    }

    /// First name, last name, patronymic.
    public static let personName = TextRule(maxBytes: 200)
    /// A free-text address.
    public static let addressText = TextRule(maxBytes: 1000)
    /// One part of an address (city, street, …).
    public static let addressPart = TextRule(maxBytes: 200)
    /// A tag name.
    public static let tagName = TextRule(maxBytes: 100, required: true)
    /// A search query (tags, fields).
    public static let query = TextRule(maxBytes: 100)
    /// A dialog id from the chat system.
    public static let dialogID = TextRule(maxBytes: 128, required: true)
    /// A channel name.
    public static let channel = TextRule(maxBytes: 64, required: true)
    /// A contact's login or display name on a channel.
    public static let contactText = TextRule(maxBytes: 255)
    /// A custom field's name.
    public static let fieldName = TextRule(maxBytes: 100, required: true)
    /// A STRING custom field value.
    public static let fieldString = TextRule(maxBytes: 255)
    /// A TEXT custom field value.
    public static let fieldText = TextRule(maxBytes: 10_000, multiline: true)
    /// A product search query taken from a message fragment.
    public static let productQuery = TextRule(maxBytes: 255, required: true)

    /// The cleaned value, or why it is refused.
    public func clean(_ raw: String) -> Result<String, ValidationFailure> {
        let value: String
        if multiline {
            if raw.unicodeScalars.contains(where: { Self.isForbiddenControl($0, multiline: true) }) {
                return .failure(ValidationFailure("must not contain control characters"))
            }
            value = raw.trimmingWhitespace()
        } else {
            if raw.unicodeScalars.contains(where: { Self.isForbiddenControl($0, multiline: false) }) {
                return .failure(ValidationFailure("must be one line without control characters"))
            }
            value = raw.collapsingWhitespace()
        }
        if required, value.isEmpty {
            return .failure(ValidationFailure("must not be empty"))
        }
        if value.utf8.count > maxBytes {
            return .failure(ValidationFailure("must be at most \(maxBytes) bytes of UTF-8 (got \(value.utf8.count))"))
        }
        return .success(value)
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
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }

    /// Trimmed, with every inner run of white space replaced by one space.
    func collapsingWhitespace() -> String {
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
