import ChatPanelProto
import ChatPanelStore
import Foundation
import GRDB

/// The system fields that come with the CRM (CLIENT-6). Some are backed by the client record
/// itself rather than by stored values: the five address parts that exist before an address
/// is split (CLIENT-7: "bring the field up in search to fill it") and the read-only creation date.
///
/// The list installed by migration `clients.0001.initial` is frozen; new system fields come in new migrations.
public enum SystemFields {
    /// Where a system field's value lives.
    enum Backing: Sendable {
        /// A column of the client's address.
        case address(AddressPart)
        /// The client's creation date, read-only.
        case createdAt
    }

    /// The address-backed fields' codes.
    static let addressCodes: [String: AddressPart] = [
        "address.postal_code": .postalCode, "address.city": .city, "address.country": .country,
        "address.region": .region, "address.metro": .metro,
    ]

    /// Where the value of the field `code` lives, when not in `client_field_value`.
    static func backing(of code: String) -> Backing? {
        if let part = addressCodes[code] { return .address(part) }
        if code == "created_at" { return .createdAt }
        return nil
    }

    /// The SQL that installs the v1 system fields (run by migration `clients.0001.initial`
    /// only): literal INSERTs, so the migration's fingerprint covers the list.
    static var installSQL: String {
        let fields: [(code: String, name: String, type: ClientsV1.FieldType, editable: Bool)] = [
            ("address.postal_code", "Почтовый индекс", .string, true),
            ("address.city", "Город", .string, true),
            ("address.country", "Страна", .string, true),
            ("address.region", "Регион", .string, true),
            ("address.metro", "Метро", .string, true),
            ("birthday", "Дата рождения", .date, true),
            ("sex", "Пол", .dictionary, true),
            ("created_at", "Дата создания", .date, false),
        ]
        func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var sql = ""
        for (position, field) in fields.enumerated() {
            sql += """
                INSERT INTO field_definition (code, name, name_key, type, system, editable, position, created_at_ms) \
                VALUES (\(literal(field.code)), \(literal(field.name)), \(literal(SearchKey.make(field.name))), \
                \(field.type.rawValue), 1, \(field.editable ? 1 : 0), \(position + 1), 0);

                """
        }
        for (position, option) in [("male", "Мужской"), ("female", "Женский")].enumerated() {
            sql +=
                "INSERT INTO field_option (field_code, position, code, name) VALUES ('sex', \(position), \(literal(option.0)), \(literal(option.1)));\n"
        }
        return sql
    }
}
