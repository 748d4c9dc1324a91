import ChatPanelProto
import ChatPanelStore
import GRDB

/// A price type as stored.
struct PriceTypeRecord: Sendable, Hashable {
    /// Row id.
    var id: Int64
    /// Stable code.
    var code: String
    /// Name shown to managers.
    var name: String
    /// ISO 4217 code.
    var currency: String
    /// The base price type.
    var isBase: Bool

    /// The wire form.
    var proto: OrdersV1.PriceType {
        var type = OrdersV1.PriceType()
        type.code = code
        type.name = name
        type.currency = currency
        type.isBase = isBase
        return type
    }
}

/// The price types and category codes products refer to, read once per request.
struct CatalogReferences: Sendable {
    /// Price types by code.
    var priceTypes: [String: PriceTypeRecord] = [:]
    /// Price types by row id.
    var priceTypesByID: [Int64: PriceTypeRecord] = [:]
    /// Category ids by code.
    var categories: [String: Int64] = [:]

    /// The base price type, if any.
    var base: PriceTypeRecord? { priceTypes.values.first(where: \.isBase) }

    /// The price type `code` names, the base one when `code` is empty.
    func priceType(_ code: String) -> PriceTypeRecord? {
        code.isEmpty ? base : priceTypes[code]
    }

    /// Price types only (the cheap read for answers).
    static func loadPriceTypes(_ db: Database) throws -> CatalogReferences {
        var references = CatalogReferences()
        try db.forEachPositionalRow(sql: "SELECT id, code, name, currency, is_base FROM price_type") { row in
            let type = PriceTypeRecord(id: row[0], code: row[1], name: row[2], currency: row[3], isBase: row[4])
            references.priceTypes[type.code] = type
            references.priceTypesByID[type.id] = type
        }
        return references
    }

    /// Price types and category codes (for writing products).
    static func load(_ db: Database) throws -> CatalogReferences {
        var references = try loadPriceTypes(db)
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT code, id FROM category")) {
            references.categories[row[0]] = row[1]
        }
        return references
    }

    /// Price types sorted as answers list them: base first, then by code.
    var sortedPriceTypes: [PriceTypeRecord] {
        priceTypes.values.sorted { ($0.isBase ? 0 : 1, $0.code) < ($1.isBase ? 0 : 1, $1.code) }
    }
}
