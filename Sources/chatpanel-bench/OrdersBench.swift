import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import Foundation
import Logging
import OrdersService

/// `chatpanel-bench orders`: the Order widget's list and the editor's saves against many orders.
///
/// Seeds an orders database (by default 200 000 orders over 100 000 clients, 1 to 3 lines each,
/// from a catalog of 1 000 products) through the store's order import, serves it with the
/// real orders service on a Unix socket, and prints p50/p99 of the widget's list (the 5 newest of
/// a client), an item change (SaveOrderItems) and a status change with its validations
/// (ChangeOrderStatus to a status requiring items and a phone, and back).
struct OrdersBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", abstract: "Benchmarks the Order widget's list and the order editor's saves.")

    @Option(help: "Clients.") var clients = 100_000
    @Option(help: "Orders per client (the last one of each client is left a draft).") var ordersPerClient = 2
    @Option(help: "Catalog products.") var products = 1_000
    @Option(help: "Timed calls per measurement.") var samples = 1000
    @Option(help: "Where the database goes.") var directory = "/tmp/cp-orders-bench"
    @Flag(help: "Reuse a database seeded by an earlier run with the same sizes.") var reuse = false

    func run() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/orders-\(clients)-\(ordersPerClient).sqlite"
        let settings = OrdersConfiguration()
        print("Orders benchmark: \(clients * ordersPerClient) orders over \(clients) clients; the real orders service over a Unix socket")
        if !(reuse && FileManager.default.fileExists(atPath: path)) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            let store = try OrdersStore(path: path)
            let (count, elapsed) = try await measure { try await seed(store, settings) }
            print(
                "seeded \(count) orders in \(format(elapsed.inSeconds)) s (\(Int(Double(count) / elapsed.inSeconds)) orders/s through the store's order import)"
            )
        }
        let store = try OrdersStore(path: path)
        let samples = self.samples
        let clients = self.clients
        try await withTemporaryDirectory { socketDirectory in
            try await withLiveServer(
                router: OrdersService(store: store, configuration: settings, logger: Logger(label: "bench")).makeRouter(),
                in: socketDirectory, name: "orders"
            ) { _, socket in
                var configuration = RPCClientConfiguration(socketPath: socket)
                configuration.defaultCaller = RPCV1.Caller(managerID: 1, rights: [])
                let client = RPCClient(configuration: configuration)
                var random = SplitMix64(seed: 42)
                func randomClient() -> Int64 { Int64.random(in: 1...Int64(clients), using: &random) }

                var list = LatencySamples()
                var shown = 0
                for index in 0..<(samples + 100) {
                    var request = OrdersV1.ListOrdersRequest()
                    request.clientID = randomClient()
                    request.pageSize = 5
                    let start = ContinuousClock.now
                    shown += try await client.unary(OrdersV1.Orders.listOrders, request).orders.count
                    if index >= 100 { list.add(start.duration(to: .now)) }
                }
                print("\(pad("the widget's list (5 newest of a client)", 58)) \(list.summary), \(shown / (samples + 100)) orders per call")

                // Placed orders (each client's first), read untimed, then changed.
                var items = LatencySamples()
                var status = LatencySamples()
                for index in 0..<samples {
                    var get = OrdersV1.GetOrderRequest()
                    get.orderID = Int64(index % clients) * Int64(ordersPerClient) + 1
                    guard var order = try await client.unary(OrdersV1.Orders.getOrder, get).order else { continue }
                    var save = OrdersV1.SaveOrderItemsRequest()
                    save.orderID = order.orderID
                    save.version = order.version
                    save.items = order.items.map { item in
                        var input = OrdersV1.OrderItemInput()
                        input.itemID = item.itemID
                        input.quantity = item.quantity % 5 + 1
                        return input
                    }
                    var start = ContinuousClock.now
                    order =
                        try await client.unary(OrdersV1.Orders.saveOrderItems, save, options: RPCCallOptions(requestID: UUID().uuidString))
                        .order ?? order
                    items.add(start.duration(to: .now))
                    var change = OrdersV1.ChangeOrderStatusRequest()
                    change.orderID = order.orderID
                    change.version = order.version
                    change.status = order.status?.code == "new" ? "client-confirmed" : "new"
                    start = ContinuousClock.now
                    _ = try await client.unary(
                        OrdersV1.Orders.changeOrderStatus, change, options: RPCCallOptions(requestID: UUID().uuidString))
                    status.add(start.duration(to: .now))
                }
                print("\(pad("an item change (SaveOrderItems)", 58)) \(items.summary)")
                print("\(pad("a status change with validation (ChangeOrderStatus)", 58)) \(status.summary)")
                await client.close()
            }
        }
    }

    /// The catalog, then each client's orders, imported 2 000 at a time: all placed in "new" but
    /// each client's last, which stays a draft.
    private func seed(_ store: OrdersStore, _ settings: OrdersConfiguration) async throws -> Int {
        var random = SplitMix64(seed: 7)
        try await Self.seedCatalog(store, products: products, random: &random)
        return try await Self.seedOrders(
            store, settings, clients: 1...Int64(clients), ordersPerClient: ordersPerClient, products: products, random: &random)
    }

    /// The "retail" price type and `products` products (articles `B-0` …, ids 1 …), 500 a batch.
    static func seedCatalog(_ store: OrdersStore, products: Int, random: inout SplitMix64) async throws {
        var type = OrdersV1.PriceType()
        type.code = "retail"
        type.name = "Розница"
        type.currency = "RUB"
        type.isBase = true
        _ = try await store.putPriceTypes([type], requestID: "")
        var batch: [OrdersV1.ProductInput] = []
        for index in 0..<products {
            var product = OrdersV1.ProductInput()
            product.kind = .product
            product.article = "B-\(index)"
            product.name =
                "\(CatalogBench.nouns[index % CatalogBench.nouns.count]) \(CatalogBench.makers[index % CatalogBench.makers.count]) \(index)"
            product.stock = 10
            product.active = true
            product.weightGrams = Int64.random(in: 200...5_000, using: &random)
            var price = OrdersV1.Price()
            price.priceType = "retail"
            price.amountMinor = Int64.random(in: 10_000...5_000_000, using: &random)
            product.prices = [price]
            batch.append(product)
            if batch.count == 500 || index == products - 1 {
                _ = try await store.upsertProducts(batch, requestID: "")
                batch.removeAll()
            }
        }
    }

    /// `ordersPerClient` orders of each of `clients` (1 to 3 lines from the first `products`
    /// products), imported 2 000 at a time: all placed in "new" but each client's last, which
    /// stays a draft. Returns the orders made.
    static func seedOrders(
        _ store: OrdersStore, _ settings: OrdersConfiguration, clients: some Sequence<Int64>, ordersPerClient: Int, products: Int,
        random: inout SplitMix64
    ) async throws -> Int {
        var created = 0
        var placed: [OrdersV1.CreateOrderRequest] = []
        var drafts: [OrdersV1.CreateOrderRequest] = []
        func flush() async throws {
            created += try await store.importOrders(placed, status: "new", by: 1, settings: settings)
            created += try await store.importOrders(drafts, status: nil, by: 1, settings: settings)
            placed.removeAll()
            drafts.removeAll()
        }
        for client in clients {
            for number in 0..<ordersPerClient {
                var request = OrdersV1.CreateOrderRequest()
                request.clientID = client
                var contact = OrdersV1.OrderContact()
                contact.firstName = "Клиент \(client)"
                contact.phone = "+7900\(String(1_000_000 + client).suffix(7))"
                request.contact = contact
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    var line = OrdersV1.OrderItemInput()
                    line.productID = Int64.random(in: 1...Int64(products), using: &random)
                    line.quantity = Int64.random(in: 1...4, using: &random)
                    request.items.append(line)
                }
                if number < ordersPerClient - 1 { placed.append(request) } else { drafts.append(request) }
            }
            if placed.count + drafts.count >= 2_000 { try await flush() }
        }
        if !placed.isEmpty || !drafts.isEmpty { try await flush() }
        return created
    }
}
