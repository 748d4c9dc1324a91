public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension OrdersStore {
    /// Custom order fields whose name or code contains `query` (case-insensitive), those that
    /// start with it first, each marked pinned when `managerID` pinned it (ORDER-9).
    public func searchOrderFields(query: String, limit: Int, managerID: Int64, settings: OrdersConfiguration) async throws
        -> OrdersV1.SearchOrderFieldsResponse
    {
        let pinned = try await database.read { db in try Self.pinnedCodes(db, managerID: managerID) }
        let key = query.trimmingWhitespace().lowercased()
        let matches = settings.customFields.enumerated().compactMap {
            index, field -> (rank: Int, index: Int, field: OrdersConfiguration.CustomField)? in
            guard !key.isEmpty else { return (0, index, field) }
            let name = field.name.lowercased()
            let code = field.code.lowercased()
            if name.hasPrefix(key) || code.hasPrefix(key) { return (0, index, field) }
            if name.contains(key) || code.contains(key) { return (1, index, field) }
            return nil
        }
        var response = OrdersV1.SearchOrderFieldsResponse()
        response.fields = matches.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }.prefix(limit).map { match in
            var definition = match.field.proto
            definition.pinned = pinned.contains(match.field.code)
            return definition
        }
        return response
    }

    /// Pins (at the end of the manager's pinned fields) or unpins a custom order field.
    ///
    /// - Throws: INVALID_ARGUMENT naming `code` when no custom field has it.
    public func pinOrderField(code: String, pinned: Bool, managerID: Int64, settings: OrdersConfiguration, requestID: String) async throws
        -> OrdersV1.PinOrderFieldResponse
    {
        guard settings.customFields.contains(where: { $0.code == code }) else {
            throw RPCError.invalidArgument(field: "code", "no custom order field has code \(code)")
        }
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.pinOrderField.path) { db in
            if pinned {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO order_field_pin (manager_id, code, position)
                        VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM order_field_pin WHERE manager_id = ?1))
                        ON CONFLICT (manager_id, code) DO NOTHING
                        """
                ).execute(arguments: [managerID, code])
            } else {
                try db.cachedStatement(sql: "DELETE FROM order_field_pin WHERE manager_id = ? AND code = ?").execute(arguments: [
                    managerID, code,
                ])
            }
            var response = OrdersV1.PinOrderFieldResponse()
            response.pinnedFields = try Self.pinnedFields(db, managerID: managerID, settings)
            return response
        }
    }

    /// The settings as `managerID` sees them: with the fields they pinned.
    public func orderSettings(managerID: Int64, settings: OrdersConfiguration) async throws -> OrdersV1.OrderSettings {
        try await database.read { db in try Self.orderSettings(db, managerID: managerID, settings) }
    }

    /// The settings with `managerID`'s pinned fields, inside a transaction.
    static func orderSettings(_ db: Database, managerID: Int64, _ settings: OrdersConfiguration) throws -> OrdersV1.OrderSettings {
        var answer = settings.settings
        answer.pinnedFields = try pinnedFields(db, managerID: managerID, settings)
        return answer
    }

    /// A manager's pinned field codes, in their order.
    static func pinnedCodes(_ db: Database, managerID: Int64) throws -> [String] {
        try db.positionalValues(String.self, sql: "SELECT code FROM order_field_pin WHERE manager_id = ? ORDER BY position", [managerID])
    }

    /// A manager's pinned fields that are still configured, in their order.
    static func pinnedFields(_ db: Database, managerID: Int64, _ settings: OrdersConfiguration) throws -> [OrdersV1.OrderFieldDefinition] {
        try pinnedCodes(db, managerID: managerID).compactMap { code in
            settings.customFields.first { $0.code == code }.map {
                var definition = $0.proto
                definition.pinned = true
                return definition
            }
        }
    }

    /// Sets the custom field values given on `order` (an empty value clears one), keeping the
    /// configuration's order; bad codes and values are violations of `custom_fields[i]`.
    static func applyCustomFields(
        _ values: [OrdersV1.OrderFieldValue], to order: inout OrdersV1.Order, _ settings: OrdersConfiguration, into check: inout OrderCheck
    ) {
        var current = Dictionary(order.customFields.map { ($0.code, $0.value) }, uniquingKeysWith: { _, last in last })
        var seen = Set<String>()
        for (index, given) in values.enumerated() {
            guard let field = settings.customFields.first(where: { $0.code == given.code }) else {
                check.fields.add(field: "custom_fields[\(index)].code", "no custom order field has code \(given.code)")
                continue
            }
            guard seen.insert(field.code).inserted else {
                check.fields.add(field: "custom_fields[\(index)].code", "\(field.code) is given twice")
                continue
            }
            if TextRule.isBlank(given.value) {
                current[field.code] = nil
                continue
            }
            switch CustomFieldValue.normalize(given.value, for: field) {
            case .success(let value): current[field.code] = value
            case .failure(let failure): check.fields.add(field: "custom_fields[\(index)].value", failure.description)
            }
        }
        order.customFields = settings.customFields.compactMap { field in
            current[field.code].map { value in
                var stored = OrdersV1.OrderFieldValue()
                stored.code = field.code
                stored.value = value
                stored.displayValue = CustomFieldValue.display(value, for: field)
                return stored
            }
        }
    }
}
