import ChatPanelProto
import ChatPanelRPC

/// Limits of the orders' requests.
enum OrderLimits {
    static let items = 200
    static let quantity: Int64 = 1_000_000
    /// The highest unit price or delivery cost, minor units.
    static let price: Int64 = 1_000_000_000_000
    static let payments = 20
    static let text = 255
    static let postalCode = 20
    static let phone = 64
    static let timeSlot = 64
    static let defaultPageSize: UInt32 = 10
    static let maximumPageSize: UInt32 = 50
    static let productsPerAdd = 20
}

extension FieldViolations {
    /// Checks an order id and the version an update is based on.
    mutating func checkOrderUpdate(orderID: Int64, version: UInt64) {
        checkID(orderID, field: "order_id")
        check(version > 0, field: "version", "is required: the version of the order the change was made on")
    }

    /// Checks lines as the editor sends them (their references are checked by the store).
    mutating func checkItems(_ items: [OrdersV1.OrderItemInput], path: String = "items") {
        check(items.count <= OrderLimits.items, field: path, "at most \(OrderLimits.items) lines")
        var kept = Set<Int64>()
        for (index, item) in items.prefix(OrderLimits.items).enumerated() {
            let field = "\(path)[\(index)]"
            check(item.itemID >= 0, field: field + ".item_id", "must not be negative")
            if item.itemID > 0 && !kept.insert(item.itemID).inserted {
                add(field: field + ".item_id", "item \(item.itemID) is given twice")
            }
            if item.itemID == 0 { check(item.productID > 0, field: field + ".product_id", "is required for a new line") }
            check(item.productID >= 0, field: field + ".product_id", "must not be negative")
            check(
                item.quantity > 0 && item.quantity <= OrderLimits.quantity, field: field + ".quantity",
                "must be 1 to \(OrderLimits.quantity)")
            if let price = item.priceMinor {
                check(price >= 0 && price <= OrderLimits.price, field: field + ".price_minor", "must be 0 to \(OrderLimits.price)")
            }
            check(item.discountMinor >= 0, field: field + ".discount_minor", "must not be negative")
        }
    }

    /// Checks a one-time discount.
    mutating func checkDiscount(_ discount: OrdersV1.OrderDiscount?) {
        guard let discount else { return }
        check(discount.amountMinor >= 0, field: "discount.amount_minor", "must not be negative")
        check(discount.percentHundredths <= 10_000, field: "discount.percent_hundredths", "must be at most 10000 (100 %)")
        check(
            discount.amountMinor == 0 || discount.percentHundredths == 0, field: "discount",
            "give amount_minor or percent_hundredths, not both")
    }

    /// Cleans the delivery's text fields in place (trimmed, inner white space collapsed: a blank
    /// one is empty) and checks them and the date's format (whether it is past is the store's
    /// check), adding a violation under `path` for each bad one.
    mutating func cleanDelivery(_ delivery: inout OrdersV1.Delivery, path: String) {
        let text = TextRule(maxCharacters: OrderLimits.text)
        delivery.type = clean(delivery.type, field: "\(path).type", text) ?? delivery.type
        delivery.service = clean(delivery.service, field: "\(path).service", text) ?? delivery.service
        delivery.region = clean(delivery.region, field: "\(path).region", text) ?? delivery.region
        delivery.city = clean(delivery.city, field: "\(path).city", text) ?? delivery.city
        delivery.street = clean(delivery.street, field: "\(path).street", text) ?? delivery.street
        delivery.postalCode =
            clean(delivery.postalCode, field: "\(path).postal_code", TextRule(maxCharacters: OrderLimits.postalCode))
            ?? delivery.postalCode
        delivery.timeSlot =
            clean(delivery.timeSlot, field: "\(path).time_slot", TextRule(maxCharacters: OrderLimits.timeSlot)) ?? delivery.timeSlot
        if !delivery.date.isEmpty {
            check(CalendarDate(delivery.date) != nil, field: "\(path).date", "must be a date as YYYY-MM-DD")
        }
        check(
            delivery.costMinor >= 0 && delivery.costMinor <= OrderLimits.price, field: "\(path).cost_minor",
            "must be 0 to \(OrderLimits.price)")
    }

    /// ``cleanDelivery(_:path:)`` of a delivery that may be absent.
    mutating func cleanDelivery(_ delivery: inout OrdersV1.Delivery?, path: String) {
        guard var given = delivery else { return }
        cleanDelivery(&given, path: path)
        delivery = given
    }

