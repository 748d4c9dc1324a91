import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The demo's catalog (about 300 products and services with Russian names and prices in
/// rubles), the main client's product list, current cart and orders, written through the
/// orders service: the catalog as CSV through the same path as `chatpanelctl catalog import`.
struct DemoOrdersLoader {
    let orders: RPCClient

    /// (category path, kinds of product in it, base price in rubles, power range in W)
    private static let lines: [(String, [String], Int, ClosedRange<Int>)] = [
        ("Кухня / Кофеварки", ["Кофеварка капельная", "Кофеварка рожковая", "Кофемашина автоматическая"], 6_990, 800...1_500),
        ("Кухня / Чайники", ["Чайник электрический", "Чайник стеклянный", "Термопот"], 2_490, 1_500...2_400),
        ("Кухня / Блендеры", ["Блендер погружной", "Блендер стационарный", "Миксер планетарный"], 3_990, 500...1_200),
        ("Кухня / Микроволновые печи", ["Микроволновая печь соло", "Микроволновая печь с грилем", "Мини-печь"], 8_490, 700...1_300),
        ("Дом / Пылесосы", ["Пылесос беспроводной", "Робот-пылесос", "Пылесос с контейнером"], 12_990, 100...2_000),
        ("Дом / Утюги", ["Утюг паровой", "Парогенератор", "Отпариватель ручной"], 3_290, 1_200...2_800),
        ("Климат / Обогреватели", ["Обогреватель масляный", "Тепловентилятор", "Конвектор"], 4_590, 1_000...2_500),
        ("Климат / Вентиляторы", ["Вентилятор напольный", "Вентилятор настольный", "Увлажнитель воздуха"], 2_990, 25...120),
        ("Красота / Фены", ["Фен для волос", "Фен-щётка", "Выпрямитель для волос"], 2_790, 1_000...2_300),
    ]
    private static let manufacturers = [
        "Bosch", "Philips", "Tefal", "Redmond", "Polaris", "Scarlett", "Vitek", "DeLonghi", "Braun", "Xiaomi",
    ]
    private static let colors = ["чёрный", "белый", "серебристый", "красный", "серый"]

    /// Articles of the main client's product list and cart.
    static let listedArticles = ["KUH-1-0-1", "KUH-1-1-3", "DOM-1-1-9"]
    static let cartLines: [(String, Int64)] = [("KUH-1-2-7", 1), ("KUH-2-0-4", 2), ("DEMO-GONE-1", 1)]

