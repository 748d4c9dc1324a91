import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
import ChatPanelTesting
import Foundation
import OrdersService
import Synchronization
import Testing

/// A live orders service on a temporary socket (its own directory and database), and a client.
struct OrdersHarness {
    /// The client connected to the service's socket.
    let client: RPCClient
    /// The service's store (for checking what was stored).
    let store: OrdersStore

    /// Calls `method` as `caller`, with an optional request id.
    func call<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, as caller: RPCV1.Caller = .manager(1), requestID: String = ""
    ) async throws -> Response {
        try await client.unary(method, request, options: RPCCallOptions(caller: caller, requestID: requestID))
    }

    /// Loads the small catalog of ``Catalog`` (price types, categories, products) as an editor.
    func loadCatalog() async throws {
        _ = try await call(OrdersV1.Orders.putPriceTypes, Make.priceTypes(Catalog.priceTypes), as: .editor)
        _ = try await call(OrdersV1.Orders.putCategories, Make.categories(Catalog.categories), as: .editor)
        var request = OrdersV1.UpsertProductsRequest()
        request.products = Catalog.products
        _ = try await call(OrdersV1.Orders.upsertProducts, request, as: .editor)
    }

    /// The picker's answer for `query` (and whatever `adjust` sets).
    func search(_ query: String = "", _ adjust: (inout OrdersV1.SearchProductsRequest) -> Void = { _ in }) async throws
        -> OrdersV1.SearchProductsResponse
    {
        var request = OrdersV1.SearchProductsRequest()
        request.query = query
        adjust(&request)
        return try await call(OrdersV1.Orders.searchProducts, request)
    }

    /// The articles of the picker's answer for `query`.
    func articles(_ query: String = "", _ adjust: (inout OrdersV1.SearchProductsRequest) -> Void = { _ in }) async throws -> [String] {
        try await search(query, adjust).products.map(\.article)
    }

    /// The id of the product with `article`.
    func productID(_ article: String) async throws -> Int64 {
        var request = OrdersV1.GetProductRequest()
        request.article = article
        return try #require(try await call(OrdersV1.Orders.getProduct, request).product).productID
    }
}

/// Runs `body` against a fresh orders service over a real Unix socket (with the store's clock
/// `now` when given, and `settings`); everything is torn down on every exit path.
func withOrdersService<T>(
    now: (@Sendable () -> Int64)? = nil, settings: OrdersConfiguration = OrdersConfiguration(), _ body: (OrdersHarness) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { directory in
        var storeConfiguration = StoreConfiguration()
        if let now { storeConfiguration.now = now }
        return try await withLiveServiceClient(
            OrdersService.self, configuration: settings, in: directory, storeConfiguration: storeConfiguration
        ) {
            host, client in try await body(OrdersHarness(client: client, store: host.store))
        }
    }
}

extension RPCV1.Caller {
    /// A manager with `rights` (by default none).
    static func manager(_ id: Int64, _ rights: [RPCV1.Right] = []) -> RPCV1.Caller {
        RPCV1.Caller(managerID: id, rights: rights)
    }

    /// A manager who may edit the catalog.
    static let editor = RPCV1.Caller(managerID: 7, rights: [.editCatalog])

    /// An administrator (holds every right): the cart feed calls as one.
    static let admin = RPCV1.Caller(managerID: 9, rights: [.admin])
}

/// Request builders.
enum Make {
    static func priceType(_ code: String, _ currency: String = "RUB", base: Bool = false, name: String? = nil) -> OrdersV1.PriceType {
        var type = OrdersV1.PriceType()
        type.code = code
        type.name = name ?? code.capitalized
        type.currency = currency
        type.isBase = base
        return type
    }

    static func priceTypes(_ types: [OrdersV1.PriceType]) -> OrdersV1.PutPriceTypesRequest {
        var request = OrdersV1.PutPriceTypesRequest()
        request.priceTypes = types
        return request
    }

    static func category(_ code: String, _ name: String, parent: String = "") -> OrdersV1.Category {
        var category = OrdersV1.Category()
        category.code = code
        category.name = name
        category.parentCode = parent
        return category
    }

    static func categories(_ categories: [OrdersV1.Category]) -> OrdersV1.PutCategoriesRequest {
        var request = OrdersV1.PutCategoriesRequest()
        request.categories = categories
        return request
    }

