import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The demo's catalog (about 300 products and services with Russian names and prices in
/// rubles), the main client's product list and current cart, written through the orders
/// service: the catalog as CSV through the same path as `chatpanelctl catalog import`.
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
        return catalog.products.count
    }
}
