import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import OrdersService
import Testing

/// Orders over the real socket: drafts and the one-draft rule, totals and their rounding,
/// versions, validation paths, statuses, payments, paging, adding from the list and the cart,
/// and merges.
@Suite struct OrderContractTests {
    /// A line of a new order or a new line: a product, a quantity, an optional price and discount.
    static func line(_ productID: Int64, _ quantity: Int64 = 1, price: Int64? = nil, discount: Int64 = 0) -> OrdersV1.OrderItemInput {
        var item = OrdersV1.OrderItemInput()
        item.productID = productID
        item.quantity = quantity
        item.priceMinor = price
        item.discountMinor = discount
        return item
    }

    /// A kept line.
    static func kept(_ item: OrdersV1.OrderItem, quantity: Int64? = nil, price: Int64? = nil, discount: Int64? = nil)
        -> OrdersV1.OrderItemInput
    {
        var input = OrdersV1.OrderItemInput()
        input.itemID = item.itemID
        input.quantity = quantity ?? item.quantity
        input.priceMinor = price
        input.discountMinor = discount ?? item.discount?.amountMinor ?? 0
        return input
    }

    static func create(
        _ service: OrdersHarness, client: Int64, _ items: [OrdersV1.OrderItemInput] = [], as caller: RPCV1.Caller = .manager(3)
    )
        async throws -> OrdersV1.Order
    {
        var request = OrdersV1.CreateOrderRequest()
        request.clientID = client
        request.items = items
        return try #require(try await service.call(OrdersV1.Orders.createOrder, request, as: caller).order)
    }

    static func saveItems(
        _ service: OrdersHarness, _ order: OrdersV1.Order, _ items: [OrdersV1.OrderItemInput], amount: Int64 = 0, percent: UInt32 = 0
    ) async throws -> OrdersV1.Order {
        var request = OrdersV1.SaveOrderItemsRequest()
        request.orderID = order.orderID
        request.version = order.version
        request.items = items
        var discount = OrdersV1.OrderDiscount()
        discount.amountMinor = amount
        discount.percentHundredths = percent
        request.discount = discount
        return try #require(try await service.call(OrdersV1.Orders.saveOrderItems, request).order)
    }

    static func payment(_ type: String, _ amount: Int64, _ status: OrdersV1.PaymentStatus, id: Int64 = 0) -> OrdersV1.Payment {
        var payment = OrdersV1.Payment()
        payment.paymentID = id
        payment.type = type
        payment.amountMinor = amount
        payment.status = status
        return payment
    }

    static func savePayments(_ service: OrdersHarness, _ order: OrdersV1.Order, _ payments: [OrdersV1.Payment]) async throws
        -> OrdersV1.Order
    {
        var request = OrdersV1.SaveOrderPaymentsRequest()
        request.orderID = order.orderID
        request.version = order.version
        request.payments = payments
        return try #require(try await service.call(OrdersV1.Orders.saveOrderPayments, request).order)
    }

    static func changeStatus(_ service: OrdersHarness, _ order: OrdersV1.Order, _ status: String) async throws -> OrdersV1.Order {
        var request = OrdersV1.ChangeOrderStatusRequest()
        request.orderID = order.orderID
        request.version = order.version
        request.status = status
        return try #require(try await service.call(OrdersV1.Orders.changeOrderStatus, request).order)
    }

    /// The order with its contact's phone set.
    static func savePhone(_ service: OrdersHarness, _ order: OrdersV1.Order, _ phone: String) async throws -> OrdersV1.Order {
        var request = OrdersV1.SaveOrderFieldsRequest()
        request.orderID = order.orderID
        request.version = order.version
        var contact = OrdersV1.OrderContact()
        contact.phone = phone
        request.contact = contact
        return try #require(try await service.call(OrdersV1.Orders.saveOrderFields, request).order)
    }

    /// The order with its delivery's type, city and street set.
    static func saveDelivery(_ service: OrdersHarness, _ order: OrdersV1.Order, type: String, city: String, street: String)
        async throws -> OrdersV1.Order
    {
        var request = OrdersV1.SaveOrderDeliveryRequest()
        request.orderID = order.orderID
        request.version = order.version
        var delivery = OrdersV1.Delivery()
        (delivery.type, delivery.city, delivery.street) = (type, city, street)
        request.delivery = delivery
        return try #require(try await service.call(OrdersV1.Orders.saveOrderDelivery, request).order)
    }