    static func product(
        _ article: String, _ name: String, kind: OrdersV1.ProductKind = .product, category: String = "", manufacturer: String = "",
        stock: Int64 = 5, active: Bool = true, prices: [(String, Int64)] = [], properties: [(String, String)] = []
    ) -> OrdersV1.ProductInput {
        var product = OrdersV1.ProductInput()
        product.kind = kind
        product.article = article
        product.name = name
        product.categoryCode = category
        product.manufacturer = manufacturer
        product.stock = kind == .service ? 0 : stock
        product.active = active
        product.weightGrams = 1500
        product.imageURL = "https://shop.example/img/\(article).jpg"
        product.url = "https://shop.example/p/\(article)"
        product.prices = prices.map {
            var price = OrdersV1.Price()
            price.priceType = $0.0
            price.amountMinor = $0.1
            return price
        }
        product.properties = properties.map {
            var property = OrdersV1.Property()
            property.name = $0.0
            property.value = $0.1
            return property
        }
        return product
    }

    static func create(_ product: OrdersV1.ProductInput) -> OrdersV1.CreateProductRequest {
        var request = OrdersV1.CreateProductRequest()
        request.product = product
        return request
    }

    static func owner(client: Int64 = 0, dialog: String = "", visitor: String = "") -> OrdersV1.Owner {
        var owner = OrdersV1.Owner()
        owner.clientID = client
        owner.dialogID = dialog
        owner.visitorID = visitor
        return owner
    }

    static func cartItem(_ article: String, _ quantity: Int64, sitePrice: Int64? = nil, name: String = "") -> OrdersV1.CartItemInput {
        var item = OrdersV1.CartItemInput()
        item.article = article
        item.quantity = quantity
        item.name = name
        if let sitePrice {
            var money = OrdersV1.Money()
            money.amountMinor = sitePrice
            money.currency = "RUB"
            item.sitePrice = money
        }
        return item
    }

    static func cart(_ owner: OrdersV1.Owner, version: Int64, _ items: [OrdersV1.CartItemInput]) -> OrdersV1.PutCartRequest {
        var request = OrdersV1.PutCartRequest()
        request.owner = owner
        request.version = version
        request.items = items
        return request
    }
}

/// A small catalog: two price types (retail in RUB is the base), a category tree, products
/// with Russian and English names.
enum Catalog {
    static let priceTypes = [
        Make.priceType("retail", base: true, name: "Розница"), Make.priceType("wholesale", name: "Опт"), Make.priceType("export", "USD"),
    ]

    static let categories = [
        Make.category("kitchen", "Кухня"), Make.category("coffee", "Кофеварки", parent: "kitchen"),
        Make.category("kettles", "Чайники", parent: "kitchen"), Make.category("decor", "Декор"),
        Make.category("trees", "Ёлки", parent: "decor"),
    ]

    static let products: [OrdersV1.ProductInput] = [
        Make.product(
            "KF-100", "Кофеварка капельная Bosch", category: "coffee", manufacturer: "Bosch", stock: 4,
            prices: [("retail", 499_000), ("wholesale", 420_000), ("export", 6_500)], properties: [("Цвет", "чёрный"), ("Объём", "1.2 л")]),
        Make.product(
            "KF-200", "Кофеварка рожковая DeLonghi", category: "coffee", manufacturer: "DeLonghi", stock: 0,
            prices: [("retail", 1_299_000), ("wholesale", 1_100_000)], properties: [("Цвет", "серебристый")]),
        Make.product(
            "KF-300", "Кофемолка Bosch", category: "coffee", manufacturer: "Bosch", stock: 12, prices: [("retail", 259_000)],
            properties: [("Цвет", "белый")]),
        Make.product(
            "CH-1", "Чайник электрический Tefal", category: "kettles", manufacturer: "Tefal", stock: 30, prices: [("retail", 199_000)],
            properties: [("Цвет", "белый")]),
        Make.product(
            "EL-1", "Ёлка искусственная 180 см", category: "trees", manufacturer: "Зимушка", stock: 3, prices: [("retail", 899_000)]),
        Make.product("EL-2", "Елка настольная", category: "trees", manufacturer: "Зимушка", stock: 7, prices: [("retail", 150_000)]),
        Make.product(
            "CM-9", "Coffee machine Philips", category: "coffee", manufacturer: "Philips", stock: 2, prices: [("retail", 3_500_000)]),
        Make.product("SV-1", "Установка кофеварки", kind: .service, category: "coffee", prices: [("retail", 100_000)]),
        Make.product(
            "OLD-1", "Кофеварка гейзерная старая", category: "coffee", manufacturer: "Bialetti", active: false,
            prices: [("retail", 300_000)]),
        Make.product("NP-1", "Кофейные зёрна без цены", category: "coffee", manufacturer: "Lavazza", stock: 9),
    ]
}

/// A fresh request id.
func newRequestID() -> String { UUID().uuidString }

/// A clock that moves one second forward every time it is read.
final class SteppingClock: Sendable {
    private let time: Mutex<Int64>

    init(start: Int64 = 1_800_000_000_000) { time = Mutex(start) }

    /// The next time.
    func next() -> Int64 {
        time.withLock {
            $0 += 1000; return $0
        }
    }
}
