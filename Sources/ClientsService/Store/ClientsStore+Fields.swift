public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

/// A user field to define (CLIENT-6), validated.
public struct NewField: Sendable, Hashable {
    /// Unique code.
    public var code: String
    /// Name shown and searched.
    public var name: String
    /// Value type.
    public var type: ClientsV1.FieldType
    /// Editable from the panel.
    public var editable: Bool
    /// Dictionary options.
    public var options: [ClientsV1.FieldOption]

    /// A definition.
    public init(code: String, name: String, type: ClientsV1.FieldType, editable: Bool, options: [ClientsV1.FieldOption]) {
        self.code = code
        self.name = name
        self.type = type
        self.editable = editable
        self.options = options
    }
}

extension ClientsStore {
    /// Fields whose name or code matches `query` (case-insensitive; prefix matches first, then
    /// infix, each in definition order), with `clientID`'s values when given and the manager's pins.
    ///
    /// Field definitions number in the hundreds at most, so they are filtered in memory after
    /// one read of the table.
    public func searchFields(query: String, limit: Int, clientID: Int64?, managerID: Int64) async throws -> [ClientsV1.FieldValue] {
        try await database.read { db in
            let key = SearchKey.make(query)
            var prefix: [Row] = []
            var infix: [Row] = []
            for row in try db.rows("SELECT \(Self.fieldColumns) FROM field_definition ORDER BY position, code") {
                let nameKey: String = row["name_key"]
                let code: String = row["code"]
                if key.isEmpty || nameKey.hasPrefix(key) || code.hasPrefix(key) {
                    prefix.append(row)
                } else if nameKey.contains(key) || code.contains(key) {
                    infix.append(row)
                }
            }
            let pinned = Set(
                try db.values(String.self, "SELECT field_code FROM manager_field WHERE manager_id = ? AND pinned = 1", [managerID]))
            var client: (id: Int64, createdAt: Int64, address: ClientAddress)? = nil
            if let clientID {
                let id = try Self.resolveClient(db, clientID).id
                let row = try db.row("SELECT \(Self.clientColumns) FROM client WHERE id = ?", [id])!
                client = (id, row["created_at_ms"], Self.address(from: row))
            }
            return try (prefix + infix).prefix(limit).map { row in
                let definition = try Self.definition(db, from: row)
                var value = ""
                if let client {
                    value =
                        try Self.fieldValue(
                            db, code: definition.code, clientID: client.id, createdAtMs: client.createdAt, address: client.address) ?? ""
                }
                return Self.fieldValue(definition, value: value, pinned: pinned.contains(definition.code))
            }
        }
    }

