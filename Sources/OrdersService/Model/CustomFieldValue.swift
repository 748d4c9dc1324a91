import ChatPanelProto
import ChatPanelRPC
import Foundation

/// A custom order field's value read from what a manager typed: each type's accepted inputs and
/// the canonical text form stored (the clients' custom fields read values the same way).
enum CustomFieldValue {
    private static let line = TextRule(maxCharacters: 255)
    private static let text = TextRule(maxCharacters: 10_000, multiline: true)

    /// The canonical form of a non-empty `raw` value of `field`, or what is wrong with it.
    static func normalize(_ raw: String, for field: OrdersConfiguration.CustomField) -> Result<String, ValidationFailure> {
        let value = raw.trimmingWhitespace()
        switch field.fieldType {
        case .string: return line.clean(raw)
        case .text: return text.clean(raw)
        case .integer:
            return Int64(value).map { .success(String($0)) } ?? .failure(ValidationFailure("must be a whole number like 42"))
        case .decimal: return decimal(value)
        case .boolean:
            if ["true", "yes", "да", "1"].contains(value.lowercased()) { return .success("true") }
            if ["false", "no", "нет", "0"].contains(value.lowercased()) { return .success("false") }
            return .failure(ValidationFailure("must be true or false"))
        case .date:
            let dotted = value.split(separator: ".")
            let iso = dotted.count == 3 ? "\(dotted[2])-\(dotted[1])-\(dotted[0])" : value
            return CalendarDate(iso).map { .success($0.text) } ?? .failure(ValidationFailure("must be a date like 2024-03-31"))
        case .email:
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), value.utf8.count <= 255,
                !value.contains(where: \.isWhitespace)
            else { return .failure(ValidationFailure("must be an email address like name@example.com")) }
            return .success(value.lowercased())
        case .dictionary:
            if let option = field.options.first(where: { $0.code == value || $0.name.lowercased() == value.lowercased() }) {
                return .success(option.code)
            }
            return .failure(ValidationFailure("must be one of \(field.options.map(\.code).joined(separator: ", "))"))
        case .unspecified, .unrecognized:
            return .failure(ValidationFailure("the field has no known type"))
        }
    }

    /// What people see: a dictionary option's name, else the value.
    static func display(_ value: String, for field: OrdersConfiguration.CustomField) -> String {
        field.options.first { $0.code == value }?.name ?? value
    }

    /// A decimal with a dot: an optional minus, digits, an optional fraction; at most 18 digits.
    private static func decimal(_ value: String) -> Result<String, ValidationFailure> {
        let normalized = value.replacingOccurrences(of: ",", with: ".")
        let negative = normalized.hasPrefix("-")
        let digits = negative ? String(normalized.dropFirst()) : normalized
        let halves = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let whole = halves.first, !whole.isEmpty,
            halves.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return .failure(ValidationFailure("must be a number like 12.50")) }
        guard halves.joined().count <= 18 else { return .failure(ValidationFailure("must have at most 18 digits")) }
        let leading = whole.drop { $0 == "0" }
        let canonical = (leading.isEmpty ? "0" : String(leading)) + (halves.count == 2 ? "." + halves[1] : "")
        return .success((negative ? "-" : "") + canonical)
    }
}
