import ChatPanelProto
import ChatPanelRPC
import Foundation

/// Limits of the catalog's requests.
enum CatalogLimits {
    static let priceTypesPerRequest = 20
    static let categoriesPerRequest = 1000
    static let productsPerBatch = 500
    static let queryLength = 200
    static let manufacturerFilters = 20
    static let propertyFilters = 20
    static let defaultPageSize = 20
    static let maximumPageSize = 100
}

extension OrdersV1.PutPriceTypesRequest {
    /// Checks every price type; INVALID_ARGUMENT naming `price_types[i].currency` and the like.
    func validate() throws(RPCError) {
        var violations = FieldViolations()
        violations.check(!priceTypes.isEmpty, field: "price_types", "at least one price type is required")
        violations.check(
            priceTypes.count <= CatalogLimits.priceTypesPerRequest, field: "price_types", "at most \(CatalogLimits.priceTypesPerRequest)")
        var codes = Set<String>()
        for (index, type) in priceTypes.enumerated() {
            let field = "price_types[\(index)]"
            violations.checkCode(type.code, field: field + ".code")
            if !codes.insert(type.code).inserted { violations.add(field: field + ".code", "\(type.code) is given twice") }
            violations.checkText(type.name, field: field + ".name", required: true, maximum: 255)
            violations.check(Currency.isKnown(type.currency), field: field + ".currency", "must be an ISO 4217 code like RUB")
        }
        violations.check(priceTypes.filter(\.isBase).count <= 1, field: "price_types", "at most one may be the base price type")
        try violations.throwIfAny()
    }
}

extension OrdersV1.PutCategoriesRequest {
    /// Checks every category's own fields (parents are checked against the tree when written).
    func validate() throws(RPCError) {
        var violations = FieldViolations()
        violations.check(!categories.isEmpty, field: "categories", "at least one category is required")
        violations.check(
            categories.count <= CatalogLimits.categoriesPerRequest, field: "categories", "at most \(CatalogLimits.categoriesPerRequest)")
        var codes = Set<String>()
        for (index, category) in categories.enumerated() {
            let field = "categories[\(index)]"
            violations.checkCode(category.code, field: field + ".code")
            if !codes.insert(category.code).inserted { violations.add(field: field + ".code", "\(category.code) is given twice") }
            violations.checkText(category.name, field: field + ".name", required: true, maximum: 255)
            if !category.parentCode.isEmpty {
                violations.checkCode(category.parentCode, field: field + ".parent_code")
                violations.check(category.parentCode != category.code, field: field + ".parent_code", "a category cannot be its own parent")
            }
        }
        try violations.throwIfAny()
    }
}

extension OrdersV1.UpsertProductsRequest {
    /// Checks every product against `references`; INVALID_ARGUMENT naming `products[3].name`.
    func validate(references: CatalogReferences) throws(RPCError) {
        var violations = FieldViolations()
        violations.check(!products.isEmpty, field: "products", "at least one product is required")
        violations.check(
            products.count <= CatalogLimits.productsPerBatch, field: "products",
            "at most \(CatalogLimits.productsPerBatch) per call: send the catalog in batches")
        var articles = Set<String>()
        for (index, product) in products.prefix(CatalogLimits.productsPerBatch).enumerated() {
            product.validate(path: "products[\(index)].", references: references, into: &violations)
            if !product.article.isEmpty && !articles.insert(product.article).inserted {
                violations.add(field: "products[\(index)].article", "\(product.article) is given twice")
            }
        }
        try violations.throwIfAny()
    }
}

extension OrdersV1.SearchProductsRequest {
    /// The search, or INVALID_ARGUMENT naming every bad field.
    func validated() throws(RPCError) -> ProductSearch {
        var violations = FieldViolations()
        violations.check(
            TextRule.characterCount(query, countingUpTo: CatalogLimits.queryLength) <= CatalogLimits.queryLength, field: "query",
            "must be at most \(CatalogLimits.queryLength) characters")
        violations.check(
            manufacturers.count <= CatalogLimits.manufacturerFilters, field: "manufacturers", "at most \(CatalogLimits.manufacturerFilters)"
        )
        for (index, manufacturer) in manufacturers.enumerated() where manufacturer.isEmpty {
            violations.add(field: "manufacturers[\(index)]", "must not be empty")
        }
        if let priceMin { violations.check(priceMin >= 0, field: "price_min", "must not be negative") }
        if let priceMax { violations.check(priceMax >= 0, field: "price_max", "must not be negative") }
        if let priceMin, let priceMax, priceMin >= 0 {
            violations.check(priceMin <= priceMax, field: "price_max", "must not be below price_min")
        }
        violations.check(properties.count <= CatalogLimits.propertyFilters, field: "properties", "at most \(CatalogLimits.propertyFilters)")
        var grouped: [(name: String, values: [String])] = []
        for (index, property) in properties.enumerated() {
            violations.check(!property.name.isEmpty, field: "properties[\(index)].name", "is required")
            violations.check(!property.value.isEmpty, field: "properties[\(index)].value", "is required")
            if let at = grouped.firstIndex(where: { $0.name == property.name }) {
                grouped[at].values.append(property.value)
            } else {
                grouped.append((property.name, [property.value]))
            }
        }
        violations.check(OrdersV1.ProductSort.allCases.contains(sort), field: "sort", "is not a sort order")
        violations.check([.unspecified, .product, .service].contains(kind), field: "kind", "is not a product kind")
        violations.check(pageSize <= CatalogLimits.maximumPageSize, field: "page_size", "must be at most \(CatalogLimits.maximumPageSize)")
        // The search without its page: what a page token must have come from.
        var search = self
        search.pageToken = ""
        search.pageSize = 0
        let fingerprint = RequestDigest.of((try? search.serializedBytes()) ?? [])
        var after: ProductCursor? = nil
        if !pageToken.isEmpty {
            after = ProductCursor(token: pageToken)
            if let cursor = after {
                violations.check(
                    cursor.search == fingerprint, field: "page_token", "belongs to another search (its query, filters or sort differ)")
            } else {
                violations.add(field: "page_token", "is not a page token of this search")
            }
        }
        try violations.throwIfAny()
        let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
        return ProductSearch(
            match: FullTextQuery.make(query), text: text, categoryCode: categoryCode, manufacturers: manufacturers, priceType: priceType,
            priceMin: priceMin, priceMax: priceMax, inStock: inStock, properties: grouped, sort: sort, kind: kind,
            includeInactive: includeInactive, pageSize: pageSize == 0 ? CatalogLimits.defaultPageSize : Int(pageSize), after: after,
            fingerprint: fingerprint)
    }
}