    /// Defines a user field. `ALREADY_EXISTS` when the code is taken.
    public func createField(_ field: NewField, by mutation: Mutation) async throws -> ClientsV1.FieldDefinition {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.createField.path) { db in
            if try db.value(Int.self, "SELECT 1 FROM field_definition WHERE code = ?", [field.code]) != nil {
                throw RPCError.alreadyExists("a field with code \(field.code) exists")
            }
            let position = (try db.value(Int.self, "SELECT max(position) FROM field_definition") ?? 0) + 1
            try db.run(
                """
                INSERT INTO field_definition (code, name, name_key, type, system, editable, position, created_at_ms)
                VALUES (?, ?, ?, ?, 0, ?, ?, ?)
                """,
                [field.code, field.name, SearchKey.make(field.name), field.type.rawValue, field.editable, position, UTCMilliseconds.now()])
            for (index, option) in field.options.enumerated() {
                try db.run(
                    "INSERT INTO field_option (field_code, position, code, name) VALUES (?, ?, ?, ?)",
                    [field.code, index, option.code, option.name])
            }
            let row = try db.row("SELECT \(Self.fieldColumns) FROM field_definition WHERE code = ?", [field.code])!
            return try Self.definition(db, from: row)
        }
    }

    /// Sets (or, with an empty value, clears) a client's value of field `code`, checked against
    /// the field's type (`INVALID_ARGUMENT` on "value"). `NOT_FOUND` for an unknown field or
    /// client, `FAILED_PRECONDITION` for a read-only field. Address-backed system fields change
    /// the client's address part (never its free text, CLIENT-7).
    public func setFieldValue(clientID: Int64, code: String, value rawValue: String, by mutation: Mutation) async throws
        -> ClientsV1.FieldValue
    {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.setFieldValue.path) { db in
            guard let row = try db.row("SELECT \(Self.fieldColumns) FROM field_definition WHERE code = ?", [code]) else {
                throw RPCError.notFound("field \(code) does not exist")
            }
            let definition = try Self.definition(db, from: row)
            guard definition.editable else { throw RPCError.failedPrecondition("field \(code) is read-only") }
            let id = try Self.resolveClient(db, clientID).id
            let now = UTCMilliseconds.now()
            var value = ""
            if case .address(let part)? = SystemFields.backing(of: code) {
                switch TextRule.addressPart.clean(rawValue) {
                case .success(let cleaned): value = cleaned
                case .failure(let failure): throw RPCError.invalidArgument(field: "value", failure)
                }
                try Self.updateAddress(db, clientID: id, changes: AddressChanges(parts: [part: value]), fieldPrefix: "value.", now: now)
            } else if rawValue.trimmingWhitespace().isEmpty {
                try db.run("DELETE FROM client_field_value WHERE client_id = ? AND field_code = ?", [id, code])
                try db.run("UPDATE client SET updated_at_ms = ? WHERE id = ?", [now, id])
            } else {
                switch FieldValueRules.normalize(rawValue, type: definition.type, options: definition.options) {
                case .success(let normalized): value = normalized
                case .failure(let failure): throw RPCError.invalidArgument(field: "value", failure)
                }
                try db.run(
                    """
                    INSERT INTO client_field_value (client_id, field_code, value) VALUES (?, ?, ?)
                    ON CONFLICT (client_id, field_code) DO UPDATE SET value = excluded.value
                    """, [id, code, value])
                try db.run("UPDATE client SET updated_at_ms = ? WHERE id = ?", [now, id])
            }
            let pinned = try db.value(
                Bool.self, "SELECT pinned FROM manager_field WHERE manager_id = ? AND field_code = ?", [mutation.managerID, code])
            return Self.fieldValue(definition, value: value, pinned: pinned ?? false)
        }
    }

    /// The manager's field order and pins.
    public func fieldLayout(managerID: Int64) async throws -> ClientsV1.FieldLayout {
        try await database.read { db in try Self.fieldLayout(db, managerID: managerID) }
    }

    /// Puts the manager's fields in the order of `codes` (each an existing field, at most once);
    /// fields placed before and not listed follow in their old order. `INVALID_ARGUMENT` on
    /// `codes[i]` for an unknown field.
    public func reorderFields(_ codes: [String], by mutation: Mutation) async throws -> ClientsV1.FieldLayout {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.reorderFields.path) { db in
            var violations = FieldViolations()
            for (index, code) in codes.enumerated()
            where try db.value(Int.self, "SELECT 1 FROM field_definition WHERE code = ?", [code]) == nil {
                violations.add(field: "codes[\(index)]", "no field has the code \(code)")
            }
            try violations.throwIfAny()
            let earlier = try db.values(
                String.self, "SELECT field_code FROM manager_field WHERE manager_id = ? ORDER BY position", [mutation.managerID])
            let order = codes + earlier.filter { !codes.contains($0) }
            for (position, code) in order.enumerated() {
                try db.run(
                    """
                    INSERT INTO manager_field (manager_id, field_code, position, pinned) VALUES (?, ?, ?, 0)
                    ON CONFLICT (manager_id, field_code) DO UPDATE SET position = excluded.position
                    """, [mutation.managerID, code, position])
            }
            return try Self.fieldLayout(db, managerID: mutation.managerID)
        }
    }

    /// Pins or unpins field `code` for the manager (a newly placed field goes last). `NOT_FOUND`
    /// for an unknown field.
    public func pinField(_ code: String, pinned: Bool, by mutation: Mutation) async throws -> ClientsV1.FieldLayout {
        try await database.idempotentWrite(requestID: mutation.requestID, method: ClientsV1.Clients.pinField.path) { db in
            guard try db.value(Int.self, "SELECT 1 FROM field_definition WHERE code = ?", [code]) != nil else {
                throw RPCError.notFound("field \(code) does not exist")
            }
            let next =
                (try db.value(Int.self, "SELECT max(position) FROM manager_field WHERE manager_id = ?", [mutation.managerID]) ?? -1) + 1
            try db.run(
                """
                INSERT INTO manager_field (manager_id, field_code, position, pinned) VALUES (?, ?, ?, ?)
                ON CONFLICT (manager_id, field_code) DO UPDATE SET pinned = excluded.pinned
                """, [mutation.managerID, code, next, pinned])
            return try Self.fieldLayout(db, managerID: mutation.managerID)
        }
    }

    // MARK: - Shared with the card

    /// The columns of `field_definition` the loaders read.
    static let fieldColumns = "code, name, name_key, type, system, editable, position"

    /// A definition row with its options.
    static func definition(_ db: Database, from row: Row) throws -> ClientsV1.FieldDefinition {
        var definition = ClientsV1.FieldDefinition()
        definition.code = row["code"]
        definition.name = row["name"]
        definition.type = ClientsV1.FieldType(rawValue: row["type"])
        definition.system = row["system"]
        definition.editable = row["editable"]
        if definition.type == .dictionary {
            definition.options = try db.rows(
                "SELECT code, name FROM field_option WHERE field_code = ? ORDER BY position", [definition.code]
            ).map {
                var option = ClientsV1.FieldOption()
                option.code = $0["code"]
                option.name = $0["name"]
                return option
            }
        }
        return definition
    }

    /// A field with its value, as the panel shows it.
    static func fieldValue(_ definition: ClientsV1.FieldDefinition, value: String, pinned: Bool) -> ClientsV1.FieldValue {
        var field = ClientsV1.FieldValue()
        field.definition = definition
        field.value = value
        field.displayValue = FieldValueRules.displayValue(value, type: definition.type, options: definition.options)
        field.pinned = pinned
        return field
    }

    /// The value of field `code` for a client: from the record for system-backed fields, else stored.
    static func fieldValue(_ db: Database, code: String, clientID: Int64, createdAtMs: Int64, address: ClientAddress) throws -> String? {
        switch SystemFields.backing(of: code) {
        case .address(let part)?:
            return address[part]
        case .createdAt?:
            return Self.utcDate(milliseconds: createdAtMs)
        case nil:
            return try db.value(
                String.self, "SELECT value FROM client_field_value WHERE client_id = ? AND field_code = ?", [clientID, code])
        }
    }

    /// The card's fields: the manager's pinned fields in their order, then the other fields the
    /// client has a stored value for (the manager's order first, then the definition order).
    static func cardFields(_ db: Database, client: ClientsV1.Client, managerID: Int64) throws -> [ClientsV1.FieldValue] {
        let clientRow = try db.row("SELECT \(clientColumns) FROM client WHERE id = ?", [client.clientID])!
        let address = address(from: clientRow)
        var fields: [ClientsV1.FieldValue] = []
        var shown: Set<String> = []
        let pinnedRows = try db.rows(
            """
            SELECT d.code, d.name, d.name_key, d.type, d.system, d.editable, d.position
            FROM manager_field m JOIN field_definition d ON d.code = m.field_code
            WHERE m.manager_id = ? AND m.pinned = 1
            ORDER BY m.position, d.position
            """, [managerID])
        for row in pinnedRows {
            let definition = try definition(db, from: row)
            let value =
                try fieldValue(db, code: definition.code, clientID: client.clientID, createdAtMs: client.createdAtMs, address: address)
                ?? ""
            fields.append(fieldValue(definition, value: value, pinned: true))
            shown.insert(definition.code)
        }
        let valueRows = try db.rows(
            """
            SELECT d.code, d.name, d.name_key, d.type, d.system, d.editable, d.position, v.value
            FROM client_field_value v
            JOIN field_definition d ON d.code = v.field_code
            LEFT JOIN manager_field m ON m.manager_id = ? AND m.field_code = v.field_code
            WHERE v.client_id = ?
            ORDER BY m.position IS NULL, m.position, d.position
            """, [managerID, client.clientID])
        for row in valueRows {
            let code: String = row["code"]
            guard !shown.contains(code) else { continue }
            fields.append(fieldValue(try definition(db, from: row), value: row["value"], pinned: false))
        }
        return fields
    }

    /// The manager's layout, inside a transaction.
    static func fieldLayout(_ db: Database, managerID: Int64) throws -> ClientsV1.FieldLayout {
        var layout = ClientsV1.FieldLayout()
        for row in try db.rows("SELECT field_code, pinned FROM manager_field WHERE manager_id = ? ORDER BY position", [managerID]) {
            let code: String = row["field_code"]
            layout.orderedCodes.append(code)
            if row["pinned"] as Bool { layout.pinnedCodes.append(code) }
        }
        return layout
    }

    /// "YYYY-MM-DD" of a UTC millisecond time.
    static func utcDate(milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }
}
