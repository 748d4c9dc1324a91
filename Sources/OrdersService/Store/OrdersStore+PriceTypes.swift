public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension OrdersStore {
    /// Creates or updates price types by code (validated). Making one the base clears the flag
    /// on the others and re-keys the price sort of every product; the first price type ever
    /// written becomes the base when none is named.
    ///
    /// - Throws: FAILED_PRECONDITION when a price type that has prices would change currency.
    public func putPriceTypes(_ types: [OrdersV1.PriceType], requestID: String) async throws -> OrdersV1.PutPriceTypesResponse {
        try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.putPriceTypes.path) { db in
            let before = try CatalogReferences.loadPriceTypes(db)
            for type in types {
                if let stored = before.priceTypes[type.code], stored.currency != type.currency {
                    let priced =
                        try Bool.fetchOne(
                            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM product_price WHERE price_type_id = ?)"),
                            arguments: [stored.id]
                        ) ?? false
                    if priced {
                        throw RPCError.failedPrecondition(
                            "price type \(type.code) has prices in \(stored.currency); its currency cannot change to \(type.currency)")
                    }
                }
                if type.isBase {
                    try db.execute(sql: "UPDATE price_type SET is_base = 0 WHERE is_base = 1 AND code <> ?", arguments: [type.code])
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO price_type (code, name, currency, is_base) VALUES (?1, ?2, ?3, ?4)
                        ON CONFLICT (code) DO UPDATE SET name = ?2, currency = ?3, is_base = is_base OR ?4
                        """
                ).execute(arguments: [type.code, type.name, type.currency, type.isBase])
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM price_type WHERE is_base = 1") == 0 {
                try db.execute(sql: "UPDATE price_type SET is_base = 1 WHERE id = (SELECT min(id) FROM price_type)")
            }
            let after = try CatalogReferences.loadPriceTypes(db)
            if let base = after.base, base.id != before.base?.id {
                try Self.rekeyBasePrices(db, baseTypeID: base.id)
            }
            var response = OrdersV1.PutPriceTypesResponse()
            response.priceTypes = after.sortedPriceTypes.map(\.proto)
            return response
        }
    }

    /// Every price type, base first.
    public func listPriceTypes() async throws -> OrdersV1.ListPriceTypesResponse {
        try await database.read { db in
            var response = OrdersV1.ListPriceTypesResponse()
            response.priceTypes = try priceTypes.references(db).sortedPriceTypes.map(\.proto)
            return response
        }
    }

    /// Sets every product's base price and price sort keys from price type `baseTypeID`.
    static func rekeyBasePrices(_ db: Database, baseTypeID: Int64) throws {
        try db.execute(
            sql: """
                UPDATE product SET base_price = (SELECT amount FROM product_price WHERE product_id = product.id AND price_type_id = ?);
                UPDATE product SET price_asc_key = ifnull(base_price, 9223372036854775807), price_desc_key = ifnull(base_price, -1);
                """, arguments: [baseTypeID])
    }
}
