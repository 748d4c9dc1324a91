import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension OrdersStore {
    /// A page of the picker (PRODUCT-1).
    ///
    /// With text, the FTS index drives (`product_fts CROSS JOIN product`: the planner may not
    /// start from the sort index and check MATCH row by row, which measured 10x slower) and
    /// the matches are filtered and sorted. Without text, the sort's index (`product_by_name`,
    /// `product_by_price_asc`, `product_by_price_desc`) is read in order from the cursor on and
    /// the filters are checked on the way. Keyset paging on (sort key, id) is stable while the
    /// catalog changes.
    ///
    /// - Throws: INVALID_ARGUMENT naming `price_type` or `category_code` when it names nothing.
    func searchProducts(_ search: ProductSearch) async throws -> OrdersV1.SearchProductsResponseView {
        try await database.read { db in try Self.searchPage(db, search, priceTypes.references(db)) }
    }

    /// The SQL and arguments of a search page (the query plan tests read them too).
    static func searchSQL(_ db: Database, _ search: ProductSearch, references: CatalogReferences) throws -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        var categoryRange: (String, String)? = nil
        if !search.categoryCode.isEmpty {
            guard
                let path = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT path FROM category WHERE code = ?"), arguments: [search.categoryCode])
            else { throw RPCError.invalidArgument(field: "category_code", "no category has code \(search.categoryCode)") }
            // Every path of the subtree starts with `path` ("/3/"): the range ["/3/", "/30").
            categoryRange = (path, String(path.dropLast()) + "0")
        }
        let source: String
        if let match = search.match {
            source = "product_fts CROSS JOIN product p ON p.id = product_fts.rowid"
            conditions.append("product_fts MATCH ?")
            arguments += [match]
        } else {
            source = "product p INDEXED BY \(try noTextIndex(db, search, categoryRange: categoryRange))"
        }
        if !search.includeInactive { conditions.append("p.active = 1") }
        if search.kind == .product || search.kind == .service {
            conditions.append("p.kind = ?")
            arguments += [search.kind.rawValue]
        }
        if search.inStock { conditions.append("p.active = 1 AND (p.kind = 2 OR p.stock > 0)") }
        if let (low, high) = categoryRange {
            conditions.append("p.category_id IN (SELECT id FROM category WHERE path >= ? AND path < ?)")
            arguments += [low, high]
        }
        if !search.manufacturers.isEmpty {
            conditions.append("p.manufacturer IN (\(Array(repeating: "?", count: search.manufacturers.count).joined(separator: ", ")))")
            for manufacturer in search.manufacturers { arguments += [manufacturer] }
        }
        if search.priceMin != nil || search.priceMax != nil {
            guard let type = references.priceType(search.priceType) else {
                throw RPCError.invalidArgument(field: "price_type", "the catalog has no price types")
            }
            let low = search.priceMin ?? 0
            let high = search.priceMax ?? Int64.max
            if type.isBase {
                // Sorting by price, the range is one range of the sort's key (equal to the base
                // price when there is one; its "no price" values fall outside any range).
                let column =
                    switch search.sort {
                    case .priceAsc: "p.price_asc_key"
                    case .priceDesc: "p.price_desc_key"
                    default: "p.base_price"
                    }
                conditions.append("\(column) BETWEEN ? AND ?")
                arguments += [low, high == Int64.max ? Int64.max - 1 : high]
            } else {
                conditions.append(
                    "EXISTS (SELECT 1 FROM product_price pp WHERE pp.product_id = p.id AND pp.price_type_id = ? AND pp.amount BETWEEN ? AND ?)"
                )
                arguments += [type.id, low, high]
            }
        }
        for property in search.properties {
            let values = Array(repeating: "?", count: property.values.count).joined(separator: ", ")
            conditions.append(
                "EXISTS (SELECT 1 FROM product_property pr WHERE pr.product_id = p.id AND pr.name = ? AND pr.value IN (\(values)))")
            arguments += [property.name]
            for value in property.values { arguments += [value] }
        }
        let (key, descending) =
            switch search.sort {
            case .nameDesc: ("p.name_key", true)
            case .priceAsc: ("p.price_asc_key", false)
            case .priceDesc: ("p.price_desc_key", true)
            default: ("p.name_key", false)
            }
        if let after = search.after {
            conditions.append("(\(key), p.id) \(descending ? "<" : ">") (?, ?)")
            switch search.sort {
            case .priceAsc, .priceDesc: arguments += [after.priceKey, after.productID]
            default: arguments += [after.nameKey, after.productID]
            }
        }
        let direction = descending ? " DESC" : ""
        let sql = """
            SELECT p.id, p.name_key, p.price_asc_key, p.price_desc_key FROM \(source)
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY \(key)\(direction), p.id\(direction) LIMIT ?
            """
        arguments += [search.pageSize + 1]
        return (sql, arguments)
    }

    /// At most this many products matching a category or manufacturer filter are read and
    /// sorted; with more, the sort's index is read in order instead.
    static let selectiveFilterRows = 3000

    /// The index a search without text reads: the category's or manufacturers' when that filter
    /// leaves at most ``selectiveFilterRows`` products (they are read and sorted: a small
    /// category is a few index ranges, where reading the whole catalog in price order to find
    /// its 20 cheapest measured 40 ms at 100 000 products), else the sort's index, read in order
    /// from the cursor on. The counts stop at the threshold.
    static func noTextIndex(_ db: Database, _ search: ProductSearch, categoryRange: (String, String)?) throws -> String {
        var best: (index: String, rows: Int)? = nil
        if let (low, high) = categoryRange {
            let rows =
                try Int.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT count(*) FROM (SELECT 1 FROM product WHERE category_id IN
                                (SELECT id FROM category WHERE path >= ? AND path < ?) LIMIT ?)
                            """), arguments: [low, high, selectiveFilterRows + 1]) ?? 0
            best = ("product_by_category", rows)
        }
        if !search.manufacturers.isEmpty {
            var arguments: StatementArguments = []
            for manufacturer in search.manufacturers { arguments += [manufacturer] }
            arguments += [selectiveFilterRows + 1]
            let marks = Array(repeating: "?", count: search.manufacturers.count).joined(separator: ", ")
            let rows =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM product WHERE manufacturer IN (\(marks)) LIMIT ?)"),
                    arguments: arguments) ?? 0
            if rows < best?.rows ?? .max { best = ("product_by_manufacturer", rows) }
        }
        if let best, best.rows <= selectiveFilterRows { return best.index }
        switch search.sort {
        case .priceAsc: return "product_by_price_asc"
        case .priceDesc: return "product_by_price_desc"
        default: return "product_by_name"
        }
    }

    /// A search page, inside a read transaction: a `SearchProductsResponse` on the wire, each
    /// product encoded from its stored fields (``ShownProduct``).
    static func searchPage(_ db: Database, _ search: ProductSearch, _ references: CatalogReferences) throws
        -> OrdersV1.SearchProductsResponseView
    {
        if !search.priceType.isEmpty && references.priceTypes[search.priceType] == nil {
            throw RPCError.invalidArgument(field: "price_type", "no price type has code \(search.priceType)")
        }
        let (sql, arguments) = try searchSQL(db, search, references: references)
        let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
        var response = OrdersV1.SearchProductsResponseView()
        for row in rows.prefix(search.pageSize) {
            if let product = try ShownProduct.fetch(db, id: row[0], references) { response.products.append(product.encoded) }
        }
        if rows.count > search.pageSize, let last = rows.prefix(search.pageSize).last {
            let priceKey: Int64 = search.sort == .priceDesc ? last[3] : last[2]
            response.nextPageToken = ProductCursor(search: search.fingerprint, sort: search.sort, nameKey: last[1], priceKey: priceKey, productID: last[0]).token
        }
        if search.after == nil && !search.text.isEmpty, let product = try ShownProduct.fetch(db, article: search.text, references) {
            response.articleMatch = product.encoded
        }
        return response
    }
}
