import ChatPanelProto
import ChatPanelRPC
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

    /// The products with these ids, in their order; NOT_FOUND naming each missing one by its
    /// place (`product_ids[2]`) when any is.
    static func fetch(_ db: Database, ids: [Int64]) throws -> [ProductRecord] {
        var records: [ProductRecord] = []
        var violations = FieldViolations()
        var missing: [Int64] = []
        for (index, id) in ids.enumerated() {
            if let record = try fetch(db, id: id) {
                records.append(record)
            } else {
                violations.add(field: "product_ids[\(index)]", "no product has id \(id)")
                missing.append(id)
            }
        }
        guard missing.isEmpty else {
            throw RPCError(
                code: .notFound, message: "no product has id \(missing.map(String.init).joined(separator: ", "))",
                violations: violations.all)
        }
        return records
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

/// A product as the panel's list and cart show it, read from its row without decoding the
/// stored fields: the `Product` message encoded straight from them, and what the answer around
/// it needs. Decoding each stored product and encoding it again cost about 20 000 instructions.
struct ShownProduct {
    /// The `Product`, encoded: what ``ProductRecord/proto(_:)`` gives, encoded.
    var encoded: [UInt8]
    /// The product's name.
    var name: String
    /// Available to sell (``ProductRecord/isAvailable``).
    var isAvailable: Bool
    /// Its price in the price type asked for, if it has one (``ProductRecord/price(in:)``).
    var price: Int64?

    init(encoded: [UInt8], name: String, isAvailable: Bool, price: Int64?) {
        self.encoded = encoded
        self.name = name
        self.isAvailable = isAvailable
        self.price = price
    }

    /// The product with this id, if any (prices in no particular price type).
    static func fetch(_ db: Database, id: Int64, _ references: CatalogReferences) throws -> ShownProduct? {
        try db.positionalRow(sql: byID, [id]).flatMap { try ShownProduct(row: $0, at: 0, references, nil) }
    }

    /// The product with this article, if any (prices in no particular price type).
    static func fetch(_ db: Database, article: String, _ references: CatalogReferences) throws -> ShownProduct? {
        try db.positionalRow(sql: byArticle, [article]).flatMap { try ShownProduct(row: $0, at: 0, references, nil) }
    }

    private static let byID = ProductRecord.selectSQL + " WHERE p.id = ?"
    private static let byArticle = ProductRecord.selectSQL + " WHERE p.article = ?"

    /// The product columns of a query that shows products beside its own columns, in the order
    /// ``init(row:at:_:_:)`` reads them: join the product as `p` and its category as `c`
    /// (``joins(on:)``).
    static let columns = "p.id, p.input, p.created_at_ms, p.updated_at_ms, c.code, c.full_name"

    /// The joins that give ``columns`` for the product `condition` names (`p.id = l.product_id`):
    /// one query reads a list's or a cart's products with it (a query a product cost about 9 000
    /// instructions). Made once per query (a `static let`): its text is the statement cache's key.
    static func joins(on condition: String) -> String {
        "LEFT JOIN product p ON \(condition) LEFT JOIN category c ON c.id = p.category_id"
    }

    /// The product whose ``columns`` start at `offset` in `row`; nil when there is none (the
    /// join found no product). Stored fields this reading does not expect (a field it does not
    /// know, a wire type other than the field's) are decoded instead.
    init?(row: some PositionalValues, at offset: Int, _ references: CatalogReferences, _ type: PriceTypeRecord?) throws {
        let row = OffsetValues(base: row, offset: offset)
        guard let id: Int64 = row[0] else { return nil }
        let columns = Columns(id: id, categoryCode: row[4] ?? "", categoryPath: row[5] ?? "", createdAt: row[2], updatedAt: row[3])
        if let shown = row.withBytes(at: 1, { Self.transcoded($0, columns, references, type) }) {
            self = shown
            return
        }
        let record = try ProductRecord(row: row)
        encoded = try record.proto(references).serializedBytes()
        name = record.input.name
        isAvailable = record.isAvailable
        price = type.flatMap(record.price(in:))
    }

    /// What the columns of a product row hold.
    struct Columns {
        var id: Int64
        var categoryCode: String
        var categoryPath: String
        var createdAt: Int64
        var updatedAt: Int64
    }

    /// `Product` field number and wire type of each `ProductInput` field by number
    /// (`proto/chatpanel/orders/v1/orders.proto`); number 0 for the category code, which the
    /// row's category gives. Nil for a number `ProductInput` does not have.
    private static func productField(ofInput number: UInt32) -> (number: UInt32, wireType: UInt8)? {
        switch number {
        case 1: (2, 0)  // kind
        case 2: (3, 2)  // article
        case 3: (4, 2)  // name
        case 4: (0, 2)  // category_code
        case 5: (7, 2)  // manufacturer
        case 6: (8, 2)  // properties
        case 7: (9, 0)  // weight_grams
        case 8: (10, 0)  // stock
        case 9: (11, 0)  // active
        case 10: (12, 2)  // image_url
        case 11: (13, 2)  // url
        case 12: (14, 2)  // prices
        default: nil
        }
    }

    /// The product the stored `input` (an encoded `ProductInput`) and `columns` make, or nil
    /// when `input` holds what this reading does not expect. Its fields are copied under their
    /// `Product` numbers; each price is written again with its price type's currency.
    static func transcoded(
        _ input: UnsafeRawBufferPointer, _ columns: Columns, _ references: CatalogReferences, _ type: PriceTypeRecord?
    ) -> ShownProduct? {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(input.count + columns.categoryCode.utf8.count + columns.categoryPath.utf8.count + 48)
        var kind: UInt64 = 0
        var stock: UInt64 = 0
        var active = false
        var name = ""
        var price: Int64?
        var index = 0
        while index < input.count {
            guard let field = ProtoWire.field(in: input, at: &index), let product = productField(ofInput: field.number),
                field.wireType == product.wireType
            else { return nil }
            switch field.number {
            case 1: kind = field.value
            case 3: name = String(decoding: UnsafeRawBufferPointer(rebasing: input[field.payload]), as: UTF8.self)
            case 8: stock = field.value
            case 9: active = field.value != 0
            case 12:
                guard let amount = appendPrice(UnsafeRawBufferPointer(rebasing: input[field.payload]), references, type, to: &encoded)
                else { return nil }
                if price == nil, let amount { price = amount }
                continue
            default: break
            }
            if product.number != 0 {
                ProtoWire.appendKey(product.number, wireType: product.wireType, to: &encoded)
                encoded.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[field.body]))
            }
        }
        let isAvailable =
            active && (OrdersV1.ProductKind(rawValue: Int32(truncatingIfNeeded: kind)) == .service || Int64(bitPattern: stock) > 0)
        if columns.id != 0 { ProtoWire.append(1, varint: UInt64(bitPattern: columns.id), to: &encoded) }
        if !columns.categoryCode.isEmpty { ProtoWire.append(5, lengthDelimited: columns.categoryCode.utf8, to: &encoded) }
        if !columns.categoryPath.isEmpty { ProtoWire.append(6, lengthDelimited: columns.categoryPath.utf8, to: &encoded) }
        if isAvailable { ProtoWire.append(15, varint: 1, to: &encoded) }
        if columns.createdAt != 0 { ProtoWire.append(16, varint: UInt64(bitPattern: columns.createdAt), to: &encoded) }
        if columns.updatedAt != 0 { ProtoWire.append(17, varint: UInt64(bitPattern: columns.updatedAt), to: &encoded) }
        return ShownProduct(encoded: encoded, name: name, isAvailable: isAvailable, price: price)
    }

    /// Appends the stored `Price` `stored` as `Product.prices` (field 14) with its price type's
    /// currency. Gives nil when `stored` holds what this reading does not expect, else the
    /// price's amount when it is in `type` (`.some(nil)` when it is not).
    private static func appendPrice(
        _ stored: UnsafeRawBufferPointer, _ references: CatalogReferences, _ type: PriceTypeRecord?, to encoded: inout [UInt8]
    ) -> Int64?? {
        var code = 0..<0
        var amount: UInt64 = 0
        var index = 0
        while index < stored.count {
            guard let field = ProtoWire.field(in: stored, at: &index) else { return nil }
            switch (field.number, field.wireType) {
            case (1, 2): code = field.payload  // price_type
            case (2, 0): amount = field.value  // amount_minor
            case (3, 2): break  // currency: an answer's, written below
            default: return nil
            }
        }
        let codeBytes = UnsafeRawBufferPointer(rebasing: stored[code])
        var currency = references.priceTypes[String(decoding: codeBytes, as: UTF8.self)]?.currency ?? ""
        // Bytes appended and compared as buffers: through `String.UTF8View` both went through
        // generic code, about 650 instructions a price.
        currency.withUTF8 { currency in
            var size = 0
            if !code.isEmpty { size += 1 + ProtoWire.varintSize(UInt64(code.count)) + code.count }
            if amount != 0 { size += 1 + ProtoWire.varintSize(amount) }
            if !currency.isEmpty { size += 1 + ProtoWire.varintSize(UInt64(currency.count)) + currency.count }
            ProtoWire.appendKey(14, wireType: 2, to: &encoded)
            ProtoWire.appendVarint(UInt64(size), to: &encoded)
            if !code.isEmpty { ProtoWire.append(1, lengthDelimited: codeBytes, to: &encoded) }
            if amount != 0 { ProtoWire.append(2, varint: amount, to: &encoded) }
            if !currency.isEmpty { ProtoWire.append(3, lengthDelimited: currency, to: &encoded) }
        }
        guard var typeCode = type?.code else { return .some(nil) }
        let inType = typeCode.withUTF8 { typeCode in
            typeCode.count == codeBytes.count && (typeCode.isEmpty || memcmp(typeCode.baseAddress!, codeBytes.baseAddress!, typeCode.count) == 0)
        }
        return inType ? .some(Int64(bitPattern: amount)) : .some(nil)
    }
}

/// How names are folded for sorting: lowercase, ё as е.
enum NameKey {
    /// The sort key of `name`.
    static func make(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "ё", with: "е")
    }
}