    /// The catalog as a CSV text.
    static func csv() -> String {
        var rows = [
            "article,name,kind,category,manufacturer,stock,active,weight_grams,image_url,url,price:retail:RUB,price:wholesale:RUB,property:Цвет,property:Мощность (Вт)"
        ]
        var seed: UInt64 = 20_251_201
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        var groupIndex: [String: Int] = [:]
        for (path, kinds, basePrice, power) in lines {
            let group = path.hasPrefix("Кухня") ? "KUH" : path.hasPrefix("Дом") ? "DOM" : path.hasPrefix("Климат") ? "KLM" : "KRS"
            groupIndex[group, default: 0] += 1
            for (kindIndex, kind) in kinds.enumerated() {
                for (makerIndex, maker) in manufacturers.enumerated() {
                    let article = "\(group)-\(groupIndex[group]!)-\(kindIndex)-\(makerIndex)"
                    let model = "\(maker.prefix(2).uppercased())-\(100 + next(900))"
                    let rubles = basePrice * (60 + next(120)) / 100 / 10 * 10 + 9
                    let stock = next(4) == 0 ? 0 : next(40)
                    let watts = power.lowerBound + next(power.count) / 10 * 10
                    rows.append(
                        [
                            article, "\(kind) \(maker) \(model)", "product", path, maker, "\(stock)", next(25) == 0 ? "0" : "1",
                            "\(500 + next(5_000))", "https://demo-shop.example/img/\(article).jpg",
                            "https://demo-shop.example/p/\(article)",
                            "\(rubles).00", "\(rubles * 85 / 100).00", colors[next(colors.count)], "\(watts)",
                        ].joined(separator: ","))
                }
            }
        }
        for (index, service) in [
            "Доставка по городу", "Установка и подключение", "Расширенная гарантия 2 года", "Сборка мебели", "Подъём на этаж",
        ]
        .enumerated() {
            rows.append(
                "SRV-\(index + 1),\(service),service,Услуги,,0,1,0,,https://demo-shop.example/services/\(index + 1),\(490 + index * 500).00,,,"
            )
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Loads the catalog, then the main client's list and cart (all idempotent).
    func load(mainClient: Int64) async throws -> Int {
        let catalog = try CatalogCSV(text: Self.csv())
        _ = try await CatalogImport(client: orders).load(catalog, requestIDPrefix: "demo-v1-catalog")
        let owner: OrdersV1.Owner = {
            var owner = OrdersV1.Owner()
            owner.clientID = mainClient
            return owner
        }()
        var ids: [Int64] = []
        for article in Self.listedArticles {
            var get = OrdersV1.GetProductRequest()
            get.article = article
            guard let id = try await orders.unary(OrdersV1.Orders.getProduct, get).product?.productID else { continue }
            ids.append(id)
            var add = OrdersV1.AddListedProductRequest()
            add.owner = owner
            add.productID = id
            _ = try await orders.unary(OrdersV1.Orders.addListedProduct, add, options: RPCCallOptions(requestID: "demo-v1-list-\(article)"))
        }
        if let first = ids.first {
            var send = OrdersV1.SendProductCardsRequest()
            send.owner = owner
            send.productIDs = [first]
            send.source = .list
            _ = try await orders.unary(OrdersV1.Orders.sendProductCards, send, options: RPCCallOptions(requestID: "demo-v1-card"))
        }
        var cart = OrdersV1.PutCartRequest()
        cart.owner = owner
        cart.version = 1
        for (article, quantity) in Self.cartLines {
            var item = OrdersV1.CartItemInput()
            item.article = article
            item.quantity = quantity
            if article == "DEMO-GONE-1" {
                item.name = "Кофейные капсулы (снят с продажи)"
                var price = OrdersV1.Money()
                price.amountMinor = 59_900
                price.currency = "RUB"
                item.sitePrice = price
            }
            cart.items.append(item)
        }
        _ = try await orders.unary(OrdersV1.Orders.putCart, cart, options: RPCCallOptions(requestID: "demo-v1-cart"))
        try await loadOrders(mainClient: mainClient)
        return catalog.products.count
    }

    /// The main client's orders: one completed and paid, one being assembled and partly paid,
    /// one cancelled, and a draft made from the cart (CART-2).
    private func loadOrders(mainClient: Int64) async throws {
        let inThreeDays = Date().addingTimeInterval(3 * 86_400)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let date = formatter.string(from: inThreeDays)
        try await order(
            "done", client: mainClient, lines: [("KUH-1-0-1", 1), ("SRV-2", 1)], deliveryDate: date, paidShare: 100, status: "complete")
        try await order(
            "assembling", client: mainClient, lines: [("KUH-2-0-4", 2), ("DOM-1-1-9", 1)], deliveryDate: date, paidShare: 30,
            status: "assembling")
        try await order("cancelled", client: mainClient, lines: [("KRS-1-0-2", 1)], deliveryDate: "", paidShare: 0, status: "cancel-other")
        var add = OrdersV1.AddToOrderRequest()
        var owner = OrdersV1.Owner()
        owner.clientID = mainClient
        add.owner = owner
        add.productIDs = [try await productID("KUH-1-2-7")]
        _ = try await orders.unary(OrdersV1.Orders.addToOrder, add, options: RPCCallOptions(requestID: "demo-v1-order-draft"))
    }

    /// One order through the editor's steps: created as a draft, delivery, a payment of
    /// `paidShare` percent of the total, then `status`. Every step has a fixed request id.
    private func order(
        _ name: String, client: Int64, lines: [(String, Int64)], deliveryDate: String, paidShare: Int64, status: String
    ) async throws {
        func options(_ step: String) -> RPCCallOptions { RPCCallOptions(requestID: "demo-v1-order-\(name)-\(step)") }
        var create = OrdersV1.CreateOrderRequest()
        create.clientID = client
        var contact = OrdersV1.OrderContact()
        contact.firstName = "Анна"
        contact.lastName = "Смирнова"
        contact.phone = "+7 916 123-45-67"
        contact.email = "anna.smirnova@example.ru"
        create.contact = contact
        create.shop = "main"
        create.orderMethod = "messenger"
        create.country = "RU"
        for (article, quantity) in lines {
            var line = OrdersV1.OrderItemInput()
            line.productID = try await productID(article)
            line.quantity = quantity
            create.items.append(line)
        }
        guard var order = try await orders.unary(OrdersV1.Orders.createOrder, create, options: options("create")).order else { return }
        var delivery = OrdersV1.SaveOrderDeliveryRequest()
        delivery.orderID = order.orderID
        delivery.version = order.version
        var fields = OrdersV1.Delivery()
        fields.type = "courier"
        fields.service = "Курьерская служба магазина"
        fields.region = "Москва"
        fields.city = "Москва"
        fields.street = "ул. Тверская, д. 7, кв. 12"
        fields.postalCode = "125009"
        fields.date = deliveryDate
        fields.timeSlot = deliveryDate.isEmpty ? "" : "10:00-14:00"
        fields.costMinor = 39_000
        delivery.delivery = fields
        order = try await orders.unary(OrdersV1.Orders.saveOrderDelivery, delivery, options: options("delivery")).order ?? order
        if paidShare > 0 {
            var payments = OrdersV1.SaveOrderPaymentsRequest()
            payments.orderID = order.orderID
            payments.version = order.version
            var payment = OrdersV1.Payment()
            payment.type = paidShare == 100 ? "online" : "card"
            payment.status = .paid
            payment.amountMinor = (order.totals?.total?.amountMinor ?? 0) * paidShare / 100
            payments.payments = [payment]
            order = try await orders.unary(OrdersV1.Orders.saveOrderPayments, payments, options: options("payments")).order ?? order
        }
        var change = OrdersV1.ChangeOrderStatusRequest()
        change.orderID = order.orderID
        change.version = order.version
        change.status = status
        _ = try await orders.unary(OrdersV1.Orders.changeOrderStatus, change, options: options("status"))
    }

    /// The id of the product with `article`.
    private func productID(_ article: String) async throws -> Int64 {
        var get = OrdersV1.GetProductRequest()
        get.article = article
        return try await orders.unary(OrdersV1.Orders.getProduct, get).product?.productID ?? 0
    }
}
