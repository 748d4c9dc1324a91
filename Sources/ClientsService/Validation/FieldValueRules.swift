public import ChatPanelProto
public import ChatPanelRPC
import Foundation

/// Custom field codes and values (CLIENT-6): each type's accepted inputs and the canonical
/// text form values are stored in.
public enum FieldValueRules {
    /// A field code: 1…64 bytes of `[a-z0-9_]`, starting with a letter. (System fields also use
    /// dots, like `address.city`; user fields cannot.)
    public static func code(_ raw: String) -> Result<String, ValidationFailure> {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty else { return .failure(ValidationFailure("must not be empty")) }
        guard value.utf8.count <= 64 else { return .failure(ValidationFailure("must be at most 64 bytes")) }
        guard let first = value.unicodeScalars.first, ("a"..."z").contains(first) else {
            return .failure(ValidationFailure("must start with a lower-case Latin letter"))
        }
        guard value.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            return .failure(ValidationFailure("may contain only a-z, 0-9 and _"))
        }
        return .success(value)
    }

    /// The canonical form of a non-empty `raw` value of a field of `type`.
    ///
    /// Integers: optional minus and digits, within 64 bits. Decimals: a dot or comma, at most 18
    /// digits ("12,5" becomes "12.5"). Booleans: true/false, yes/no, да/нет, 1/0 become
    /// "true"/"false". Dates: YYYY-MM-DD or DD.MM.YYYY, a real calendar date, become
    /// YYYY-MM-DD. Emails as for clients. Dictionaries: an option's code, or its name in any case.
    public static func normalize(
        _ raw: String, type: ClientsV1.FieldType, options: [ClientsV1.FieldOption]
    ) -> Result<String, ValidationFailure> {
        switch type {
        case .string:
            return TextRule.fieldString.clean(raw)
        case .text:
            return TextRule.fieldText.clean(raw)
        case .integer:
            let value = raw.trimmingWhitespace()
            guard let number = Int64(value) else { return .failure(ValidationFailure("must be a whole number like 42")) }
            return .success(String(number))
        case .decimal:
            return decimal(raw.trimmingWhitespace())
        case .boolean:
            switch raw.trimmingWhitespace().lowercased() {
            case "true", "yes", "да", "1": return .success("true")
            case "false", "no", "нет", "0": return .success("false")
            default: return .failure(ValidationFailure("must be true or false"))
            }
        case .date:
            return date(raw.trimmingWhitespace())
        case .email:
            return EmailAddress.normalize(raw)
        case .dictionary:
            let value = raw.trimmingWhitespace()
            if let option = options.first(where: { $0.code == value }) { return .success(option.code) }
            let key = SearchKey.make(value)
            if let option = options.first(where: { SearchKey.make($0.name) == key }) { return .success(option.code) }
            let known = options.prefix(10).map(\.code).joined(separator: ", ")
            return .failure(ValidationFailure("must be one of the field's options (\(known))"))
        case .unspecified, .unrecognized:
            return .failure(ValidationFailure("the field has no known type"))
        }
    }

    /// What people see for a stored value: a dictionary option's name, else the value.
    public static func displayValue(_ value: String, type: ClientsV1.FieldType, options: [ClientsV1.FieldOption]) -> String {
        if type == .dictionary, let option = options.first(where: { $0.code == value }) { return option.name }
        return value
    }

    private static func decimal(_ value: String) -> Result<String, ValidationFailure> {
        let failure = ValidationFailure("must be a number like 12.50")
        var text = value.replacingOccurrences(of: ",", with: ".")
        var sign = ""
        if text.hasPrefix("-") {
            sign = "-"
            text.removeFirst()
        }
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = pieces.first, !whole.isEmpty else { return .failure(failure) }
        let fraction = pieces.count == 2 ? pieces[1] : ""
        if pieces.count == 2, fraction.isEmpty { return .failure(failure) }
        guard (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return .failure(failure) }
        guard whole.count + fraction.count <= 18 else { return .failure(ValidationFailure("must have at most 18 digits")) }
        let trimmedWhole = whole.drop(while: { $0 == "0" })
        let canonicalWhole = trimmedWhole.isEmpty ? "0" : String(trimmedWhole)
        return .success(sign + canonicalWhole + (fraction.isEmpty ? "" : "." + fraction))
    }

    private static func date(_ value: String) -> Result<String, ValidationFailure> {
        let failure = ValidationFailure("must be a date like 2024-03-31")
        let numbers: [Int]
        if value.contains("-") {
            let parts = value.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else { return .failure(failure) }
            numbers = parts.compactMap { Int($0) }
        } else if value.contains(".") {
            let parts = value.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4 else { return .failure(failure) }
            numbers = [parts[2], parts[1], parts[0]].compactMap { Int($0) }
        } else {
            return .failure(failure)
        }
        guard numbers.count == 3 else { return .failure(failure) }
        let (year, month, day) = (numbers[0], numbers[1], numbers[2])
        guard (1...9999).contains(year), (1...12).contains(month) else { return .failure(failure) }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return .failure(ValidationFailure("is not a calendar date")) }
        return .success(String(format: "%04d-%02d-%02d", year, month, day))
    }
}
