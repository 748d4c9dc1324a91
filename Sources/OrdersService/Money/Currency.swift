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

    /// `amount` minor units of `currency` as people read it in Russian: "12 990,00 ₽", "1 500 ¥",
    /// "1,250 KWD" (thousands grouped with no-break spaces, a decimal comma).
    public static func format(_ amount: Int64, _ currency: String) -> String {
        let digits = minorUnits[currency] ?? 2
        var divisor: UInt64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let magnitude = amount.magnitude
        // Written as UTF-8 bytes and made a string once: a panel shows some twenty amounts, and
        // appending characters one by one cost about 2 000 instructions each.
        var text: [UInt8] = []
        text.reserveCapacity(40)
        if amount < 0 { text.append(UInt8(ascii: "-")) }
        let whole = Array(String(magnitude / divisor).utf8)
        for (index, digit) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { text.append(contentsOf: noBreakSpace) }
            text.append(digit)
        }
        if digits > 0 {
            let fraction = Array(String(magnitude % divisor).utf8)
            text.append(UInt8(ascii: ","))
            text.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits - fraction.count))
            text.append(contentsOf: fraction)
        }
        text.append(contentsOf: noBreakSpace)
        text.append(contentsOf: (symbols[currency] ?? currency).utf8)
        return String(decoding: text, as: UTF8.self)
    }

    /// U+00A0 NO-BREAK SPACE in UTF-8.
    private static let noBreakSpace: [UInt8] = [0xC2, 0xA0]

    /// The wire form of an amount.
    public static func money(_ amount: Int64, _ currency: String) -> OrdersV1.Money {
        var money = OrdersV1.Money()
        money.amountMinor = amount
        money.currency = currency
        money.text = format(amount, currency)
        return money
    }
}
