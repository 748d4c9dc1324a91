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

/// The catalog's price types as last read or written, so that a read that shows products (a
/// panel's list and cart, a list, a product) does not query them each time: a read of them and
/// their two dictionaries cost about 11 000 instructions, a tenth of a panel's orders data.
///
/// The orders process is its database's only writer, and ``OrdersStore/putPriceTypes(_:requestID:)``
/// the only change of price types: it replaces them here on the writer queue, so in commit
/// order (a read in the moment between the replacement and the commit sees them that moment
/// early). A read keeps what it found only if no write came in between (a generation counter
/// says so). After a write that failed, what is committed is not known here: until the next
/// write, reads ask the database and keep nothing (a read could stand on a snapshot older than
/// an earlier write).
final class PriceTypeCache: Sendable {
    private struct State {
        var references: CatalogReferences?
        /// Counts the writes that replaced the price types, and the failures after one.
        var generation: UInt64 = 0
        /// A write failed since the last one done.
        var unsure = false
    }

    private let state = Mutex(State())

    /// The price types, from the cache or read in `db` (a read transaction).
    func references(_ db: Database) throws -> CatalogReferences {
        let (known, generation, unsure) = state.withLock { ($0.references, $0.generation, $0.unsure) }
        if let known { return known }
        let read = try CatalogReferences.loadPriceTypes(db)
        if !unsure {
            state.withLock { state in
                if state.generation == generation, state.references == nil { state.references = read }
            }
        }
        return read
    }

    /// The price types a write left (called in its transaction, on the writer queue).
    func replace(_ references: CatalogReferences) {
        state.withLock { state in
            state.generation += 1
            state.references = references
            state.unsure = false
        }
    }

    /// The count of writes so far, for ``forget(ifWrittenSince:)``.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// A write failed, which may have replaced the price types before it did: if any write
    /// replaced them since `generation`, reads ask the database until the next write.
    func forget(ifWrittenSince generation: UInt64) {
        state.withLock { state in
            guard state.generation != generation else { return }
            state.generation += 1
            state.references = nil
            state.unsure = true
        }
    }
}
