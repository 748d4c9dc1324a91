import ChatPanelProto
import ChatPanelRPC

/// Limits of the product list's and the cart's requests.
enum ListAndCartLimits {
    static let cardsPerCall = 20
    static let cartLines = 500
    static let cartQuantity: Int64 = 1_000_000
}

/// Validation of the owner and product of list requests.
enum ListRequestValidation {
    /// The owner and product, or INVALID_ARGUMENT naming `owner`, `product_id`.
    static func validated(owner: OrdersV1.Owner?, productID: Int64) throws(RPCError) -> Owner {
        var violations = FieldViolations()
        let owner = validatedOwner(owner, .list, into: &violations)
        violations.checkID(productID, field: "product_id")
        try violations.throwIfAny()
        return owner!
    }

    /// The owner under field "owner", adding a violation when absent or bad.
    static func validatedOwner(_ owner: OrdersV1.Owner?, _ kinds: OrdersV1.Owner.Kinds, into violations: inout FieldViolations) -> Owner? {
        guard let owner else {
            violations.add(field: "owner", "is required")
            return nil
        }
        return owner.validated(kinds, field: "owner", into: &violations)
    }

    /// 1 to 20 positive product ids, under `product_ids`.
    static func checkProductIDs(_ ids: [Int64], into violations: inout FieldViolations) {
        violations.check(!ids.isEmpty, field: "product_ids", "at least one product is required")
        violations.check(ids.count <= ListAndCartLimits.cardsPerCall, field: "product_ids", "at most \(ListAndCartLimits.cardsPerCall)")
        for (index, id) in ids.enumerated() where id <= 0 {
            violations.add(field: "product_ids[\(index)]", "must be positive")
        }
    }
}

extension OrdersV1.PutCartRequest {
    /// The owner, or INVALID_ARGUMENT naming every bad field (`items[2].quantity`).
    func validated() throws(RPCError) -> Owner {
        var violations = FieldViolations()
        let owner = ListRequestValidation.validatedOwner(self.owner, .cart, into: &violations)
        violations.check(version > 0, field: "version", "must be positive (a time in UTC ms or a counter)")
        violations.check(items.count <= ListAndCartLimits.cartLines, field: "items", "at most \(ListAndCartLimits.cartLines) lines")
        for (index, item) in items.prefix(ListAndCartLimits.cartLines).enumerated() {
            let field = "items[\(index)]"
            violations.checkText(item.article, field: field + ".article", required: true, maximum: ProductLimits.article)
            violations.check(
                item.quantity > 0 && item.quantity <= ListAndCartLimits.cartQuantity, field: field + ".quantity",
                "must be 1 to \(ListAndCartLimits.cartQuantity)")
            if let price = item.sitePrice {
                violations.check(
                    price.amountMinor >= 0 && price.amountMinor <= ProductLimits.price, field: field + ".site_price.amount_minor",
                    "must be 0 to \(ProductLimits.price)")
                violations.check(
                    Currency.isKnown(price.currency), field: field + ".site_price.currency", "must be an ISO 4217 code like RUB")
            }
            violations.checkText(item.name, field: field + ".name", required: false, maximum: ProductLimits.name)
        }
        try violations.throwIfAny()
        return owner!
    }
}
