public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

extension OrdersStore {
    /// Starts a draft for a client (ORDER-1, ORDER-2, ORDER-4) in the first configured status,
    /// prefilled with the contacts, address and fields given, managed by `managerID`.
    ///
    /// - Throws: ALREADY_EXISTS with the client's draft (an OrderResponse) in the details when
    ///   it has one: the partial unique index `customer_order_one_draft` refuses a second,
    ///   whoever writes it. INVALID_ARGUMENT naming bad items (`items[0].product_id`).
    public func createOrder(
        _ request: OrdersV1.CreateOrderRequest, by managerID: Int64, settings: OrdersConfiguration, requestID: String
    ) async throws -> OrdersV1.OrderResponse {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.createOrder.path) { db in
            guard case .client(let clientID) = try OwnerMoves.resolve(.client(request.clientID), db) else { throw RPCError.internal }
            var order = Self.newDraft(clientID: clientID, managerID: managerID, settings: settings, time: now())
            order.contact = request.contact ?? OrdersV1.OrderContact()
            var delivery = OrdersV1.Delivery()
            if let address = request.address {
                delivery.region = address.region
                delivery.city = address.city
                delivery.street = address.street
                delivery.postalCode = address.postalCode
            }
            order.delivery = delivery
            order.shop = request.shop
            order.orderType = request.orderType
            order.orderMethod = request.orderMethod
            order.country = request.country
            var check = OrderCheck()
            try Self.applyItems(request.items, to: &order, db, settings, into: &check)
            try check.throwIfAny()
            try Self.applyLevel(db, &order, settings)
            OrderCalculation.reprice(&order, requiring: nil, settings: settings, into: &check)
            try check.throwIfAny()
            try Self.insertDraft(db, &order, settings)
            try db.recordChanges([.order], clientID: clientID, at: now())
            var response = OrdersV1.OrderResponse()
            response.order = order
            return response
        }
    }

    /// Loads orders in one transaction (a shop's import, the benchmark's seed): each is made as
    /// CreateOrder makes a draft, then placed in `status` when one is given (that status's
    /// required fields checked) — a client keeps at most one draft here too. Answers how many
    /// were loaded.
    ///
    /// - Throws: INVALID_ARGUMENT naming the bad order (`orders[3].items[0].product_id`); nothing
    ///   is loaded then.
    public func importOrders(
        _ requests: [OrdersV1.CreateOrderRequest], status code: String?, by managerID: Int64, settings: OrdersConfiguration
    )
        async throws -> Int
    {
        let status = try code.map { code in
            guard let status = settings.statuses.first(where: { $0.code == code }) else {
                throw RPCError.invalidArgument(field: "status", "no status has code \(code)")
            }
            return status
        }
        let now = database.now
        return try await database.write { db in
            for (index, request) in requests.enumerated() {
                var order = Self.newDraft(clientID: request.clientID, managerID: managerID, settings: settings, time: now())
                order.contact = request.contact ?? OrdersV1.OrderContact()
                order.shop = request.shop
                order.orderType = request.orderType
                order.orderMethod = request.orderMethod
                order.country = request.country
                if let status {
                    order.draft = false
                    order.status = OrdersConfiguration.proto(status)
                }
                // The order's problems, named under orders[index].
                func refuse(_ check: OrderCheck) throws(RPCError) {
                    var named = OrderCheck()
                    for violation in check.fields.all {
                        named.fields.add(field: "orders[\(index)].\(violation.field)", violation.description)
                    }
                    named.orderErrors = check.orderErrors.map { "orders[\(index)]: \($0)" }
                    try named.throwIfAny()
                }
                var check = OrderCheck()
                try Self.applyItems(request.items, to: &order, db, settings, into: &check)
                try refuse(check)
                try Self.applyLevel(db, &order, settings)
                OrderCalculation.reprice(&order, requiring: status, settings: settings, into: &check)
                try refuse(check)
                try Self.insertDraft(db, &order, settings)
            }
            // One change for every client, not one per imported order.
            try db.recordChanges([.order], at: now())
            return requests.count
        }
    }

    /// One order, or nil.
    public func order(id: Int64, settings: OrdersConfiguration) async throws -> OrdersV1.Order? {
        try await database.read { db in try OrderRecords.fetch(db, id: id, settings) }
    }

    /// A page of a client's orders, newest first (the draft among them by its creation time):
    /// a `ListOrdersResponse` on the wire, each order as the store keeps it.
    func listOrders(_ page: OrderPage, managerID: Int64, settings: OrdersConfiguration, encodedSettings: EncodedOrderSettings)
        async throws -> OrdersV1.ListOrdersResponseView
    {
        let time = now()
        return try await database.read { db in
            try Self.listOrders(db, page, settings, encodedSettings, managerID: managerID, time: time)
        }
    }

    /// Saves the items section (ORDER-5): the whole list of lines and the one-time discount.
    public func saveOrderItems(_ request: OrdersV1.SaveOrderItemsRequest, settings: OrdersConfiguration, requestID: String) async throws
        -> OrdersV1.OrderResponse
    {
        try await updateOrder(
            request.orderID, version: request.version, method: OrdersV1.Orders.saveOrderItems.path, settings: settings,
            requestID: requestID
        ) { order, check, db, _ in
            try Self.applyItems(request.items, to: &order, db, settings, into: &check)
            let discount = request.discount ?? OrdersV1.OrderDiscount()
            order.discount = discount.amountMinor == 0 && discount.percentHundredths == 0 ? nil : discount
        }
    }

    /// Saves the delivery section (ORDER-7), its address cleared when asked. A date set or
    /// changed may not be before today (UTC); a cost by the rules is computed on every save.
    public func saveOrderDelivery(
        _ request: OrdersV1.SaveOrderDeliveryRequest, settings: OrdersConfiguration, requestID: String
    ) async throws -> OrdersV1.OrderResponse {
        try await updateOrder(
            request.orderID, version: request.version, method: OrdersV1.Orders.saveOrderDelivery.path, settings: settings,
            requestID: requestID
        ) { order, check, _, time in
            var delivery = request.delivery ?? OrdersV1.Delivery()
            delivery.costDetails = ""
            if request.clearAddress {
                delivery.region = ""
                delivery.city = ""
                delivery.street = ""
                delivery.postalCode = ""
            }
            if delivery.date != order.delivery?.date, let date = CalendarDate(delivery.date) {
                let today = CalendarDate(utcMilliseconds: time)
                check.fields.check(date >= today, field: "delivery.date", "must not be in the past (today is \(today.text), UTC)")
            }
            order.delivery = delivery
        }
    }

    /// Saves the payment section (ORDER-8): the whole list. A payment that becomes paid
    /// without a time is stamped now; payment ids are kept, new ones numbered on.
    public func saveOrderPayments(
        _ request: OrdersV1.SaveOrderPaymentsRequest, settings: OrdersConfiguration, requestID: String
    ) async throws -> OrdersV1.OrderResponse {
        try await updateOrder(
            request.orderID, version: request.version, method: OrdersV1.Orders.saveOrderPayments.path, settings: settings,
            requestID: requestID
        ) { order, check, _, time in
            let existing = Set(order.payments.map(\.paymentID))
            var nextID = (existing.max() ?? 0) + 1
            var payments: [OrdersV1.Payment] = []
            for (index, input) in request.payments.enumerated() {
                var payment = input
                if payment.paymentID == 0 {
                    payment.paymentID = nextID
                    nextID += 1
                } else if !existing.contains(payment.paymentID) {
                    check.fields.add(field: "payments[\(index)].payment_id", "the order has no payment \(payment.paymentID)")
                }
                if payment.status != .paid {
                    payment.paidAtMs = 0  // only a paid payment has a time of payment
                } else if payment.paidAtMs == 0 {
                    payment.paidAtMs = time
                } else if payment.paidAtMs > time + Self.clockSkewMs {
                    check.fields.add(field: "payments[\(index)].paid_at_ms", "must not be in the future")
                }
                payment.typeName = settings.paymentTypes.first { $0.code == payment.type }?.name ?? payment.type
                payments.append(payment)
            }
            order.payments = payments
        }
    }

    /// How far ahead of the service's clock a time given by a caller may be (their clocks
    /// differ), milliseconds: one hour.
    static let clockSkewMs: Int64 = 3_600_000

    /// Saves the main fields and the custom fields given (ORDER-9), and the contacts.
    public func saveOrderFields(_ request: OrdersV1.SaveOrderFieldsRequest, settings: OrdersConfiguration, requestID: String) async throws
        -> OrdersV1.OrderResponse
    {
        try await updateOrder(
            request.orderID, version: request.version, method: OrdersV1.Orders.saveOrderFields.path, settings: settings,
            requestID: requestID
        ) { order, check, _, _ in
            Self.applyCustomFields(request.customFields, to: &order, settings, into: &check)
            order.contact = request.contact ?? OrdersV1.OrderContact()
            order.shop = request.shop
            order.orderType = request.orderType
            order.orderMethod = request.orderMethod
            order.country = request.country
            if request.managerID != 0 { order.managerID = request.managerID }
        }
    }

    /// Changes the status (ORDER-11), placing a draft; the new status's required fields are
    /// checked with everything else. A completed order credits the bonuses it earns; one that
    /// leaves the completed statuses withdraws what is left of them; a cancelled one gives back
    /// those it spent.
    ///
    /// - Throws: INVALID_ARGUMENT naming `status` when no status has that code.
    public func changeOrderStatus(
        _ request: OrdersV1.ChangeOrderStatusRequest, settings: OrdersConfiguration, requestID: String
    ) async throws -> OrdersV1.OrderResponse {
        guard let status = settings.status(request.status) else {
            throw RPCError.invalidArgument(field: "status", "no status has code \(request.status)")
        }
        return try await updateOrder(
            request.orderID, version: request.version, method: OrdersV1.Orders.changeOrderStatus.path, settings: settings,
            requestID: requestID
        ) { order, _, _, _ in
            order.status = status
            order.draft = false
            // A cancelled order gives back the bonuses it spent.
            if status.group == .cancel { order.loyalty?.bonusesSpent = 0 }
        }
    }

    /// Adds products to the client's draft (PRODUCT-4, CART-2), making the draft when there is
    /// none: a product already on it gets one more unit, a new one a line at its catalog price.
    ///
    /// - Throws: FAILED_PRECONDITION when the owner is not (or was not moved into) a client;
    ///   NOT_FOUND naming `product_ids[i]` of products that do not exist; INVALID_ARGUMENT naming
    ///   `product_ids[i]` for a product without a price in the order's currency, or one whose
    ///   line holds the most a line may.
    public func addToOrder(owner: Owner, productIDs: [Int64], by managerID: Int64, settings: OrdersConfiguration, requestID: String)
        async throws -> OrdersV1.AddToOrderResponse
    {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: OrdersV1.Orders.addToOrder.path) { db in
            guard case .client(let clientID) = try OwnerMoves.resolve(owner, db) else {
                throw RPCError.failedPrecondition(
                    "an order belongs to a client: save the dialog's contact as a client first, then add the products to its order")
            }
            let time = now()
            let existing = try OrderRecords.draft(db, clientID: clientID, settings)
            var order = existing ?? Self.newDraft(clientID: clientID, managerID: managerID, settings: settings, time: time)
            var inputs = order.items.map { item in
                var input = OrdersV1.OrderItemInput()
                input.itemID = item.itemID
                input.quantity = item.quantity
                input.discountMinor = item.discount?.amountMinor ?? 0
                return input
            }
            let products = try ProductRecord.fetch(db, ids: productIDs)
            var check = OrderCheck()
            let priceType = try Self.orderPriceType(db, settings)
            for (index, (id, product)) in zip(productIDs, products).enumerated() {
                let line =
                    order.items.firstIndex(where: { $0.productID == id })
                    ?? inputs.firstIndex(where: { $0.itemID == 0 && $0.productID == id })
                if let line {
                    guard inputs[line].quantity < OrderLimits.quantity else {
                        check.fields.add(
                            field: "product_ids[\(index)]",
                            "the order has \(OrderLimits.quantity) of \(product.input.article) already, the most a line may hold")
                        continue
                    }
                    inputs[line].quantity += 1
                } else if Self.catalogPrice(product, priceType, currency: order.currency) == nil {
                    check.fields.add(
                        field: "product_ids[\(index)]",
                        "the catalog has no \(order.currency) price of \(product.input.article): add it in the order editor with a price")
                } else {
                    var input = OrdersV1.OrderItemInput()
                    input.productID = id
                    input.quantity = 1
                    inputs.append(input)
                }
            }
            try check.throwIfAny()
            try Self.applyItems(inputs, to: &order, db, settings, into: &check)
            try check.throwIfAny()
            try Self.applyLevel(db, &order, settings)
            OrderCalculation.reprice(&order, requiring: nil, settings: settings, into: &check)
            try check.throwIfAny()
            order.updatedAtMs = time
            if existing == nil {
                try Self.insertDraft(db, &order, settings)
            } else {
                order.version += 1
                try OrderRecords.update(db, order)
            }
            try db.recordChanges([.order], clientID: clientID, at: time)
            var response = OrdersV1.AddToOrderResponse()
            response.orderNumber = order.number
            response.order = order
            return response
        }
    }

    /// A change of one section of an order: loads it, refuses a stale version (ABORTED with the
    /// current order), applies `change`, reprices and checks the whole order (the fields its
    /// status requires unless it is a draft), and writes it with the next version; a refusal
    /// writes nothing.
    func updateOrder(
        _ id: Int64, version: UInt64, method: String, settings: OrdersConfiguration, requestID: String,
        _ change: @escaping @Sendable (inout OrdersV1.Order, inout OrderCheck, Database, Int64) throws -> Void
    ) async throws -> OrdersV1.OrderResponse {
        let now = database.now
        return try await database.idempotentWrite(requestID: requestID, method: method) { db in
            var order = try Self.current(db, id, version: version, settings)
            let time = now()
            var check = OrderCheck()
            try change(&order, &check, db, time)
            try check.throwIfAny()
            let required = order.draft ? nil : settings.statuses.first { $0.code == order.status?.code }
            try Self.applyLevel(db, &order, settings)
            OrderCalculation.reprice(&order, requiring: required, settings: settings, into: &check)
            if check.isEmpty { try Self.settleBonuses(db, &order, settings, time: time, into: &check) }
            try check.throwIfAny()
            order.version += 1
            order.updatedAtMs = time
            try OrderRecords.update(db, order)
            try db.recordChanges([.order], clientID: order.clientID, at: time)
            var response = OrdersV1.OrderResponse()
            response.order = order
            return response
        }
    }

    /// A new, empty draft in the first status.
    static func newDraft(clientID: Int64, managerID: Int64, settings: OrdersConfiguration, time: Int64) -> OrdersV1.Order {
        var order = OrdersV1.Order()
        order.clientID = clientID
        order.draft = true
        order.status = settings.statuses.first.map(OrdersConfiguration.proto)
        order.version = 1
        order.createdAtMs = time
        order.updatedAtMs = time
        order.managerID = managerID
        order.currency = settings.currency
        order.contact = OrdersV1.OrderContact()
        order.delivery = OrdersV1.Delivery()
        return order
    }

    /// Inserts a new draft, answering ALREADY_EXISTS with the client's draft when it has one.
    static func insertDraft(_ db: Database, _ order: inout OrdersV1.Order, _ settings: OrdersConfiguration) throws {
        do {
            try OrderRecords.insert(db, &order, numberPrefix: settings.numberPrefix)
        } catch  where OrderRecords.isSecondDraft(error) {
            var draft = OrdersV1.OrderResponse()
            draft.order = try OrderRecords.draft(db, clientID: order.clientID, settings)
            throw RPCError(
                code: .alreadyExists,
                message: "client \(order.clientID) has a draft already (order \(draft.order?.number ?? "")): a client keeps at most one",
                details: try draft.serializedBytes())
        }
    }

    /// Replaces `order`'s lines by `inputs`: a kept line (its item_id) takes the quantity,
    /// discount and the price when given; a new line snapshots its product's article, name,
    /// weight and catalog price (the original price), priced at the given price or that one.
    static func applyItems(
        _ inputs: [OrdersV1.OrderItemInput], to order: inout OrdersV1.Order, _ db: Database, _ settings: OrdersConfiguration,
        into check: inout OrderCheck
    ) throws {
        let existing = Dictionary(order.items.map { ($0.itemID, $0) }, uniquingKeysWith: { first, _ in first })
        var nextID = (existing.keys.max() ?? 0) + 1
        let type = try orderPriceType(db, settings)
        let currency = order.currency
        var items: [OrdersV1.OrderItem] = []
        for (index, input) in inputs.enumerated() {
            let field = "items[\(index)]"
            var item: OrdersV1.OrderItem
            if input.itemID != 0 {
                guard let kept = existing[input.itemID] else {
                    check.fields.add(field: field + ".item_id", "the order has no item \(input.itemID)")
                    continue
                }
                if input.productID != 0 && input.productID != kept.productID {
                    check.fields.add(
                        field: field + ".product_id", "a kept line keeps its product (\(kept.productID)): add a new line instead")
                }
                item = kept
                if let price = input.priceMinor { item.price = Currency.money(price, currency) }
            } else {
                guard let product = try ProductRecord.fetch(db, id: input.productID) else {
                    check.fields.add(field: field + ".product_id", "no product has id \(input.productID)")
                    continue
                }
                let catalogPrice = catalogPrice(product, type, currency: currency)
                guard let price = input.priceMinor ?? catalogPrice else {
                    check.fields.add(
                        field: field + ".price_minor",
                        "the catalog has no \(currency) price of \(product.input.article) in the order's price type: give one")
                    continue
                }
                item = OrdersV1.OrderItem()
                item.itemID = nextID
                nextID += 1
                item.productID = product.id
                item.article = product.input.article
                item.name = product.input.name
                item.weightGrams = product.input.weightGrams
                item.originalPrice = Currency.money(catalogPrice ?? price, currency)
                item.price = Currency.money(price, currency)
            }
            item.quantity = input.quantity
            item.discount = Currency.money(input.discountMinor, currency)
            items.append(item)
        }
        order.items = items
    }

    /// The catalog price type lines are priced from (the configured one, or the base one).
    static func orderPriceType(_ db: Database, _ settings: OrdersConfiguration) throws -> PriceTypeRecord? {
        let references = try CatalogReferences.loadPriceTypes(db)
        return settings.priceType.isEmpty ? references.base : references.priceTypes[settings.priceType]
    }

    /// A product's price in `type` when that type is in the order's currency.
    static func catalogPrice(_ product: ProductRecord, _ type: PriceTypeRecord?, currency: String) -> Int64? {
        guard let type, type.currency == currency else { return nil }
        return product.price(in: type)
    }

    /// A page of a client's orders (resolved through merges), inside a transaction; the first
    /// page brings the settings (with `managerID`'s pinned fields) and the client's loyalty
    /// account. Each order is left encoded as the store keeps it (``OrderRecords/encodedOrder(_:_:)``):
    /// the answer is a `ListOrdersResponse` on the wire, and the panel forwards it unread.
    ///
    /// `resolvedClientID`: the page's client already resolved through merges (the panel's data
    /// resolves it once for the list, the cart and the orders).
    static func listOrders(
        _ db: Database, _ page: OrderPage, _ settings: OrdersConfiguration, _ encodedSettings: EncodedOrderSettings, managerID: Int64,
        time: Int64, resolvedClientID: Int64? = nil
    ) throws -> OrdersV1.ListOrdersResponseView {
        let clientID: Int64
        if let resolvedClientID {
            clientID = resolvedClientID
        } else {
            guard case .client(let resolved) = try OwnerMoves.resolve(.client(page.clientID), db) else { return .init() }
            clientID = resolved
        }
        let sql: String
        let arguments: PositionalArguments
        if let after = page.after {
            sql = """
                SELECT \(OrderRecords.columns) FROM customer_order
                WHERE client_id = ? AND (created_at_ms, id) < (?, ?)
                ORDER BY created_at_ms DESC, id DESC LIMIT ?
                """
            arguments = [clientID, after.createdAt, after.orderID, page.size + 1]
        } else {
            sql = """
                SELECT \(OrderRecords.columns) FROM customer_order WHERE client_id = ?
                ORDER BY created_at_ms DESC, id DESC LIMIT ?
                """
            arguments = [clientID, page.size + 1]
        }
        var response = OrdersV1.ListOrdersResponseView()
        // Each order encoded as it comes, its stored body read where SQLite holds it. One row
        // more than the page tells that there is a next page.
        var count = 0
        var last: OrderCursor?
        try db.forEachPositionalRow(sql: sql, arguments) { row in
            count += 1
            guard count <= page.size else { return }
            response.orders.append(try OrderRecords.encodedOrder(row, settings))
            last = OrderCursor(clientID: page.clientID, createdAt: row[6], orderID: row[0])
        }
        if count > page.size, let last { response.nextPageToken = last.token }
        if page.after == nil {
            response.settings = try encodedSettings.withPinnedFields(try pinnedFields(db, managerID: managerID, settings))
            response.loyalty = try loyaltyAccount(db, clientID: clientID, settings, time: time)?.serializedBytes() ?? []
        }
        return response
    }
}
