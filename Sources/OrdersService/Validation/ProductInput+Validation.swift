import ChatPanelProto
import ChatPanelRPC

/// Limits of a catalog entry's fields.
enum ProductLimits {
    static let article = 64
    static let name = 255
    static let manufacturer = 255
    static let properties = 50
    static let propertyName = 255
    static let propertyValue = 1000
    /// The heaviest product, grams (100 t): an order's weight, Σ weight × quantity, stays far
    /// inside 64 bits.
    static let weightGrams: Int64 = 100_000_000
    /// The dearest unit price, minor units: the same as an order line's.
    static let price = OrderLimits.price
}

extension OrdersV1.ProductInput {
    /// Adds a violation under `path` (like "products[3].") for every bad field, checking
    /// the category and price types against `references`.
    func validate(path: String, references: CatalogReferences, into violations: inout FieldViolations) {
        violations.check(kind == .product || kind == .service, field: path + "kind", "must be PRODUCT_KIND_PRODUCT or PRODUCT_KIND_SERVICE")
        violations.checkText(article, field: path + "article", required: true, maximum: ProductLimits.article)
        violations.checkText(name, field: path + "name", required: true, maximum: ProductLimits.name)
        if !categoryCode.isEmpty {
            violations.check(
                references.categories[categoryCode] != nil, field: path + "category_code", "no category has code \(categoryCode)")
        }
        violations.checkText(manufacturer, field: path + "manufacturer", required: false, maximum: ProductLimits.manufacturer)
        violations.check(properties.count <= ProductLimits.properties, field: path + "properties", "at most \(ProductLimits.properties)")
        var propertyNames = Set<String>()
        for (index, property) in properties.prefix(ProductLimits.properties).enumerated() {
            let field = "\(path)properties[\(index)]"
            violations.checkText(property.name, field: field + ".name", required: true, maximum: ProductLimits.propertyName)
            violations.checkText(property.value, field: field + ".value", required: true, maximum: ProductLimits.propertyValue)
            if !propertyNames.insert(property.name).inserted {
                violations.add(field: field + ".name", "\(property.name) is given twice")
            }
        }
        violations.check(
            weightGrams >= 0 && weightGrams <= ProductLimits.weightGrams, field: path + "weight_grams",
            "must be 0 to \(ProductLimits.weightGrams) (grams)")
        violations.check(stock >= 0, field: path + "stock", "must not be negative")
        if kind == .service { violations.check(stock == 0, field: path + "stock", "a service has no stock: leave 0") }
        violations.checkURL(imageURL, field: path + "image_url")
        violations.checkURL(url, field: path + "url")
        var priceTypes = Set<String>()
        for (index, price) in prices.enumerated() {
            let field = "\(path)prices[\(index)]"
            if let type = references.priceTypes[price.priceType] {
                if !priceTypes.insert(price.priceType).inserted {
                    violations.add(field: field + ".price_type", "\(price.priceType) is given twice")
                }
                if !price.currency.isEmpty && price.currency != type.currency {
                    violations.add(field: field + ".currency", "price type \(type.code) is in \(type.currency)")
                }
            } else {
                violations.add(
                    field: field + ".price_type", price.priceType.isEmpty ? "is required" : "no price type has code \(price.priceType)")
            }
            violations.check(
                price.amountMinor >= 0 && price.amountMinor <= ProductLimits.price, field: field + ".amount_minor",
                "must be 0 to \(ProductLimits.price)")
        }
    }

    /// The form stored and compared: currencies dropped (they come from the price type).
    var normalized: OrdersV1.ProductInput {
        var input = self
        input.prices = prices.map {
            var price = $0
            price.currency = ""
            return price
        }
        return input
    }
}
