import ChatPanelProto
import ChatPanelStore
import Foundation
import GRDB

/// A `product` row as read from the database, with its category.
struct ProductRecord: Sendable {
    /// The columns, in the order ``init(row:)`` reads them.
    static let selectSQL = """
        SELECT p.id, p.input, p.created_at_ms, p.updated_at_ms, c.code, c.full_name
        FROM product p LEFT JOIN category c ON c.id = p.category_id
        """

    /// The product's id.
    var id: Int64
    /// Its fields as last written.
    var input: OrdersV1.ProductInput
    /// Created and last changed, UTC ms.
    var createdAt: Int64
    var updatedAt: Int64
    /// Its category's code and full name, when it has one.
    var categoryCode: String
    var categoryPath: String

    /// A record from a row of ``selectSQL``.
    init(row: some PositionalValues) throws {
        id = row[0]
        let input: Data = row[1]
        self.input = try input.withUnsafeBytes { try OrdersV1.ProductInput(unsafeBytes: $0) }
        createdAt = row[2]
        updatedAt = row[3]
        categoryCode = row[4] ?? ""
        categoryPath = row[5] ?? ""
    }

    /// The product with this id, if any.
    static func fetch(_ db: Database, id: Int64) throws -> ProductRecord? {
        try db.positionalRow(sql: selectSQL + " WHERE p.id = ?", [id]).map(ProductRecord.init(row:))
    }

    /// The product with this article, if any.
    static func fetch(_ db: Database, article: String) throws -> ProductRecord? {
        try db.positionalRow(sql: selectSQL + " WHERE p.article = ?", [article]).map(ProductRecord.init(row:))
    }

    /// Available to sell: active, and a service or in stock.
    var isAvailable: Bool { input.active && (input.kind == .service || input.stock > 0) }

    /// Its price in `type`, if it has one.
    func price(in type: PriceTypeRecord) -> Int64? {
        input.prices.first(where: { $0.priceType == type.code })?.amountMinor
    }

    /// The wire form; prices carry their price type's currency from `references`.
    func proto(_ references: CatalogReferences) -> OrdersV1.Product {
        var product = OrdersV1.Product()
        product.productID = id
        product.kind = input.kind
        product.article = input.article
        product.name = input.name
        product.categoryCode = categoryCode
        product.categoryPath = categoryPath
        product.manufacturer = input.manufacturer
        product.properties = input.properties
        product.weightGrams = input.weightGrams
        product.stock = input.stock
        product.active = input.active
        product.imageURL = input.imageURL
        product.url = input.url
        product.prices = input.prices.map {
            var price = $0
            price.currency = references.priceTypes[$0.priceType]?.currency ?? ""
            return price
        }
        product.available = isAvailable
        product.createdAtMs = createdAt
        product.updatedAtMs = updatedAt
        return product
    }
}

/// How names are folded for sorting: lowercase, ё as е.
enum NameKey {
    /// The sort key of `name`.
    static func make(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "ё", with: "е")
    }
}
