public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension OrdersStore {
    /// Puts an owner's current cart (CART-1): the whole cart, unless the stored cart has the
    /// same or a newer version (a late or repeated update changes nothing). An empty cart
    /// clears the items but keeps the version. An owner moved into a client (a visitor who
    /// became a client, a merged client) writes to that client's cart.
    public func putCart(owner: Owner, version: Int64, items: [OrdersV1.CartItemInput], requestID: String) async throws
        -> OrdersV1.PutCartResponse
    {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.putCart.path) { db in
            let owner = try OwnerMoves.resolve(owner, db)
            var response = OrdersV1.PutCartResponse()
            if let stored = try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM cart WHERE owner = ?"), arguments: [owner.key]),
                stored >= version
            {
                response.applied = false
                response.currentVersion = stored
                return response
            }
            try Self.replaceCart(db, owner: owner, version: version, updatedAt: now(), items: items.map(CartLine.init(input:)))
            try owner.recordChanges([.cart], db, at: now())
            response.applied = true
            response.currentVersion = version
            return response
        }
    }

    /// An owner's cart with the catalog's data now, priced in `priceType`; nil when there is
    /// none or it is empty.
    public func cart(owner: Owner, priceType: String) async throws -> OrdersV1.Cart? {
        try await database.read { db in
            let references = try priceTypes.references(db)
            let type = try Self.priceType(priceType, references)
            return try Self.cart(db, try OwnerMoves.resolve(owner, db), type, references)
        }
    }

    /// A cart line as stored.
    struct CartLine: Sendable {
        var article: String
        var quantity: Int64
        var sitePrice: Int64?
        var siteCurrency: String
        var name: String

        init(input: OrdersV1.CartItemInput) {
            article = input.article
            quantity = input.quantity
            sitePrice = input.sitePrice?.amountMinor
            siteCurrency = input.sitePrice?.currency ?? ""
            name = input.name
        }

        init(row: some PositionalValues) {
            article = row[0]
            quantity = row[1]
            sitePrice = row[2]
            siteCurrency = row[3]
            name = row[4]
        }
    }

    /// The stored lines of an owner's cart, in the site's order.
    static func cartLines(_ db: Database, _ owner: Owner) throws -> [CartLine] {
        try db.positionalRows(
            sql: "SELECT article, quantity, site_price, site_currency, name FROM cart_item WHERE owner = ? ORDER BY position", [owner.key]
        ).map(CartLine.init(row:))
    }

    /// Replaces an owner's cart with `items` at `version`.
    static func replaceCart(_ db: Database, owner: Owner, version: Int64, updatedAt: Int64, items: [CartLine]) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO cart (owner, version, updated_at_ms) VALUES (?1, ?2, ?3)
                ON CONFLICT (owner) DO UPDATE SET version = ?2, updated_at_ms = ?3
                """
        ).execute(arguments: [owner.key, version, updatedAt])
        try db.cachedStatement(sql: "DELETE FROM cart_item WHERE owner = ?").execute(arguments: [owner.key])
        let insert = try db.cachedStatement(
            sql: "INSERT INTO cart_item (owner, position, article, quantity, site_price, site_currency, name) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for (position, item) in items.enumerated() {
            try insert.execute(arguments: [owner.key, position, item.article, item.quantity, item.sitePrice, item.siteCurrency, item.name])
        }
    }

    /// An owner's cart, inside a transaction; nil when there is none or it is empty.
    static func cart(_ db: Database, _ owner: Owner, _ type: PriceTypeRecord?, _ references: CatalogReferences) throws -> OrdersV1.Cart? {
        try encodedCart(db, owner, type, references).map { try OrdersV1.Cart(serializedBytes: $0) }
    }

    /// A cart's version and time, then each of its lines in the site's order (``CartLine/init(row:)``
    /// from column 2) with its product (``ShownProduct/columns`` from column 7).
    static let cartSQL = """
        SELECT h.version, h.updated_at_ms, i.article, i.quantity, i.site_price, i.site_currency, i.name, \(ShownProduct.columns)
        FROM cart h JOIN cart_item i ON i.owner = h.owner \(ShownProduct.joins(on: "p.article = i.article"))
        WHERE h.owner = ? ORDER BY i.position
        """

    /// The result of an amount's arithmetic, or nil when it overflowed or passed the most an
    /// amount may hold.
    private static func checkedAmount(_ result: (partialValue: Int64, overflow: Bool)) -> Int64? {
        result.overflow || result.partialValue > OrderPricing.maximumAmount ? nil : result.partialValue
    }

    /// ``cart(_:_:_:_:)``, encoded: the panel's cart, which is forwarded as it is. Each product is
    /// encoded from its stored fields (``ShownProduct``) and placed in its line as bytes, each
    /// line in the cart.
    static func encodedCart(_ db: Database, _ owner: Owner, _ type: PriceTypeRecord?, _ references: CatalogReferences) throws
        -> [UInt8]?
    {
        // Each row read as it comes: its product's stored fields are read where SQLite holds them.
        var head: (version: Int64, updatedAt: Int64)?
        var lines: [(line: CartLine, product: ShownProduct?)] = []
        try db.forEachPositionalRow(sql: cartSQL, [owner.key]) { row in
            if head == nil { head = (row[0], row[1]) }
            lines.append((CartLine(row: OffsetValues(base: row, offset: 2)), try ShownProduct(row: row, at: 7, references, type)))
        }
        guard let head else { return nil }  // no cart, or an empty one
        var cart = OrdersV1.Cart()
        cart.owner = owner.proto
        cart.version = head.version
        cart.updatedAtMs = head.updatedAt
        let totalCurrency = type?.currency ?? lines.first(where: { !$0.line.siteCurrency.isEmpty })?.line.siteCurrency ?? "RUB"
        // Nil once a line of the total's currency has no total or the sum passes the most an
        // amount may hold (only prices stored before the limits can do that).
        var total: Int64? = 0
        var items: [UInt8] = []
        for (line, product) in lines {
            var item = OrdersV1.CartItem()
            item.article = line.article
            item.quantity = line.quantity
            cart.quantity += line.quantity
            var unit: (Int64, String)? = line.sitePrice.map { ($0, line.siteCurrency) }
            if let product {
                item.name = product.name
                item.available = product.isAvailable
                if let type, let amount = product.price { unit = (amount, type.currency) }
            } else {
                item.name = line.name
                item.gone = true
            }
            if let (amount, currency) = unit {
                item.price = Currency.money(amount, currency)
                let lineTotal = Self.checkedAmount(amount.multipliedReportingOverflow(by: line.quantity))
                if let lineTotal { item.lineTotal = Currency.money(lineTotal, currency) }
                if currency == totalCurrency {
                    total = total.flatMap { sum in lineTotal.flatMap { Self.checkedAmount(sum.addingReportingOverflow($0)) } }
                }
            }
            var itemBytes = try item.onePassBytes()
            if let product { ProtoWire.append(3, lengthDelimited: product.encoded, to: &itemBytes) }  // CartItem.product
            ProtoWire.append(4, lengthDelimited: itemBytes, to: &items)  // Cart.items
        }
        if let total { cart.total = Currency.money(total, totalCurrency) }
        return try cart.onePassBytes() + items
    }
}
