public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
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
    /// one read of the table; the page's options and the client's values are read in one
    /// statement each, however many fields match.
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
            let page = Array((prefix + infix).prefix(limit))
            let definitions = try Self.definitions(db, from: page)
            let pinned = Set(
                try db.values(String.self, "SELECT field_code FROM manager_field WHERE manager_id = ? AND pinned = 1", [managerID]))
            var values: [String: String] = [:]
            if let clientID {
                let id = try Self.resolveClient(db, clientID).id
                let row = try db.row(Self.clientRowSQL, [id])!
                values = try Self.fieldValues(db, clientID: id, createdAtMs: row["created_at_ms"], address: Self.address(from: row))
            }
            return definitions.map { definition in
                Self.fieldValue(definition, value: values[definition.code] ?? "", pinned: pinned.contains(definition.code))
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
                [field.code, field.name, SearchKey.make(field.name), field.type.rawValue, field.editable, position, self.now()])
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
            let now = self.now()
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
            try db.recordChanges([.client], clientID: id, at: now)
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

    /// The columns of `field_definition` the loaders read (a row is read by position: `code`
    /// first, `editable` sixth; a card's rows add the value eighth).
    static let fieldColumns = "code, name, name_key, type, system, editable, position"

    /// A definition row with its options.
    static func definition(_ db: Database, from row: Row) throws -> ClientsV1.FieldDefinition {
        try definitions(db, from: [row])[0]
    }

    /// Definition rows with their options, in order; the options of every dictionary field
    /// among them are read in one statement.
    static func definitions(_ db: Database, from rows: [some PositionalValues]) throws -> [ClientsV1.FieldDefinition] {
        var definitions = rows.map { row in
            var definition = ClientsV1.FieldDefinition()
            definition.code = row[0]
            definition.name = row[1]
            definition.type = ClientsV1.FieldType(rawValue: row[3])
            definition.system = row[4]
            definition.editable = row[5]
            return definition
        }
        let dictionaries = Array(Set(definitions.filter { $0.type == .dictionary }.map(\.code)))
        guard !dictionaries.isEmpty else { return definitions }
        var options: [String: [ClientsV1.FieldOption]] = [:]
        for row in try db.positionalRows(
            sql: """
            SELECT o.field_code, o.code, o.name FROM json_each(?) j JOIN field_option o ON o.field_code = j.value
            ORDER BY o.field_code, o.position
            """, [JSONList.strings(dictionaries)])
        {
            var option = ClientsV1.FieldOption()
            option.code = row[1]
            option.name = row[2]
            options[row[0], default: []].append(option)
        }
        for index in definitions.indices where definitions[index].type == .dictionary {
            definitions[index].options = options[definitions[index].code] ?? []
        }
        return definitions
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

    /// Every value a client has, by field code, in one statement: stored values, and the ones
    /// system-backed fields take from the record (address parts, creation date).
    static func fieldValues(_ db: Database, clientID: Int64, createdAtMs: Int64, address: ClientAddress) throws -> [String: String] {
        var values: [String: String] = [:]
        for row in try db.rows("SELECT field_code, value FROM client_field_value WHERE client_id = ?", [clientID]) {
            values[row["field_code"]] = row["value"]
        }
        for (code, part) in SystemFields.addressCodes { values[code] = address[part] }
        values["created_at"] = UTCDate.string(milliseconds: createdAtMs)
        return values
    }

    /// The card's fields: the manager's pinned fields in their order, then the other fields the
    /// client has a stored value for (the manager's order first, then the catalog's order).
    ///
    /// One statement reads the client's stored values with the field catalog's version; the
    /// definitions, their options and the manager's order and pins come from `cache` when it
    /// holds that version, and else from the catalog tables (three statements however many
    /// fields there are), offered to `cache` by a read-only transaction.
    static func cardFields(
        _ db: Database, client: ClientsV1.Client, address: ClientAddress, managerID: Int64, catalog cache: FieldCatalogCache
    ) throws -> [ClientsV1.FieldValue] {
        // One row even for a client with no values: the version's.
        var version: Int64 = 0
        var stored: [String: String] = [:]
        for row in try db.positionalRows(
            sql: """
            SELECT c.version, v.field_code, v.value
            FROM field_catalog c LEFT JOIN client_field_value v ON v.client_id = ?
            WHERE c.id = 1
            """, [client.clientID])
        {
            version = row[0]
            if let code: String = row[1] { stored[code] = row[2] }
        }
        let catalog = try fieldCatalog(db, at: version, cache: cache)
        let layout = try cardLayout(db, managerID: managerID, at: version, catalog: catalog, cache: cache)
        let pinned = layout.pinned
        // The client's other values (of fields the catalog has), in the manager's order.
        let others = stored.keys.compactMap { code in layout.rank[code].map { (rank: $0, code: code) } }.sorted { $0.rank < $1.rank }
            .map(\.code)
        return (pinned + others).enumerated().map { index, code in
            let definition = catalog.definitions[code]!
            var value = stored[code] ?? ""
            switch SystemFields.backing(of: code) {
            case .address(let part)?: value = address[part]
            case .createdAt?: value = UTCDate.string(milliseconds: client.createdAtMs)
            case nil: break
            }
            return fieldValue(definition, value: value, pinned: index < pinned.count)
        }
    }

    /// Every definition with its options, as of `version` (the snapshot's).
    private static func fieldCatalog(_ db: Database, at version: Int64, cache: FieldCatalogCache) throws -> FieldCatalogCache.Catalog {
        if let kept = cache.catalog(at: version) { return kept }
        let rows = try db.positionalRows(sql: "SELECT \(fieldColumns) FROM field_definition")
        var catalog = FieldCatalogCache.Catalog(definitions: [:], positions: [:])
        for (row, definition) in zip(rows, try definitions(db, from: rows)) {
            catalog.definitions[definition.code] = definition
            catalog.positions[definition.code] = row[6]
        }
        // A write transaction may change the catalog and roll back: only a read offers it.
        if db.configuration.readonly { cache.offer(catalog, at: version) }
        return catalog
    }

    /// The manager's order and pins over `catalog`, as of `version` (the snapshot's and the
    /// catalog's).
    private static func cardLayout(
        _ db: Database, managerID: Int64, at version: Int64, catalog: FieldCatalogCache.Catalog, cache: FieldCatalogCache
    ) throws -> FieldCatalogCache.Layout {
        if let kept = cache.layout(of: managerID, at: version) { return kept }
        var positions: [String: Int64] = [:]
        var pins: Set<String> = []
        for row in try db.positionalRows(sql: "SELECT field_code, position, pinned FROM manager_field WHERE manager_id = ?", [managerID]) {
            let code: String = row[0]
            positions[code] = row[1]
            if row[2] as Bool { pins.insert(code) }
        }
        let layout = FieldCatalogCache.Layout(positions: positions, pins: pins, catalog: catalog)
        if db.configuration.readonly { cache.offer(layout, of: managerID, at: version) }
        return layout
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
}
