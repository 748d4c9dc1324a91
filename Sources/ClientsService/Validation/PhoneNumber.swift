public import ChatPanelRPC
/// A phone number as entered and in its normalized form: digits only, with the country code.
///
/// Normalization assumes Russia when no country code is given, as the CRM's users do:
/// `8 (912) 345-67-89` and `912 345 67 89` both become `79123456789`. A leading `+` or `00`
/// means the digits already start with a country code. Duplicates are matched on the
/// normalized form.
public struct PhoneNumber: Sendable, Hashable {
    /// As entered, trimmed and with inner spaces collapsed (what the panel shows).
    public let entered: String
    /// Digits with the country code, like `79123456789`.
    public let normalized: String

    /// The longest accepted input, in bytes.
    public static let maxEnteredBytes = 40

    /// Parses and normalizes `raw`, or says why it is not a phone number.
    public static func parse(_ raw: String) -> Result<PhoneNumber, ValidationFailure> {
        let entered = raw.collapsingWhitespace()
        if entered.isEmpty { return .failure(ValidationFailure("must not be empty")) }
        if entered.utf8.count > maxEnteredBytes {
            return .failure(ValidationFailure("must be at most \(maxEnteredBytes) bytes"))
        }
        var digits = ""
        var hasPlus = false
        for (offset, character) in entered.enumerated() {
            switch character {
            case "0"..."9":
                digits.append(character)
            case "+" where offset == 0:
                hasPlus = true
            case " ", "-", "(", ")", ".":
                continue
            default:
                return .failure(ValidationFailure("may contain only digits, spaces and + ( ) - . (got \"\(character)\")"))
            }
        }
        var international = hasPlus
        if !hasPlus, digits.hasPrefix("00") {
            digits.removeFirst(2)
            international = true
        }
        if !international {
            if digits.count == 11, digits.hasPrefix("8") {
                digits = "7" + digits.dropFirst()
            } else if digits.count == 10 {
                digits = "7" + digits
            }
        }
        guard digits.count >= 10 else {
            return .failure(ValidationFailure("is too short: give the full number with its area code"))
        }
        guard digits.count <= 15 else {
            return .failure(ValidationFailure("is too long: a phone number has at most 15 digits"))
        }
        if digits.hasPrefix("7"), digits.count != 11 {
            return .failure(ValidationFailure("a Russian number has 11 digits with the 7 (got \(digits.count))"))
        }
        return .success(PhoneNumber(entered: entered, normalized: digits))
    }

    /// A number built from stored columns.
    init(entered: String, normalized: String) {
        self.entered = entered
        self.normalized = normalized
    }
}
