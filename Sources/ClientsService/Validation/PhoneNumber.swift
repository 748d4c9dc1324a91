import CPhoneNumber
public import ChatPanelRPC

/// A phone number as entered and in its E.164 form, read by libphonenumber.
///
/// A number with `+` and its country code is read as such; one without is read as dialled in
/// the shop's region (``ClientsConfiguration/phoneRegion``): in "RU", `8 (912) 345-67-89` and
/// `912 345 67 89` are both +7 912 345-67-89, while in "US" `202 555 0123` is +1 202-555-0123.
/// Nothing is guessed beyond what libphonenumber's metadata says: a number it does not hold
/// valid for its country is refused. Duplicates are matched on the E.164 form.
///
/// This is the one type that calls the `CPhoneNumber` shim.
public struct PhoneNumber: Sendable, Hashable {
    /// As entered, trimmed and with inner spaces collapsed (what the panel shows).
    public let entered: String
    /// The E.164 form without its `+`: country code and national number, like `79123456789`
    /// (the stored and compared form).
    public let normalized: String

    /// The E.164 form, like `+79123456789`.
    public var e164: String { "+" + normalized }

    /// The longest accepted input, in bytes.
    public static let maxEnteredBytes = 40

    /// Separators people type between digits (ASCII and their full-width forms).
    private static let separators: Set<Unicode.Scalar> = [" ", "-", "(", ")", ".", "\u{FF0D}", "\u{FF08}", "\u{FF09}", "\u{FF0E}"]
    /// The plus sign, ASCII or full-width; only first.
    private static let plusSigns: Set<Unicode.Scalar> = ["+", "\u{FF0B}"]

    /// Parses and normalizes `raw`, a number without `+` being read as dialled in `region` (a
    /// CLDR region code like "RU"), or says why it is not a phone number.
    ///
    /// Digits of any script (Arabic-Indic, full-width, …) are read as libphonenumber reads them;
    /// letters are refused (libphonenumber would read "ABC" as a keypad's 222).
    public static func parse(_ raw: String, region: String) -> Result<PhoneNumber, ValidationFailure> {
        let entered = raw.collapsingWhitespace()
        if entered.isEmpty { return .failure(ValidationFailure("must not be empty")) }
        if entered.utf8.count > maxEnteredBytes {
            return .failure(ValidationFailure("must be at most \(maxEnteredBytes) bytes"))
        }
        for (offset, scalar) in entered.unicodeScalars.enumerated() {
            if scalar.properties.numericType == .decimal || separators.contains(scalar) { continue }
            if plusSigns.contains(scalar), offset == 0 { continue }
            return .failure(ValidationFailure("may contain only digits, spaces and + ( ) - . (got \"\(scalar)\")"))
        }
        switch normalize(entered, region: region) {
        case .success(let e164): return .success(PhoneNumber(entered: entered, normalized: String(e164.dropFirst())))
        case .failure(let failure): return .failure(failure)
        }
    }

    /// Whether libphonenumber knows region `code` (upper case, like "RU" or "US").
    public static func isSupportedRegion(_ code: String) -> Bool {
        cp_is_supported_region(code) == 1
    }

    /// A number built from stored columns.
    init(entered: String, normalized: String) {
        self.entered = entered
        self.normalized = normalized
    }

    /// The E.164 form of `text` by libphonenumber, or why it is refused.
    private static func normalize(_ text: String, region: String) -> Result<String, ValidationFailure> {
        // E.164 has at most 15 digits: "+", 15 digits and the NUL fit.
        var buffer = [CChar](repeating: 0, count: 32)
        let status = cp_normalize(text, region, &buffer, buffer.count)
        let message: String
        switch cp_status(rawValue: UInt32(bitPattern: status)) {
        case CP_OK:
            return .success(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        case CP_INVALID_COUNTRY_CODE:
            message = "has no valid country code: after + give the country code, like +7 912 345-67-89"
        case CP_TOO_SHORT, CP_TOO_SHORT_AFTER_IDD:
            message = "is too short: give the full number with its area code"
        case CP_TOO_LONG:
            message = "is too long for a number of its country"
        case CP_INVALID_LENGTH:
            message = "has a length no number of its country has"
        case CP_NOT_VALID:
            message = "is not a valid number of its country"
        case CP_INVALID_REGION:
            message = "cannot be read: the shop's phone region \"\(region)\" is unknown"
        default:
            message = "is not a phone number"
        }
        return .failure(ValidationFailure(message))
    }
}