    /// Cleans the contacts in place (trimmed, inner white space collapsed: a blank one is
    /// empty) and checks them: a phone number of digits with + ( ) - . and spaces, an e-mail
    /// address with an @.
    mutating func cleanContact(_ contact: inout OrdersV1.OrderContact?) {
        guard var cleaned = contact else { return }
        let text = TextRule(maxCharacters: OrderLimits.text)
        cleaned.firstName = clean(cleaned.firstName, field: "contact.first_name", text) ?? cleaned.firstName
        cleaned.lastName = clean(cleaned.lastName, field: "contact.last_name", text) ?? cleaned.lastName
        cleaned.phone = clean(cleaned.phone, field: "contact.phone", TextRule(maxCharacters: OrderLimits.phone)) ?? cleaned.phone
        cleaned.email = clean(cleaned.email, field: "contact.email", text) ?? cleaned.email
        if !cleaned.phone.isEmpty {
            let digits = cleaned.phone.utf8.count { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            check(
                cleaned.phone.utf8.allSatisfy { Self.phoneBytes.contains($0) } && (5...20).contains(digits), field: "contact.phone",
                "must be a phone number: 5 to 20 digits, with + ( ) - . and spaces only")
        }
        if !cleaned.email.isEmpty { check(cleaned.email.contains("@"), field: "contact.email", "must be an e-mail address") }
        contact = cleaned
    }

    private static let phoneBytes = Set("0123456789+()-. ".utf8)

    /// Checks the main fields: codes or empty, and an ISO 3166 country.
    mutating func checkMainFields(shop: String, orderType: String, orderMethod: String, country: String) {
        if !shop.isEmpty { checkCode(shop, field: "shop") }
        if !orderType.isEmpty { checkCode(orderType, field: "order_type") }
        if !orderMethod.isEmpty { checkCode(orderMethod, field: "order_method") }
        if !country.isEmpty {
            check(
                country.utf8.count == 2 && country.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") },
                field: "country", "must be an ISO 3166-1 alpha-2 code like RU")
        }
    }

    /// Checks payments against the configured payment types.
    mutating func checkPayments(_ payments: [OrdersV1.Payment], types: [OrdersConfiguration.PaymentType]) {
        check(payments.count <= OrderLimits.payments, field: "payments", "at most \(OrderLimits.payments)")
        var kept = Set<Int64>()
        for (index, payment) in payments.prefix(OrderLimits.payments).enumerated() {
            let field = "payments[\(index)]"
            check(payment.paymentID >= 0, field: field + ".payment_id", "must not be negative")
            if payment.paymentID > 0 && !kept.insert(payment.paymentID).inserted {
                add(field: field + ".payment_id", "payment \(payment.paymentID) is given twice")
            }
            check(
                types.contains { $0.code == payment.type }, field: field + ".type",
                payment.type.isEmpty ? "is required" : "no payment type has code \(payment.type)")
            check([.notPaid, .paid, .cancelled].contains(payment.status), field: field + ".status", "must be NOT_PAID, PAID or CANCELLED")
            check(
                payment.amountMinor > 0 && payment.amountMinor <= OrderPricing.maximumAmount, field: field + ".amount_minor",
                "must be 1 to \(OrderPricing.maximumAmount)")
            check(payment.paidAtMs >= 0, field: field + ".paid_at_ms", "must not be negative")
        }
    }
}

extension OrdersV1.CreateOrderRequest {
    /// Checks the request's own fields, cleaning its texts in place; INVALID_ARGUMENT naming
    /// every bad one.
    mutating func validate() throws(RPCError) {
        var violations = FieldViolations()
        violations.checkID(clientID, field: "client_id")
        violations.cleanContact(&contact)
        violations.cleanDelivery(&address, path: "address")
        violations.checkMainFields(shop: shop, orderType: orderType, orderMethod: orderMethod, country: country)
        violations.checkItems(items)
        for (index, item) in items.enumerated() where item.itemID != 0 {
            violations.add(field: "items[\(index)].item_id", "must be 0: a new order has no lines yet")
        }
        try violations.throwIfAny()
    }
}

extension OrdersV1.ListOrdersRequest {
    /// The page asked for, or INVALID_ARGUMENT.
    func validated() throws(RPCError) -> OrderPage {
        var violations = FieldViolations()
        violations.checkID(clientID, field: "client_id")
        violations.check(pageSize <= OrderLimits.maximumPageSize, field: "page_size", "must be at most \(OrderLimits.maximumPageSize)")
        let after = pageToken.isEmpty ? nil : OrderCursor(token: pageToken)
        if !pageToken.isEmpty {
            if let after {
                violations.check(after.clientID == clientID, field: "page_token", "belongs to another client's list")
            } else {
                violations.add(field: "page_token", "is not a page token of this list")
            }
        }
        try violations.throwIfAny()
        return OrderPage(clientID: clientID, size: Int(pageSize == 0 ? OrderLimits.defaultPageSize : pageSize), after: after)
    }
}