    static func get(_ service: OrdersHarness, _ id: Int64) async throws -> OrdersV1.Order {
        var request = OrdersV1.GetOrderRequest()
        request.orderID = id
        return try #require(try await service.call(OrdersV1.Orders.getOrder, request).order)
    }

    @Test func aNewOrderIsADraftPrefilledFromTheClientAndAClientKeepsOne() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            try await service.loadCatalog()
            let coffee = try await service.productID("KF-100")
            var request = OrdersV1.CreateOrderRequest()
            request.clientID = 42
            var contact = OrdersV1.OrderContact()
            contact.firstName = "Анна"
            contact.phone = "+79161234567"
            request.contact = contact
            var address = OrdersV1.Delivery()
            address.city = "Москва"
            address.street = "Тверская, 1"
            address.costMinor = 99_999
            request.address = address
            request.items = [Self.line(coffee, 2)]
            let order = try #require(try await service.call(OrdersV1.Orders.createOrder, request, as: .manager(3)).order)
            #expect(order.draft && order.status?.code == "new" && order.status?.group == .new && order.version == 1)
            #expect(order.number == String(order.orderID) && order.clientID == 42 && order.managerID == 3 && order.currency == "RUB")
            #expect(order.contact?.firstName == "Анна" && order.delivery?.city == "Москва" && order.delivery?.costMinor == 0)
            let item = try #require(order.items.first)
            #expect(item.article == "KF-100" && item.name == "Кофеварка капельная Bosch" && item.quantity == 2)
            #expect(item.price?.amountMinor == 499_000 && item.originalPrice?.amountMinor == 499_000)
            #expect(order.totals?.goods?.amountMinor == 998_000 && order.totals?.total?.text == "9\u{00A0}980,00\u{00A0}₽")
            #expect(order.totals?.weightGrams == 3000 && order.paymentState == .unpaid)
            // A second draft is refused with the first one in the details.
            let error = await expectError(.alreadyExists) { _ = try await service.call(OrdersV1.Orders.createOrder, request) }
            #expect(error?.decodedDetails(as: OrdersV1.OrderResponse.self)?.order?.orderID == order.orderID)
            // Another client gets their own.
            #expect(try await Self.create(service, client: 43).draft)
        }
    }

    @Test func twoConcurrentCreatesMakeOneDraft() async throws {
        try await withOrdersService { service in
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await Self.create(service, client: 77)
                            return true
                        } catch let error as RPCError where error.code == .alreadyExists {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            var list = OrdersV1.ListOrdersRequest()
            list.clientID = 77
            #expect(try await service.call(OrdersV1.Orders.listOrders, list).orders.count == 1)
        }
    }

    @Test func totalsSpreadTheOrderDiscountExactlyByLargestRemainder() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let kettle = try await service.productID("CH-1")
            let order = try await Self.create(service, client: 5)
            // Lines of 3 × 10,00 − 5,00 own discount; 3,33; 1,67: 30,00 after the lines' discounts.
            let lines = [
                Self.line(kettle, 3, price: 1000, discount: 500), Self.line(kettle, 1, price: 333), Self.line(kettle, 1, price: 167),
            ]
            let byMoney = try await Self.saveItems(service, order, lines, amount: 100)
            #expect(byMoney.items.map { $0.orderDiscount?.amountMinor } == [83, 11, 6])
            #expect(byMoney.items.map { $0.total?.amountMinor } == [2417, 322, 161])
            let totals = try #require(byMoney.totals)
            #expect(totals.goods?.amountMinor == 3500 && totals.itemDiscounts?.amountMinor == 500)
            #expect(
                totals.orderDiscount?.amountMinor == 100 && totals.totalDiscounts?.amountMinor == 600 && totals.total?.amountMinor == 2900)
            // 12.5 % of 30,00 is 3,75: 312.5 / 41.625 / 20.875 → 312, 42, 21.
            let kept = byMoney.items.map { Self.kept($0) }
            let byPercent = try await Self.saveItems(service, byMoney, kept, percent: 1250)
            #expect(byPercent.items.map { $0.orderDiscount?.amountMinor } == [312, 42, 21])
            #expect(byPercent.totals?.orderDiscount?.amountMinor == 375 && byPercent.totals?.total?.amountMinor == 2625)
            // 0.05 % of 30,00 is 1.5 kopecks: rounded half up to 2.
            let halfUp = try await Self.saveItems(service, byPercent, kept, percent: 5)
            #expect(halfUp.totals?.orderDiscount?.amountMinor == 2 && halfUp.items.map { $0.orderDiscount?.amountMinor } == [2, 0, 0])
            // A discount of everything leaves nothing to pay, the parts still adding up.
            let whole = try await Self.saveItems(service, halfUp, kept, percent: 10_000)
            #expect(whole.items.map { $0.orderDiscount?.amountMinor } == [2500, 333, 167] && whole.totals?.total?.amountMinor == 0)
            // Above the goods, or a line's discount above its line: refused, nothing written.
            let tooMuch = await expectError(.invalidArgument, fields: ["discount.amount_minor"]) {
                _ = try await Self.saveItems(service, whole, kept, amount: 3001)
            }
            #expect(tooMuch?.message.contains("the order was not saved") == true)
            await expectError(.invalidArgument, fields: ["items[1].discount_minor"]) {
                _ = try await Self.saveItems(service, whole, [kept[0], Self.kept(whole.items[1], discount: 334), kept[2]])
            }
            await expectError(.invalidArgument, fields: ["discount"]) {
                _ = try await Self.saveItems(service, whole, kept, amount: 10, percent: 10)
            }
            #expect(try await Self.get(service, order.orderID).version == whole.version)
        }
    }

    @Test func linesKeepTheirCatalogSnapshotAndTheOriginalPrice() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let coffee = try await service.productID("KF-100")
            let order = try await Self.create(service, client: 8, [Self.line(coffee)])
            let repriced = try await Self.saveItems(service, order, [Self.kept(order.items[0], quantity: 2, price: 450_000)])
            #expect(repriced.items[0].price?.amountMinor == 450_000 && repriced.items[0].originalPrice?.amountMinor == 499_000)
            var upsert = OrdersV1.UpsertProductsRequest()
            var changed = Catalog.products[0]
            changed.name = "Кофеварка переименованная"
            changed.prices[0].amountMinor = 1
            upsert.products = [changed]
            _ = try await service.call(OrdersV1.Orders.upsertProducts, upsert, as: .editor)
            let after = try await Self.get(service, order.orderID)
            #expect(after.items[0].name == "Кофеварка капельная Bosch" && after.items[0].originalPrice?.amountMinor == 499_000)
            #expect(after.totals?.goods?.amountMinor == 900_000)
            // A kept line without a price keeps its price; a product without a catalog price needs one.
            let noPrice = try await service.productID("NP-1")
            await expectError(.invalidArgument, fields: ["items[1].price_minor"]) {
                _ = try await Self.saveItems(service, after, [Self.kept(after.items[0]), Self.line(noPrice)])
            }
            let priced = try await Self.saveItems(service, after, [Self.kept(after.items[0]), Self.line(noPrice, price: 70_000)])
            #expect(priced.items.map(\.itemID) == [1, 2] && priced.items[1].originalPrice?.amountMinor == 70_000)
            #expect(priced.items[0].price?.amountMinor == 450_000)
            // Removing a line: it is not sent.
            let removed = try await Self.saveItems(service, priced, [Self.kept(priced.items[1])])
            #expect(removed.items.map(\.article) == ["NP-1"] && removed.totals?.goods?.amountMinor == 70_000)
        }
    }

    @Test func aStaleVersionIsAbortedWithTheCurrentOrder() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let order = try await Self.create(service, client: 9, [Self.line(try await service.productID("EL-2"))])
            let first = try await Self.saveItems(service, order, [Self.kept(order.items[0], quantity: 2)])
            #expect(first.version == 2)
            // The second tab still holds version 1.
            let error = await expectError(.aborted) {
                _ = try await Self.saveItems(service, order, [Self.kept(order.items[0], quantity: 5)])
            }
            let current = try #require(error?.decodedDetails(as: OrdersV1.OrderResponse.self)?.order)
            #expect(current.version == 2 && current.items[0].quantity == 2)
            var fields = OrdersV1.SaveOrderFieldsRequest()
            fields.orderID = order.orderID
            fields.version = 1
            await expectError(.aborted) { _ = try await service.call(OrdersV1.Orders.saveOrderFields, fields) }
            fields.version = 0
            await expectError(.invalidArgument, fields: ["version"]) { _ = try await service.call(OrdersV1.Orders.saveOrderFields, fields) }
            fields.orderID = 424_242
            fields.version = 1
            await expectError(.notFound) { _ = try await service.call(OrdersV1.Orders.saveOrderFields, fields) }
            #expect(try await Self.get(service, order.orderID).items[0].quantity == 2)
        }
    }

    @Test func everyBadFieldIsNamedByItsPathAndNothingIsWritten() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            try await service.loadCatalog()
            let kettle = try await service.productID("CH-1")
            let order = try await Self.create(service, client: 10, [Self.line(kettle)])
            var items = OrdersV1.SaveOrderItemsRequest()
            items.orderID = order.orderID
            items.version = order.version
            items.items = [Self.kept(order.items[0]), Self.line(kettle, 2, price: -1), Self.line(kettle, 0), Self.line(0)]
            await expectError(
                .invalidArgument,
                fields: ["items[1].price_minor", "items[2].quantity", "items[3].product_id"]
            ) { _ = try await service.call(OrdersV1.Orders.saveOrderItems, items) }
            items.items = [Self.line(424_242), Self.kept(order.items[0]), Self.kept(order.items[0])]
            await expectError(.invalidArgument, fields: ["items[2].item_id"]) {
                _ = try await service.call(OrdersV1.Orders.saveOrderItems, items)
            }
            items.items = [
                Self.line(424_242),
                {
                    var missing = Self.kept(order.items[0]); missing.itemID = 99; return missing
                }(),
            ]
            await expectError(.invalidArgument, fields: ["items[0].product_id", "items[1].item_id"]) {
                _ = try await service.call(OrdersV1.Orders.saveOrderItems, items)
            }
            // Delivery: a date in the past (the clock says 2027-01-15), a date that is no date, a negative cost.
            var delivery = OrdersV1.SaveOrderDeliveryRequest()
            delivery.orderID = order.orderID
            delivery.version = order.version
            var fields = OrdersV1.Delivery()
            fields.date = "2027-01-14"
            delivery.delivery = fields
            let past = await expectError(.invalidArgument, fields: ["delivery.date"]) {
                _ = try await service.call(OrdersV1.Orders.saveOrderDelivery, delivery)
            }
            #expect(past?.violations.first?.description.contains("2027-01-15") == true)
            fields.date = "2027-02-30"
            fields.costMinor = -5
            fields.postalCode = String(repeating: "1", count: 21)
            delivery.delivery = fields
            await expectError(.invalidArgument, fields: ["delivery.date", "delivery.cost_minor", "delivery.postal_code"]) {
                _ = try await service.call(OrdersV1.Orders.saveOrderDelivery, delivery)
            }
            fields = OrdersV1.Delivery()
            fields.date = "2027-01-15"
            fields.costMinor = 30_000
            delivery.delivery = fields
            let delivered = try #require(try await service.call(OrdersV1.Orders.saveOrderDelivery, delivery).order)
            #expect(delivered.totals?.delivery?.amountMinor == 30_000 && delivered.totals?.total?.amountMinor == 229_000)
            // Payments above the total: an order-wide error, in the details.
            var payments = OrdersV1.SaveOrderPaymentsRequest()
            payments.orderID = order.orderID
            payments.version = delivered.version
            payments.payments = [Self.payment("cash", 200_000, .paid), Self.payment("card", 29_001, .notPaid)]
            let above = await expectError(.invalidArgument) { _ = try await service.call(OrdersV1.Orders.saveOrderPayments, payments) }
            #expect(above?.violations.isEmpty == true)
            let errors = try #require(above?.decodedDetails(as: OrdersV1.OrderErrors.self)?.orderErrors)
            #expect(errors.count == 1 && errors[0].contains("more than the order's total"))
            payments.payments = [Self.payment("barter", 10, .paid), Self.payment("cash", 0, .unspecified)]
            await expectError(
                .invalidArgument, fields: ["payments[0].type", "payments[1].amount_minor", "payments[1].status"]
            ) { _ = try await service.call(OrdersV1.Orders.saveOrderPayments, payments) }
            // The main fields.
            var main = OrdersV1.SaveOrderFieldsRequest()
            main.orderID = order.orderID
            main.version = delivered.version
            main.country = "Russia"
            main.shop = "bad shop"
            var contact = OrdersV1.OrderContact()
            contact.email = "nobody"
            main.contact = contact
            await expectError(.invalidArgument, fields: ["country", "shop", "contact.email"]) {
                _ = try await service.call(OrdersV1.Orders.saveOrderFields, main)
            }
            let stored = try await Self.get(service, order.orderID)
            #expect(stored.version == delivered.version && stored.payments.isEmpty && stored.country.isEmpty)
        }
    }

    @Test func changingTheStatusPlacesTheDraftAndChecksTheStatussRequiredFields() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            try await service.loadCatalog()
            let empty = try await Self.create(service, client: 11)
            await expectError(.invalidArgument, fields: ["items"]) { _ = try await Self.changeStatus(service, empty, "new") }
            let order = try await Self.saveItems(service, empty, [Self.line(try await service.productID("EL-1"))])
            let assembling = await expectError(
                .invalidArgument, fields: ["contact.phone", "delivery.type", "delivery.city", "delivery.street"]
            ) { _ = try await Self.changeStatus(service, order, "assembling") }
            #expect(assembling?.violations.first?.description.contains("Комплектуется") == true)
            await expectError(.invalidArgument, fields: ["status"]) { _ = try await Self.changeStatus(service, order, "nowhere") }
            let placed = try await Self.changeStatus(service, order, "new")
            #expect(!placed.draft && placed.status?.code == "new" && placed.version == order.version + 1)
            // A placed order keeps its status's required fields on every save.
            await expectError(.invalidArgument, fields: ["items"]) { _ = try await Self.saveItems(service, placed, []) }
            // Blank or invisible text fills no required field, and a phone must be one.
            for phone in ["\u{200B}", "+7 916\u{202E}000", "звоните", "12"] {
                await expectError(.invalidArgument, fields: ["contact.phone"]) { _ = try await Self.savePhone(service, placed, phone) }
            }
            let blankPhone = try await Self.savePhone(service, placed, "   ")
            #expect(blankPhone.contact?.phone == "")
            let blankDelivery = try await Self.saveDelivery(service, blankPhone, type: "   ", city: "\t", street: "  ")
            #expect(blankDelivery.delivery?.type == "" && blankDelivery.delivery?.street == "")
            await expectError(.invalidArgument, fields: ["contact.phone", "delivery.type", "delivery.city", "delivery.street"]) {
                _ = try await Self.changeStatus(service, blankDelivery, "assembling")
            }
            let withPhone = try await Self.savePhone(service, blankDelivery, "  +7 (916) 000-00-00 ")
            #expect(withPhone.contact?.phone == "+7 (916) 000-00-00")
            let addressed = try await Self.saveDelivery(service, withPhone, type: "courier", city: "Казань", street: "Баумана, 5")
            let assembled = try await Self.changeStatus(service, addressed, "assembling")
            #expect(assembled.status?.group == .assembling && assembled.status?.name == "Комплектуется")
            // The placed order is no draft: the client may start another.
            #expect(try await Self.create(service, client: 11).draft)
        }
    }

    @Test func requiredFieldsPerStatusAreConfigurable() async throws {
        let settings = OrdersConfiguration(
            currency: "RUB", numberPrefix: "SHOP-",
            statuses: [
                .init(code: "fresh", name: "Свежий", group: "new", requiredFields: ["country", "order_method"]),
                .init(code: "done", name: "Готов", group: "complete"),
            ])
        try await withOrdersService(settings: settings) { service in
            let order = try await Self.create(service, client: 12)
            #expect(order.number == "SHOP-\(order.orderID)" && order.status?.code == "fresh")
            await expectError(.invalidArgument, fields: ["country", "order_method"]) {
                _ = try await Self.changeStatus(service, order, "fresh")
            }
            #expect(try await Self.changeStatus(service, order, "done").status?.group == .complete)
            let answer = try await service.call(OrdersV1.Orders.getOrderSettings, OrdersV1.GetOrderSettingsRequest())
            #expect(answer.statuses.map(\.code) == ["fresh", "done"] && answer.statuses[0].requiredFields == ["country", "order_method"])
        }
        #expect(
            OrdersConfiguration(statuses: [.init(code: "x", name: "X", group: "limbo", requiredFields: ["colour"])]).problems.count == 2)
    }

    @Test func theSettingsFileSetsEveryPartAndLeavesTheRestAtTheirDefaults() async throws {
        try await withTemporaryDirectory { directory in
            try Data(repeating: 7, count: 32).write(to: URL(fileURLWithPath: "\(directory)/link.key"))
            try FileManager.default.createDirectory(atPath: "\(directory)/forms", withIntermediateDirectories: false)
            try Data("<p>{{number}}</p>".utf8).write(to: URL(fileURLWithPath: "\(directory)/forms/memo.mustache"))
            let json = """
                {"currency": "USD", "number_prefix": "W-",
                 "statuses": [{"code": "new", "name": "New", "group": "new"},
                              {"code": "done", "name": "Done", "group": "complete", "required_fields": ["items"]}],
                 "delivery_rules": {"free_from_minor": 10000, "weight_bands": [{"up_to_grams": 1000, "cost_minor": 500}], "regions": []},
                 "payment_link_url": "https://pay.example/o", "payment_link_key_file": "\(directory)/link.key",
                 "loyalty": {"levels": [{"name": "Gold", "from_minor": 0, "discount_hundredths": 100, "bonus_rate_hundredths": 0}],
                             "bonus_lifetime_days": 30, "max_spend_share_hundredths": 5000, "expiring_within_days": 7},
                 "custom_fields": [{"code": "gift", "name": "Gift", "type": "boolean"}],
                 "print_forms_folder": "\(directory)/forms", "print_timeout_seconds": 10}
                """
            try Data(json.utf8).write(to: URL(fileURLWithPath: "\(directory)/orders.json"))
            let settings = try OrdersConfiguration.load(contentsOf: "\(directory)/orders.json")
            #expect(settings.problems.isEmpty, "\(settings.problems)")
            #expect(settings.currency == "USD" && settings.numberPrefix == "W-" && settings.priceType.isEmpty)
            #expect(settings.statuses.map(\.requiredFields) == [[], ["items"]] && settings.paymentTypes.count == 3)
            #expect(settings.deliveryRules?.weightBands.first?.costMinor == 500 && settings.paymentLinkKey?.count == 32)
            #expect(settings.loyalty?.levels.first?.discountHundredths == 100 && settings.customFields.first?.options.isEmpty == true)
            #expect(settings.printForms.templates["memo"] == "<p>{{number}}</p>" && settings.printForms.timeoutSeconds == 10)
            try Data("{\"statuses\": 3}".utf8).write(to: URL(fileURLWithPath: "\(directory)/bad.json"))
            #expect(throws: (any Error).self) { _ = try OrdersConfiguration.load(contentsOf: "\(directory)/bad.json") }
        }
    }

    @Test func paymentsSetThePaymentStateAndTheAmountDue() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            try await service.loadCatalog()
            let order = try await Self.create(service, client: 13, [Self.line(try await service.productID("EL-2"), 2)])
            #expect(order.totals?.due?.amountMinor == 300_000 && order.paymentState == .unpaid)
            let promised = try await Self.savePayments(service, order, [Self.payment("online", 300_000, .notPaid)])
            #expect(promised.paymentState == .unpaid && promised.payments[0].paymentID == 1 && promised.payments[0].paidAtMs == 0)
            #expect(promised.payments[0].typeName == "Онлайн-оплата" && promised.payments[0].amount?.amountMinor == 300_000)
            let partly = try await Self.savePayments(
                service, promised, [Self.payment("online", 100_000, .paid, id: 1), Self.payment("cash", 200_000, .notPaid)])
            #expect(partly.paymentState == .partlyPaid && partly.totals?.paid?.amountMinor == 100_000)
            #expect(
                partly.totals?.due?.amountMinor == 200_000 && partly.payments[0].paidAtMs > 0 && partly.payments.map(\.paymentID) == [1, 2])
            let paid = try await Self.savePayments(
                service, partly, [Self.payment("online", 100_000, .paid, id: 1), Self.payment("cash", 200_000, .paid, id: 2)])
            #expect(paid.paymentState == .paid && paid.totals?.due?.amountMinor == 0)
            // A cancelled payment counts nowhere; one removed is gone.
            let cancelled = try await Self.savePayments(service, paid, [Self.payment("online", 100_000, .cancelled, id: 1)])
            #expect(cancelled.paymentState == .unpaid && cancelled.payments.count == 1 && cancelled.totals?.paid?.amountMinor == 0)
            await expectError(.invalidArgument, fields: ["payments[0].payment_id"]) {
                _ = try await Self.savePayments(service, cancelled, [Self.payment("cash", 1, .paid, id: 7)])
            }
            // Only a paid payment has a time of payment, and not one far in the future.
            var unpaid = Self.payment("online", 100_000, .notPaid, id: 1)
            unpaid.paidAtMs = 1_700_000_000_000
            let cleared = try await Self.savePayments(service, cancelled, [unpaid])
            #expect(cleared.payments[0].paidAtMs == 0)
            var ahead = Self.payment("online", 100_000, .paid, id: 1)
            ahead.paidAtMs = 1 << 62
            await expectError(.invalidArgument, fields: ["payments[0].paid_at_ms"]) {
                _ = try await Self.savePayments(service, cleared, [ahead])
            }
        }
    }

    @Test func theClientsOrdersAreListedNewestFirstInPages() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            var ids: [Int64] = []
            for _ in 0..<5 {
                let order = try await Self.create(service, client: 14)
                ids.append(order.orderID)
                var status = OrdersV1.ChangeOrderStatusRequest()
                status.orderID = order.orderID
                status.version = order.version
                status.status = "cancel-other"
                _ = try await service.call(OrdersV1.Orders.changeOrderStatus, status)
            }
            let draft = try await Self.create(service, client: 14)
            _ = try await Self.create(service, client: 15)
            var request = OrdersV1.ListOrdersRequest()
            request.clientID = 14
            request.pageSize = 4
            let first = try await service.call(OrdersV1.Orders.listOrders, request)
            #expect(first.orders.map(\.orderID) == [draft.orderID] + ids.reversed().prefix(3))
            #expect(first.settings?.currency == "RUB" && first.settings?.statuses.count == 7 && !first.nextPageToken.isEmpty)
            request.pageToken = first.nextPageToken
            let second = try await service.call(OrdersV1.Orders.listOrders, request)
            #expect(
                second.orders.map(\.orderID) == Array(ids.prefix(2).reversed()) && second.nextPageToken.isEmpty && second.settings == nil)
            // A last page that is exactly full has no next page.
            request.pageSize = 3
            request.pageToken = ""
            let full = try await service.call(OrdersV1.Orders.listOrders, request)
            #expect(full.orders.map(\.orderID) == [draft.orderID] + ids.reversed().prefix(2) && !full.nextPageToken.isEmpty)
            request.pageToken = full.nextPageToken
            let last = try await service.call(OrdersV1.Orders.listOrders, request)
            #expect(last.orders.map(\.orderID) == Array(ids.prefix(3).reversed()) && last.nextPageToken.isEmpty)
            request.pageToken = "p1.whatever"
            await expectError(.invalidArgument, fields: ["page_token"]) { _ = try await service.call(OrdersV1.Orders.listOrders, request) }
            // A token goes on only the list of the client it came from.
            request.pageToken = first.nextPageToken
            request.clientID = 15
            await expectError(.invalidArgument, fields: ["page_token"]) { _ = try await service.call(OrdersV1.Orders.listOrders, request) }
        }
    }

    @Test func productsFromTheListAndTheCartGoToTheClientsDraft() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let coffee = try await service.productID("KF-100")
            let kettle = try await service.productID("CH-1")
            var request = OrdersV1.AddToOrderRequest()
            request.owner = Make.owner(client: 21)
            request.productIDs = [coffee, kettle]
            let made = try await service.call(OrdersV1.Orders.addToOrder, request)
            let draft = try #require(made.order)
            #expect(draft.draft && made.orderNumber == draft.number && draft.items.map(\.article) == ["KF-100", "CH-1"])
            request.productIDs = [kettle]
            let again = try #require(try await service.call(OrdersV1.Orders.addToOrder, request).order)
            #expect(again.orderID == draft.orderID && again.items.map(\.quantity) == [1, 2] && again.version == draft.version + 1)
            #expect(again.totals?.goods?.amountMinor == 897_000)
            request.productIDs = [try await service.productID("NP-1")]
            await expectError(.invalidArgument, fields: ["product_ids[0]"]) {
                _ = try await service.call(OrdersV1.Orders.addToOrder, request)
            }
            request.productIDs = [kettle, 424_242]
            await expectError(.notFound, fields: ["product_ids[1]"]) { _ = try await service.call(OrdersV1.Orders.addToOrder, request) }
            #expect(try await Self.get(service, draft.orderID).version == again.version)
            // A line at the most it may hold is refused by name, not silently kept as it is.
            let full = try await Self.saveItems(service, again, [Self.kept(again.items[0]), Self.kept(again.items[1], quantity: 1_000_000)])
            request.productIDs = [coffee, kettle]
            let most = await expectError(.invalidArgument, fields: ["product_ids[1]"]) {
                _ = try await service.call(OrdersV1.Orders.addToOrder, request)
            }
            #expect(most?.violations.first?.description.contains("the most a line may hold") == true)
            #expect(try await Self.get(service, draft.orderID).version == full.version)
            // A visitor's cart moved into a client adds to that client's draft.
            _ = try await service.call(
                OrdersV1.Orders.moveOwnerRecords,
                {
                    var move = OrdersV1.MoveOwnerRecordsRequest(); move.from = Make.owner(visitor: "v-1"); move.toClientID = 21; return move
                }(),
                as: .manager(1, [.editClients]))
            request.owner = Make.owner(visitor: "v-1")
            request.productIDs = [coffee]
            let viaVisitor = try #require(try await service.call(OrdersV1.Orders.addToOrder, request).order)
            #expect(viaVisitor.orderID == draft.orderID && viaVisitor.items[0].quantity == 2 && viaVisitor.version == full.version + 1)
        }
    }

    @Test func aMergeMovesOrdersAndPlacesTheMergedClientsDraft() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            try await service.loadCatalog()
            let kettle = try await service.productID("CH-1")
            let survivorDraft = try await Self.create(service, client: 31, [Self.line(kettle)])
            let mergedPlaced = try await Self.changeStatus(service, try await Self.create(service, client: 32, [Self.line(kettle)]), "new")
            let mergedDraft = try await Self.create(service, client: 32, [Self.line(kettle, 2)])
            var move = OrdersV1.MoveOwnerRecordsRequest()
            move.from = Make.owner(client: 32)
            move.toClientID = 31
            let moved = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .manager(1, [.editClients]))
            #expect(moved.ordersMoved == 2 && moved.draftPlaced && !moved.repeated)
            var list = OrdersV1.ListOrdersRequest()
            list.clientID = 31
            let orders = try await service.call(OrdersV1.Orders.listOrders, list).orders
            #expect(Set(orders.map(\.orderID)) == [survivorDraft.orderID, mergedPlaced.orderID, mergedDraft.orderID])
            #expect(orders.filter(\.draft).map(\.orderID) == [survivorDraft.orderID])
            let placed = try await Self.get(service, mergedDraft.orderID)
            #expect(!placed.draft && placed.clientID == 31 && placed.version == mergedDraft.version + 1 && placed.items[0].quantity == 2)
            // Repeating the move answers the same totals; the merged client's id lists the survivor's orders.
            let repeated = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .manager(1, [.editClients]))
            #expect(repeated.ordersMoved == 2 && repeated.draftPlaced && repeated.repeated)
            list.clientID = 32
            #expect(try await service.call(OrdersV1.Orders.listOrders, list).orders.count == 3)
            // So does the panel's data, which resolves the client once for its list, cart and orders.
            var panel = OrdersV1.GetPanelDataRequest()
            panel.clientID = 32
            panel.ordersPageSize = 10
            #expect(try await service.call(OrdersV1.Orders.getPanelData, panel).orders?.orders.count == 3)
        }
    }

    @Test func anImportLoadsPlacedOrdersAndDraftsAllOrNothing() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let kettle = try await service.productID("CH-1")
            func request(_ client: Int64, _ product: Int64) -> OrdersV1.CreateOrderRequest {
                var request = OrdersV1.CreateOrderRequest()
                request.clientID = client
                request.items = [Self.line(product)]
                return request
            }
            let settings = OrdersConfiguration()
            #expect(
                try await service.store.importOrders([request(91, kettle), request(91, kettle)], status: "new", by: 1, settings: settings)
                    == 2)
            let error = await expectError(.invalidArgument, fields: ["orders[1].items[0].product_id"]) {
                _ = try await service.store.importOrders(
                    [request(92, kettle), request(92, 424_242)], status: "new", by: 1, settings: settings)
            }
            #expect(error != nil)
            await expectError(.alreadyExists) {
                _ = try await service.store.importOrders(
                    [request(93, kettle), request(93, kettle)], status: nil, by: 1, settings: settings)
            }
            for (client, count) in [(Int64(91), 2), (92, 0), (93, 0)] {
                var list = OrdersV1.ListOrdersRequest()
                list.clientID = client
                let orders = try await service.call(OrdersV1.Orders.listOrders, list).orders
                #expect(orders.count == count && orders.allSatisfy { !$0.draft && $0.status?.code == "new" })
            }
        }
    }
}
