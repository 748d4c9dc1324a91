import ChatPanelProto
import ChatPanelStore
import GRDB
import Synchronization

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

/// The catalog's price types of one version, so that a read that shows products (a panel's
/// list and cart, a list, a product, a search) does not query them each time: a read of them
/// and their two dictionaries cost about 11 000 instructions, the version's row about 2 000.
///
/// The version is a row of the database (`price_type_version`) that triggers raise with every
/// change to `price_type`, whoever makes it. A read takes the version in its own snapshot and
/// uses what is kept here only when it is of that same version; otherwise it reads the price
/// types and offers them. The version only grows, so the newest offered is kept and an older
/// snapshot's never replaces it (``FieldCatalogCache`` of the clients service works the same way).
final class PriceTypeCache: Sendable {
    private struct State {
        var version: Int64 = 0
        var references: CatalogReferences?
    }

    private let state = Mutex(State())

    /// The price types as of `db`'s snapshot (a read transaction), kept or read.
    func references(_ db: Database) throws -> CatalogReferences {
        guard let version = try db.positionalRow(sql: "SELECT version FROM price_type_version WHERE id = 1").map({ $0[0] as Int64 })
        else { return try CatalogReferences.loadPriceTypes(db) }
        if let kept = state.withLock({ $0.version == version ? $0.references : nil }) { return kept }
        let read = try CatalogReferences.loadPriceTypes(db)
        state.withLock { state in
            if version >= state.version { state = State(version: version, references: read) }
        }
        return read
    }
}
