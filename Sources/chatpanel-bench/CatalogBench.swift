import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import Foundation
import Logging
import OrdersService

/// `chatpanel-bench catalog`: the picker and the cart feed against a big catalog.
///
/// Seeds an orders database (by default 100 000 products in 500 categories with 3 price
/// types) through the store's bulk upsert, serves it with the real orders service on a Unix
/// socket, and prints p50/p99 of the picker's searches (one word, a prefix as typed, text with
/// filters and a price sort, filters and a price sort without text, a deep page) and the cart
/// feed's updates per second.
struct CatalogBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "catalog", abstract: "Benchmarks the product picker and the cart feed.")

    @Option(help: "Products.") var products = 100_000
    @Option(help: "Categories (a two-level tree).") var categories = 500
    @Option(help: "Timed calls per measurement.") var samples = 1000
    @Option(help: "Cart updates timed.") var cartUpdates = 5000
    @Option(help: "Where the database goes.") var directory = "/tmp/cp-catalog-bench"
    @Flag(help: "Reuse a database seeded by an earlier run with the same sizes.") var reuse = false
    @Flag(help: "Keep the database afterwards (for --reuse).") var keep = false

    static let nouns = [
        "Кофеварка", "Чайник", "Блендер", "Миксер", "Тостер", "Пылесос", "Утюг", "Фен", "Обогреватель", "Вентилятор", "Увлажнитель",
        "Мультиварка", "Соковыжималка", "Мясорубка", "Кофемолка", "Термопот", "Гриль", "Вафельница", "Йогуртница", "Хлебопечка",
        "Холодильник", "Морозильник", "Плита", "Духовка", "Посудомойка", "Стиральная машина", "Сушилка", "Кондиционер", "Телевизор",
        "Монитор", "Ноутбук", "Планшет", "Смартфон", "Наушники", "Колонка", "Роутер", "Принтер", "Сканер", "Клавиатура", "Мышь",
        "Ёлка", "Гирлянда", "Лампа", "Люстра", "Торшер", "Ковёр", "Штора", "Подушка", "Одеяло", "Полотенце",
    ]
    static let adjectives = [
        "компактный", "мощный", "белый", "чёрный", "серебристый", "беспроводной", "умный", "тихий", "складной", "дорожный",
    ]
    static let makers = [
        "Bosch", "Philips", "Tefal", "Redmond", "Polaris", "Scarlett", "Vitek", "DeLonghi", "Braun", "Xiaomi", "Samsung", "LG",
    ]

    func run() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/catalog-\(products)-\(categories).sqlite"
        print(
            "Catalog benchmark: \(products) products, \(categories) categories, 3 price types; the real orders service over a Unix socket")
        if !(reuse && FileManager.default.fileExists(atPath: path)) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let store = try OrdersStore(path: path)
            let (_, elapsed) = try await measure { try await seed(store) }
            print(
                "seeded in \(format(elapsed.inSeconds)) s (\(Int(Double(products) / elapsed.inSeconds)) products/s through UpsertProducts' store path)"
            )
        }
        let store = try OrdersStore(path: path)
        let samples = self.samples
        let cartUpdates = self.cartUpdates
        try await withTemporaryDirectory { socketDirectory in
            try await withLiveServer(
                router: OrdersService(store: store, logger: Logger(label: "bench")).makeRouter(), in: socketDirectory, name: "orders"
            ) { _, socket in
                var configuration = RPCClientConfiguration(socketPath: socket)
                configuration.defaultCaller = RPCV1.Caller(managerID: 1, rights: [.admin])
                let client = RPCClient(configuration: configuration)
                func search(_ query: String, _ adjust: (inout OrdersV1.SearchProductsRequest) -> Void = { _ in })
                    -> OrdersV1.SearchProductsRequest
                {
                    var request = OrdersV1.SearchProductsRequest()
                    request.query = query
                    adjust(&request)
                    return request
                }
                func time(_ name: String, _ request: @escaping (Int) -> OrdersV1.SearchProductsRequest) async throws {
                    var found = 0
                    for index in 0..<min(100, samples) {
                        found += try await client.unary(OrdersV1.Orders.searchProducts, request(index)).products.count
                    }
                    var result = LatencySamples()
                    for index in 0..<samples {
                        let start = ContinuousClock.now
                        found += try await client.unary(OrdersV1.Orders.searchProducts, request(index)).products.count
                        result.add(start.duration(to: .now))
                    }
                    print("\(pad(name, 58)) \(result.summary), \(found / (samples + min(100, samples))) found per call")
                }
                let nouns = Self.nouns
                try await time("one word (\"кофеварки\"), name sort") { _ in search("кофеварки ") }
                try await time("one word, each of 50 nouns in turn") { index in search(nouns[index % nouns.count].lowercased() + " ") }
                try await time("prefix as typed (\"коф\", \"мульт\", …)") { index in
                    search(String(nouns[index % nouns.count].prefix(3 + index % 3)))
                }
                try await time("text + category + in stock + price range, price sort") { index in
                    search(nouns[index % nouns.count] + " ") {
                        $0.categoryCode = "top-\(index % 25)"
                        $0.inStock = true
                        $0.priceMin = 100_000
                        $0.priceMax = 5_000_000
                        $0.sort = .priceAsc
                    }
                }
                try await time("text + manufacturer, price desc, wholesale range") { index in
                    search(nouns[index % nouns.count] + " ") {
                        $0.manufacturers = [Self.makers[index % Self.makers.count]]
                        $0.priceType = "wholesale"
                        $0.priceMax = 3_000_000
                        $0.sort = .priceDesc
                    }
                }
                try await time("no text: category + in stock, price sort") { index in
                    search("") {
                        $0.categoryCode = "top-\(index % 25)"
                        $0.inStock = true
                        $0.sort = .priceAsc
                    }
                }
                try await time("no text: manufacturer + price range, price sort") { index in
                    search("") {
                        $0.manufacturers = [Self.makers[index % Self.makers.count]]
                        $0.priceMin = 1_000_000
                        $0.priceMax = 2_000_000
                        $0.sort = .priceAsc
                    }
                }
                try await time("no text: one leaf category, name sort") { index in search("") { $0.categoryCode = "cat-\(index % 475)" } }
                // A deep page: 50 pages of 20 in, by name and by price.
                for sort in [OrdersV1.ProductSort.nameAsc, .priceAsc] {
                    var token = ""
                    for _ in 0..<50 {
                        token = try await client.unary(
                            OrdersV1.Orders.searchProducts,
                            search("") {
                                $0.sort = sort; $0.pageToken = token
                            }
                        ).nextPageToken
                    }
                    let deepToken = token
                    try await time("no text: page 51 (1 000 in), \(sort.protoName)") { _ in
                        search("") {
                            $0.sort = sort; $0.pageToken = deepToken
                        }
                    }
                }
                var deepText = ""
                for _ in 0..<20 {
                    deepText = try await client.unary(OrdersV1.Orders.searchProducts, search("лампа ") { $0.pageToken = deepText })
                        .nextPageToken
                }
                let deepTextToken = deepText
                try await time("one word: page 21 (400 in)") { _ in search("лампа ") { $0.pageToken = deepTextToken } }

                // Cart feed: whole carts of 3 lines, a new version each, over 10 000 owners.
                func cart(_ index: Int) -> OrdersV1.PutCartRequest {
                    var request = OrdersV1.PutCartRequest()
                    var owner = OrdersV1.Owner()
                    owner.clientID = Int64(index % 10_000 + 1)
                    request.owner = owner
                    request.version = Int64(index + 1)
                    for line in 0..<3 {
                        var item = OrdersV1.CartItemInput()
                        item.article = "A\((index * 7 + line * 13) % 100_000)"
                        item.quantity = Int64(line + 1)
                        request.items.append(item)
                    }
                    return request
                }
                let (_, sequential) = try await measure {
                    for index in 0..<cartUpdates { _ = try await client.unary(OrdersV1.Orders.putCart, cart(index)) }
                }
                print("\(pad("PutCart, sequential", 58)) \(Int(Double(cartUpdates) / sequential.inSeconds)) updates/s")
                let base = cartUpdates
                let (_, concurrent) = try await measure {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for caller in 0..<16 {
                            group.addTask {
                                for index in stride(from: caller, to: cartUpdates, by: 16) {
                                    _ = try await client.unary(OrdersV1.Orders.putCart, cart(base + index))
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                print("\(pad("PutCart, 16 callers", 58)) \(Int(Double(cartUpdates) / concurrent.inSeconds)) updates/s")
                var read = OrdersV1.GetCartRequest()
                var owner = OrdersV1.Owner()
                owner.clientID = 1
                read.owner = owner
                var result = LatencySamples()
                for _ in 0..<samples {
                    let start = ContinuousClock.now
                    _ = try await client.unary(OrdersV1.Orders.getCart, read)
                    result.add(start.duration(to: .now))
                }
                print("\(pad("GetCart (3 lines with catalog data)", 58)) \(result.summary)")
                await client.close()
            }
        }
        print("\n(client and server on this machine's 2 vCPUs, unpinned)")
        if !keep {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// Price types, a two-level category tree (25 top categories), and the products in
    /// batches of 1 000 through the store's bulk upsert.
    private func seed(_ store: OrdersStore) async throws {
        var types: [OrdersV1.PriceType] = []
        for (code, currency) in [("retail", "RUB"), ("wholesale", "RUB"), ("export", "USD")] {
            var type = OrdersV1.PriceType()
            type.code = code
            type.name = code
            type.currency = currency
            type.isBase = code == "retail"
            types.append(type)
        }
        _ = try await store.putPriceTypes(types, requestID: "")
        var tree: [OrdersV1.Category] = []
        let tops = 25
        for top in 0..<tops {
            var category = OrdersV1.Category()
            category.code = "top-\(top)"
            category.name = "Раздел \(top)"
            tree.append(category)
        }
        for leaf in 0..<max(0, categories - tops) {
            var category = OrdersV1.Category()
            category.code = "cat-\(leaf)"
            category.name = "\(Self.nouns[leaf % Self.nouns.count]) серия \(leaf)"
            category.parentCode = "top-\(leaf % tops)"
            tree.append(category)
        }
        _ = try await store.putCategories(tree, requestID: "")
        var random = SplitMix64(seed: 11)
        let leaves = max(1, categories - tops)
        var batch: [OrdersV1.ProductInput] = []
        for index in 0..<products {
            var product = OrdersV1.ProductInput()
            product.kind = .product
            product.article = "A\(index)"
            let noun = Self.nouns[Int(random.next() % UInt64(Self.nouns.count))]
            let maker = Self.makers[Int(random.next() % UInt64(Self.makers.count))]
            product.name = "\(noun) \(Self.adjectives[Int(random.next() % 10)]) \(maker) \(100 + random.next() % 900)"
            product.manufacturer = maker
            product.categoryCode = "cat-\(Int(random.next() % UInt64(leaves)))"
            product.stock = random.next() % 4 == 0 ? 0 : Int64(random.next() % 50)
            product.active = random.next() % 50 != 0
            product.weightGrams = Int64(random.next() % 20_000)
            product.imageURL = "https://shop.example/img/A\(index).jpg"
            product.url = "https://shop.example/p/A\(index)"
            let retail = Int64(50_000 + random.next() % 10_000_000)
            for (code, amount) in [("retail", retail), ("wholesale", retail * 85 / 100), ("export", retail / 90)] {
                var price = OrdersV1.Price()
                price.priceType = code
                price.amountMinor = amount
                product.prices.append(price)
            }
            var color = OrdersV1.Property()
            color.name = "Цвет"
            color.value = ["белый", "чёрный", "серый", "красный"][Int(random.next() % 4)]
            product.properties = [color]
            batch.append(product)
            if batch.count == 1000 || index == products - 1 {
                _ = try await store.upsertProducts(batch, requestID: "")
                batch.removeAll(keepingCapacity: true)
            }
        }
    }
}
