public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension OrdersStore {
    /// The most products a list answer shows (newest first).
    static let listedProductsShown = 200

    /// Puts a product on an owner's list (PRODUCT-2); a product already there stays as it was.
    /// An owner moved into a client (a saved dialog, a merged client) writes to that client.
    ///
    /// - Throws: NOT_FOUND when the product does not exist; INVALID_ARGUMENT naming
    ///   `price_type` when it names no price type.
    public func addListedProduct(
        owner: Owner, productID: Int64, priceType: String, by managerID: Int64, requestID: String
    ) async throws -> OrdersV1.AddListedProductResponse {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.addListedProduct.path) { db in
            let references = try CatalogReferences.loadPriceTypes(db)
            let type = try Self.priceType(priceType, references)
            guard try ProductRecord.fetch(db, id: productID) != nil else { throw RPCError.notFound("product \(productID) does not exist") }
            let owner = try OwnerMoves.resolve(owner, db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO listed_product (owner, product_id, added_at_ms, added_by_id) VALUES (?, ?, ?, ?)
                    ON CONFLICT (owner, product_id) DO NOTHING
                    """
            ).execute(arguments: [owner.key, productID, now(), managerID])
            try owner.recordChanges([.products], db, at: now())
            var response = OrdersV1.AddListedProductResponse()
            response.list = try Self.productList(db, owner, type, references)
            return response
        }
    }

    /// Takes a product off an owner's list; a product not on it is no error.
    public func removeListedProduct(owner: Owner, productID: Int64, priceType: String, requestID: String) async throws
        -> OrdersV1.RemoveListedProductResponse
    {
        try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.removeListedProduct.path) { db in
            let references = try CatalogReferences.loadPriceTypes(db)
            let type = try Self.priceType(priceType, references)
            let owner = try OwnerMoves.resolve(owner, db)
            try db.cachedStatement(sql: "DELETE FROM listed_product WHERE owner = ? AND product_id = ?").execute(arguments: [
                owner.key, productID,
            ])
            try owner.recordChanges([.products], db, at: database.now())
            var response = OrdersV1.RemoveListedProductResponse()
            response.list = try Self.productList(db, owner, type, references)
            return response
        }
    }

    /// An owner's list, newest first, with prices in `priceType` (empty: the base one).
    public func listedProducts(owner: Owner, priceType: String) async throws -> OrdersV1.ListListedProductsResponse {
        try await database.read { db in
            let references = try priceTypes.references(db)
            let type = try Self.priceType(priceType, references)
            var response = OrdersV1.ListListedProductsResponse()
            response.list = try Self.productList(db, try OwnerMoves.resolve(owner, db), type, references)
            return response
        }
    }

    /// Product cards to post in the chat (PRODUCT-3, CART-2), in `priceType`'s currency. Each
    /// sending is logged; a product sent from the list or the picker is put on the owner's
    /// list (if it was not) with when it was last sent and how many times.
    ///
    /// - Throws: NOT_FOUND naming the products that do not exist.
    public func sendProductCards(
        owner: Owner, productIDs: [Int64], priceType: String, source: OrdersV1.CardSource, by managerID: Int64, requestID: String
    ) async throws -> OrdersV1.SendProductCardsResponse {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.sendProductCards.path) { db in
            let references = try CatalogReferences.loadPriceTypes(db)
            let type = try Self.priceType(priceType, references)
            let owner = try OwnerMoves.resolve(owner, db)
            let records = try ProductRecord.fetch(db, ids: productIDs)
            let time = now()
            var response = OrdersV1.SendProductCardsResponse()
            response.sentAtMs = time
            for record in records {
                let card = Self.card(record, type)
                response.cards.append(card)
                try db.cachedStatement(
                    sql: """
                        INSERT INTO sent_card (owner, product_id, price_type_code, amount_minor, currency, source, sent_at_ms, sent_by_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    owner.key, record.id, type?.code ?? "", card.price?.amountMinor, card.price?.currency ?? "", source.rawValue, time,
                    managerID,
                ])
                if source != .cart {
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO listed_product (owner, product_id, added_at_ms, added_by_id, last_sent_at_ms, sent_count)
                            VALUES (?1, ?2, ?3, ?4, ?3, 1)
                            ON CONFLICT (owner, product_id) DO UPDATE SET last_sent_at_ms = ?3, sent_count = sent_count + 1
                            """
                    ).execute(arguments: [owner.key, record.id, time, managerID])
                } else {
                    try db.cachedStatement(
                        sql: "UPDATE listed_product SET last_sent_at_ms = ?, sent_count = sent_count + 1 WHERE owner = ? AND product_id = ?"
                    ).execute(arguments: [time, owner.key, record.id])
                }
            }
            try owner.recordChanges([.products], db, at: time)
            return response
        }
    }

    /// The price type `code` names (the base one when empty); nil when the catalog has none.
    ///
    /// - Throws: INVALID_ARGUMENT naming `price_type` when `code` names none.
    static func priceType(_ code: String, _ references: CatalogReferences) throws(RPCError) -> PriceTypeRecord? {
        guard !code.isEmpty else { return references.base }
        guard let type = references.priceTypes[code] else {
            throw RPCError.invalidArgument(field: "price_type", "no price type has code \(code)")
        }
        return type
    }

    /// The card of a product, priced in `type`.
    static func card(_ record: ProductRecord, _ type: PriceTypeRecord?) -> OrdersV1.ProductCard {
        var card = OrdersV1.ProductCard()
        card.productID = record.id
        card.article = record.input.article
        card.name = record.input.name
        if let type, let amount = record.price(in: type) { card.price = Currency.money(amount, type.currency) }
        card.imageURL = record.input.imageURL
        card.url = record.input.url
        card.available = record.isAvailable
        return card
    }

    /// An owner's list, newest first, with prices in `type`.
    static func productList(_ db: Database, _ owner: Owner, _ type: PriceTypeRecord?, _ references: CatalogReferences) throws
        -> OrdersV1.ProductList
    {
        try OrdersV1.ProductList(serializedBytes: encodedProductList(db, owner, type, references))
    }

    /// A list's items, newest first, each with its product (``ShownProduct/columns`` from column 5).
    static let listSQL = """
        SELECT l.product_id, l.added_at_ms, l.added_by_id, l.last_sent_at_ms, l.sent_count, \(ShownProduct.columns)
        FROM listed_product l \(ShownProduct.joins(on: "p.id = l.product_id"))
        WHERE l.owner = ? ORDER BY l.added_at_ms DESC, l.product_id DESC LIMIT ?
        """

    /// ``productList(_:_:_:_:)``, encoded: the panel's list, which is forwarded as it is. Each
    /// product is encoded from its stored fields (``ShownProduct``) and placed in its item as
    /// bytes, each item in the list.
    static func encodedProductList(_ db: Database, _ owner: Owner, _ type: PriceTypeRecord?, _ references: CatalogReferences)
        throws -> [UInt8]
    {
        var list = OrdersV1.ProductList()
        list.owner = owner.proto
        var encoded = try list.onePassBytes()
        // Each row encoded as it comes: its product's stored fields are read where SQLite holds them.
        try db.forEachPositionalRow(sql: listSQL, [owner.key, listedProductsShown]) { row in
            var item = OrdersV1.ListedProduct()
            item.productID = row[0]
            item.addedAtMs = row[1]
            item.addedByID = row[2]
            item.lastSentAtMs = row[3]
            item.sentCount = row[4]
            let product = try ShownProduct(row: row, at: 5, references, type)
            if let type, let amount = product?.price { item.price = Currency.money(amount, type.currency) }
            var itemBytes = try item.onePassBytes()
            if let product { ProtoWire.append(1, lengthDelimited: product.encoded, to: &itemBytes) }  // ListedProduct.product
            ProtoWire.append(2, lengthDelimited: itemBytes, to: &encoded)  // ProductList.items
        }
        return encoded
    }
}
