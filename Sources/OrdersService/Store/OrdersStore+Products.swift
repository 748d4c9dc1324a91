public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

extension OrdersStore {
    /// The price types and category codes requests are validated against.
    func catalogReferences() async throws -> CatalogReferences {
        try await database.read { db in try CatalogReferences.load(db) }
    }

    /// Creates a product or service (PRODUCT-5); the input must already be validated.
    ///
    /// - Throws: ALREADY_EXISTS when another product has the article.
    public func createProduct(_ input: OrdersV1.ProductInput, requestID: String) async throws -> OrdersV1.CreateProductResponse {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.createProduct.path) { db in
            let references = try CatalogReferences.load(db)
            if let existing = try ProductRecord.fetch(db, article: input.article) {
                throw RPCError.alreadyExists("product \(existing.id) has article \(input.article)")
            }
            let id = try Self.writeProduct(input.normalized, existingID: nil, references: references, now: now(), db)
            var response = OrdersV1.CreateProductResponse()
            response.product = try ProductRecord.fetch(db, id: id)?.proto(references)
            return response
        }
    }

    /// The product with this id, or when `id` is 0 with this article; nil when there is none.
    public func product(id: Int64, article: String) async throws -> OrdersV1.Product? {
        try await database.read { db in
            let record = id != 0 ? try ProductRecord.fetch(db, id: id) : try ProductRecord.fetch(db, article: article)
            return try record?.proto(priceTypes.references(db))
        }
    }

    /// Creates or replaces products by article in one transaction (the catalog import); the
    /// inputs must already be validated. A product sent exactly as stored is left alone.
    public func upsertProducts(_ inputs: [OrdersV1.ProductInput], requestID: String) async throws -> OrdersV1.UpsertProductsResponse {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.upsertProducts.path) { db in
            let references = try CatalogReferences.load(db)
            let time = now()
            var response = OrdersV1.UpsertProductsResponse()
            for input in inputs {
                let input = input.normalized
                let bytes = Data(try input.serializedBytes())
                let stored = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT id, input FROM product WHERE article = ?"), arguments: [input.article])
                if let stored {
                    if (stored[1] as Data) == bytes {
                        response.unchanged += 1
                        continue
                    }
                    _ = try Self.writeProduct(input, existingID: stored[0], references: references, now: time, db)
                    response.updated += 1
                } else {
                    _ = try Self.writeProduct(input, existingID: nil, references: references, now: time, db)
                    response.created += 1
                }
            }
            // Changed products show changed in lists and carts: one change for every client.
            if response.updated > 0 { try db.recordChanges([.products, .cart], at: time) }
            return response
        }
    }

    /// Inserts a product, or replaces the one with `existingID`: its row, prices and properties.
    /// Returns its id.
    static func writeProduct(
        _ input: OrdersV1.ProductInput, existingID: Int64?, references: CatalogReferences, now: Int64, _ db: Database
    ) throws -> Int64 {
        let categoryID = input.categoryCode.isEmpty ? nil : references.categories[input.categoryCode]
        let basePrice = references.base.flatMap { base in input.prices.first(where: { $0.priceType == base.code })?.amountMinor }
        let arguments: StatementArguments = [
            input.kind.rawValue, input.article, input.name, NameKey.make(input.name), input.manufacturer, categoryID, input.stock,
            input.active, basePrice, basePrice ?? Int64.max, basePrice ?? -1, Data(try input.serializedBytes()), now,
        ]
        let id: Int64
        if let existingID {
            try db.cachedStatement(
                sql: """
                    UPDATE product SET kind = ?, article = ?, name = ?, name_key = ?, manufacturer = ?, category_id = ?, stock = ?,
                        active = ?, base_price = ?, price_asc_key = ?, price_desc_key = ?, input = ?, updated_at_ms = ?
                    WHERE id = ?
                    """
            ).execute(arguments: arguments + [existingID])
            try db.cachedStatement(sql: "DELETE FROM product_price WHERE product_id = ?").execute(arguments: [existingID])
            try db.cachedStatement(sql: "DELETE FROM product_property WHERE product_id = ?").execute(arguments: [existingID])
            id = existingID
        } else {
            try db.cachedStatement(
                sql: """
                    INSERT INTO product (kind, article, name, name_key, manufacturer, category_id, stock, active, base_price,
                        price_asc_key, price_desc_key, input, updated_at_ms, created_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?13, ?13)
                    """
            ).execute(arguments: arguments)
            id = db.lastInsertedRowID
        }
        let insertPrice = try db.cachedStatement(sql: "INSERT INTO product_price (product_id, price_type_id, amount) VALUES (?, ?, ?)")
        for price in input.prices {
            guard let type = references.priceTypes[price.priceType] else {
                throw RPCError.failedPrecondition("price type \(price.priceType) no longer exists")
            }
            try insertPrice.execute(arguments: [id, type.id, price.amountMinor])
        }
        let insertProperty = try db.cachedStatement(sql: "INSERT INTO product_property (product_id, name, value) VALUES (?, ?, ?)")
        for property in input.properties {
            try insertProperty.execute(arguments: [id, property.name, property.value])
        }
        return id
    }
}
