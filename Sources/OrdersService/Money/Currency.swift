public import ChatPanelProto

/// ISO 4217 currencies the catalog accepts, with their minor units and how amounts are shown.
///
/// The table is our own: Foundation on Linux reports two fraction digits for RUB, JPY and KWD
/// alike (ICU formats them with 2, 0 and 3).
public enum Currency {
    /// Minor-unit digits by ISO 4217 code.
    static let minorUnits: [String: Int] = [
        "RUB": 2, "USD": 2, "EUR": 2, "GBP": 2, "CNY": 2, "KZT": 2, "BYN": 2, "UAH": 2, "UZS": 2, "KGS": 2, "AMD": 2,
        "AZN": 2, "GEL": 2, "MDL": 2, "TJS": 2, "TMT": 2, "TRY": 2, "INR": 2, "CHF": 2, "CAD": 2, "AUD": 2, "NZD": 2,
        "PLN": 2, "CZK": 2, "SEK": 2, "NOK": 2, "DKK": 2, "HUF": 2, "RON": 2, "BGN": 2, "RSD": 2, "AED": 2, "ILS": 2,
        "HKD": 2, "SGD": 2, "MXN": 2, "BRL": 2, "ZAR": 2, "THB": 2, "MNT": 2,
        "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "PYG": 0, "UGX": 0,
        "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
    ]

    /// Signs shown after the amount; other currencies show their code.
    static let symbols: [String: String] = [
        "RUB": "₽", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "KZT": "₸", "UAH": "₴", "BYN": "Br",
    ]

    /// Whether `code` is a currency of the table.
    public static func isKnown(_ code: String) -> Bool { minorUnits[code] != nil }

    /// Each currency of the table's minor digits and the text shown after its amounts: one
    /// look-up a formatted amount.
    private static let styles: [String: (digits: Int, suffix: String)] = Dictionary(
        uniqueKeysWithValues: minorUnits.map { ($0.key, ($0.value, symbols[$0.key] ?? $0.key)) })

    /// `amount` minor units of `currency` as people read it in Russian: "12 990,00 ₽", "1 500 ¥",
    /// "1,250 KWD" (thousands grouped with no-break spaces, a decimal comma).
    public static func format(_ amount: Int64, _ currency: String) -> String {
        let style = styles[currency]
        let digits = style?.digits ?? 2
        let suffix = style?.suffix ?? currency
        // Written backwards as UTF-8 bytes into a buffer on the stack and made a string once:
        // a panel shows some twenty amounts, and building them from strings and arrays cost
        // about 3 500 instructions each. The number ends at `numberEnd`: 20 digits, 6 group
        // separators of 2 bytes, a comma and a sign fit before it.
        let numberEnd = 40
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: numberEnd + 2 + suffix.utf8.count) { buffer in
            var magnitude = amount.magnitude
            var start = numberEnd
            func prepend(_ byte: UInt8) {
                start -= 1
                buffer[start] = byte
            }
            if digits > 0 {
                for _ in 0..<digits {
                    prepend(UInt8(ascii: "0") + UInt8(magnitude % 10))
                    magnitude /= 10
                }
                prepend(UInt8(ascii: ","))
            }
            var written = 0
            repeat {
                if written > 0 && written % 3 == 0 {
                    prepend(noBreakSpace.1)
                    prepend(noBreakSpace.0)
                }
                prepend(UInt8(ascii: "0") + UInt8(magnitude % 10))
                magnitude /= 10
                written += 1
            } while magnitude > 0
            if amount < 0 { prepend(UInt8(ascii: "-")) }
            var end = numberEnd
            buffer[end] = noBreakSpace.0
            buffer[end + 1] = noBreakSpace.1
            end += 2
            for byte in suffix.utf8 {
                buffer[end] = byte
                end += 1
            }
            return String(decoding: UnsafeMutableBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        }
    }

    /// U+00A0 NO-BREAK SPACE in UTF-8.
    private static let noBreakSpace: (UInt8, UInt8) = (0xC2, 0xA0)

    /// The wire form of an amount.
    public static func money(_ amount: Int64, _ currency: String) -> OrdersV1.Money {
        var money = OrdersV1.Money()
        money.amountMinor = amount
        money.currency = currency
        money.text = format(amount, currency)
        return money
    }
}
