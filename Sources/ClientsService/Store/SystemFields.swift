import ChatPanelProto
import ChatPanelStore
import GRDB

/// The system fields that come with the CRM (CLIENT-6). Some are backed by the client record
/// itself rather than by stored values: the five address parts that exist before an address
/// is split (CLIENT-7: "bring the field up in search to fill it") and the read-only creation date.
///
/// The list installed by migration `clients.v1` is frozen; new system fields come in new migrations.
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

    /// Installs the v1 system fields (called by the `clients.v1` migration only).
    static func install(_ db: Database) throws {
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
        for (position, field) in fields.enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO field_definition (code, name, name_key, type, system, editable, position, created_at_ms)
                    VALUES (?, ?, ?, ?, 1, ?, ?, 0)
                    """,
                arguments: [field.code, field.name, SearchKey.make(field.name), field.type.rawValue, field.editable, position + 1])
        }
        for (position, option) in [("male", "Мужской"), ("female", "Женский")].enumerated() {
            try db.execute(
                sql: "INSERT INTO field_option (field_code, position, code, name) VALUES ('sex', ?, ?, ?)",
                arguments: [position, option.0, option.1])
        }
    }
}
