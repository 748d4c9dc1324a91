import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The orders process's socket when neither `--socket` nor `CHATPANEL_SOCKET` names one.
private let ordersSocket = "run/state/orders.sock"

/// `chatpanelctl catalog …`: the product catalog and the picker.
struct CatalogCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "The product catalog and the picker.",
        subcommands: [ImportCatalog.self, SearchCatalog.self, ShowProduct.self, PriceTypes.self])

    /// `chatpanelctl catalog import FILE`: loads a CSV catalog through UpsertProducts.
    struct ImportCatalog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import", abstract: "Imports a CSV catalog (created or updated by article, in batches).",
            discussion: """
                Columns: article, name (required); kind, category ("Кухня / Кофеварки"), manufacturer, stock, \
                active, weight_grams, image_url, url, price:<type>:<ISO 4217> (major units; the first is the base \
                price type), property:<name>. Needs the edit_catalog right.
                """)

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "Products per UpsertProducts call (at most 500).") var batchSize = 500

        func run() async throws {
            let catalog: CatalogCSV
            do {
                catalog = try CatalogCSV(text: try String(contentsOfFile: file, encoding: .utf8))
            } catch let problem as CatalogCSV.Problem {
                throw ValidationError("\(file): \(problem)")
            }
            let totals = try await connection.withClient(defaultPath: ordersSocket) { client in
                try await CatalogImport(client: client, batchSize: batchSize).load(catalog)
            }
            print(
                "imported \(catalog.products.count) products: \(totals.created) created, \(totals.updated) updated, \(totals.unchanged) unchanged"
            )
        }
    }

    /// `chatpanelctl catalog search`: the picker.
    struct SearchCatalog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "search", abstract: "Searches the catalog as the picker does.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Words of the name or article (the last one is a prefix); a message fragment.") var query = ""
        @Option(help: "A category code (with its subcategories).") var category = ""
        @Option(help: "A manufacturer; repeatable.") var manufacturer: [String] = []
        @Option(help: "The price type of prices and the price range (default: the base one).") var priceType = ""
        @Option(help: "Lowest price, minor units.") var priceMin: Int64?
        @Option(help: "Highest price, minor units.") var priceMax: Int64?
        @Flag(help: "Only products available to sell.") var inStock = false
        @Option(help: "name-asc, name-desc, price-asc or price-desc.") var sort = "name-asc"
        @Option(help: "Products per page (0: 20).") var pageSize: UInt32 = 0
        @Option(help: "The next_page_token of the previous page.") var pageToken = ""

        func run() async throws {
            var request = OrdersV1.SearchProductsRequest()
            request.query = query
            request.categoryCode = category
            request.manufacturers = manufacturer
            request.priceType = priceType
            request.priceMin = priceMin
            request.priceMax = priceMax
            request.inStock = inStock
            request.sort =
                switch sort {
                case "name-asc": .nameAsc
                case "name-desc": .nameDesc
                case "price-asc": .priceAsc
                case "price-desc": .priceDesc
                default: throw ValidationError("--sort is name-asc, name-desc, price-asc or price-desc")
                }
            request.pageSize = pageSize
            request.pageToken = pageToken
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.searchProducts, request)
            }
            try connection.output(response) {
                var lines: [String] = []
                if let match = response.articleMatch { lines.append("article match: " + describe(match, priceType: priceType)) }
                lines += response.products.map { describe($0, priceType: priceType) }
                if response.products.isEmpty { lines.append("nothing found") }
                if !response.nextPageToken.isEmpty { lines.append("more: --page-token \(response.nextPageToken)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    /// `chatpanelctl catalog show`: one product.
    struct ShowProduct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Shows a product by id or article.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The product id or article.") var product: String

        func run() async throws {
            var request = OrdersV1.GetProductRequest()
            if let id = Int64(product) { request.productID = id } else { request.article = product }
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.getProduct, request)
            }
            try connection.output(response) {
                guard let product = response.product else { return "" }
                var lines = [describe(product, priceType: "")]
                lines.append(
                    "  category: \(product.categoryPath.isEmpty ? "none" : product.categoryPath); manufacturer: \(product.manufacturer)")
                lines += product.prices.map { "  price \($0.priceType): \(majorUnits($0.amountMinor, $0.currency)) \($0.currency)" }
                lines += product.properties.map { "  \($0.name): \($0.value)" }
                return lines.joined(separator: "\n")
            }
        }
    }

    /// `chatpanelctl catalog price-types`: the price types.
    struct PriceTypes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "price-types", abstract: "Lists the price types.")

        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.listPriceTypes, OrdersV1.ListPriceTypesRequest())
            }
            try connection.output(response) {
                response.priceTypes.map { "\($0.code) (\($0.name)) \($0.currency)\($0.isBase ? " base" : "")" }.joined(separator: "\n")
            }
        }
    }
}

/// `chatpanelctl products …`: a dialog's or client's product list.
struct ProductsCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "products", abstract: "A client's (or an unsaved dialog's) product list.",
        subcommands: [ListProducts.self, AddProduct.self, RemoveProduct.self, SendCards.self])

    /// Whose list.
    struct OwnerOptions: ParsableArguments {
        @Option(help: "The client.") var client: Int64 = 0
        @Option(help: "The dialog, before its contact is saved.") var dialog = ""
        @Option(help: "The price type of the prices shown (default: the base one).") var priceType = ""

        var owner: OrdersV1.Owner {
            var owner = OrdersV1.Owner()
            owner.clientID = client
            owner.dialogID = dialog
            return owner
        }
    }

    struct ListProducts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists the product list, newest first.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var owner: OwnerOptions

        func run() async throws {
            var request = OrdersV1.ListListedProductsRequest()
            request.owner = owner.owner
            request.priceType = owner.priceType
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.listListedProducts, request)
            }
            try connection.output(response) { describe(response.list) }
        }
    }

    struct AddProduct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Puts a product on the list.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var owner: OwnerOptions
        @Argument(help: "The product id.") var product: Int64

        func run() async throws {
            var request = OrdersV1.AddListedProductRequest()
            request.owner = owner.owner
            request.productID = product
            request.priceType = owner.priceType
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.addListedProduct, request, options: options)
            }
            try connection.output(response) { describe(response.list) }
        }
    }

    struct RemoveProduct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Takes a product off the list.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var owner: OwnerOptions
        @Argument(help: "The product id.") var product: Int64

        func run() async throws {
            var request = OrdersV1.RemoveListedProductRequest()
            request.owner = owner.owner
            request.productID = product
            request.priceType = owner.priceType
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.removeListedProduct, request, options: options)
            }
            try connection.output(response) { describe(response.list) }
        }
    }

    struct SendCards: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "send", abstract: "Sends products to the client as product cards.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var owner: OwnerOptions
        @Argument(help: "Product ids.") var products: [Int64]

        func run() async throws {
            var request = OrdersV1.SendProductCardsRequest()
            request.owner = owner.owner
            request.productIDs = products
            request.priceType = owner.priceType
            request.source = .list
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.sendProductCards, request, options: options)
            }
            try connection.output(response) {
                response.cards.map { "\($0.name) — \($0.price?.text ?? "no price") \($0.url) \($0.imageURL)" }.joined(separator: "\n")
            }
        }
    }
}

/// `chatpanelctl cart …`: a client's or site visitor's current cart.
struct CartCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cart", abstract: "A client's or site visitor's current cart.", subcommands: [ShowCart.self, PutCart.self])

    /// Whose cart.
    struct OwnerOptions: ParsableArguments {
        @Option(help: "The client.") var client: Int64 = 0
        @Option(help: "The site visitor, before they are known as a client.") var visitor = ""

        var owner: OrdersV1.Owner {
            var owner = OrdersV1.Owner()
            owner.clientID = client
            owner.visitorID = visitor
            return owner
        }
    }

    struct ShowCart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Shows the cart with the catalog's data now.")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var owner: OwnerOptions
        @Option(help: "The price type (default: the base one).") var priceType = ""

        func run() async throws {
            var request = OrdersV1.GetCartRequest()
            request.owner = owner.owner
            request.priceType = priceType
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.getCart, request)
            }
            try connection.output(response) {
                guard let cart = response.cart else { return "no cart" }
                var lines = cart.items.map { item in
                    let state = item.gone ? " (no longer in the catalog)" : item.available ? "" : " (not available)"
                    return
                        "\(item.quantity) × \(item.name) [\(item.article)] \(item.price?.text ?? "no price") = \(item.lineTotal?.text ?? "?")\(state)"
                }
                lines.append("total: \(cart.total?.text ?? "") for \(cart.quantity) items (version \(cart.version))")
                return lines.joined(separator: "\n")
            }
        }
    }

    struct PutCart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "put", abstract: "Puts the whole cart as a site tracker would (needs --rights admin).")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var owner: OwnerOptions
        @Option(help: "The cart's version (default: now, UTC ms).") var version: Int64?
        @Argument(help: "Lines as ARTICLE=QUANTITY; none empties the cart.") var items: [String] = []

        func run() async throws {
            var request = OrdersV1.PutCartRequest()
            request.owner = owner.owner
            request.version = version ?? Int64(Date().timeIntervalSince1970 * 1000)
            for item in items {
                let parts = item.split(separator: "=")
                guard parts.count == 2, let quantity = Int64(parts[1]) else {
                    throw ValidationError("write lines as ARTICLE=QUANTITY: \(item)")
                }
                var line = OrdersV1.CartItemInput()
                line.article = String(parts[0])
                line.quantity = quantity
                request.items.append(line)
            }
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: ordersSocket) {
                try await $0.unary(OrdersV1.Orders.putCart, request, options: options)
            }
            try connection.output(response) {
                response.applied
                    ? "cart put (version \(response.currentVersion))"
                    : "a newer cart is stored (version \(response.currentVersion)); nothing changed"
            }
        }
    }
}

/// Writes a parsed CSV catalog: price types, categories, then products in batches.
struct CatalogImport {
    let client: RPCClient
    var batchSize = 500

    /// Loads `catalog`; answers the products' totals.
    func load(_ catalog: CatalogCSV, requestIDPrefix: String? = nil) async throws -> (created: UInt32, updated: UInt32, unchanged: UInt32) {
        if !catalog.priceTypes.isEmpty {
            var request = OrdersV1.PutPriceTypesRequest()
            request.priceTypes = catalog.priceTypes
            _ = try await client.unary(OrdersV1.Orders.putPriceTypes, request, options: options(requestIDPrefix, "price-types"))
        }
        for (index, start) in stride(from: 0, to: catalog.categories.count, by: 1000).enumerated() {
            var request = OrdersV1.PutCategoriesRequest()
            request.categories = Array(catalog.categories[start..<min(start + 1000, catalog.categories.count)])
            _ = try await client.unary(OrdersV1.Orders.putCategories, request, options: options(requestIDPrefix, "categories-\(index)"))
        }
        var totals: (created: UInt32, updated: UInt32, unchanged: UInt32) = (0, 0, 0)
        let size = max(1, min(batchSize, 500))
        for (index, start) in stride(from: 0, to: catalog.products.count, by: size).enumerated() {
            var request = OrdersV1.UpsertProductsRequest()
            request.products = Array(catalog.products[start..<min(start + size, catalog.products.count)])
            let response = try await client.unary(
                OrdersV1.Orders.upsertProducts, request, options: options(requestIDPrefix, "products-\(index)"))
            totals.created += response.created
            totals.updated += response.updated
            totals.unchanged += response.unchanged
        }
        return totals
    }

    private func options(_ prefix: String?, _ step: String) -> RPCCallOptions {
        RPCCallOptions(requestID: prefix.map { "\($0)-\(step)" } ?? UUID().uuidString)
    }
}

/// One line about a product: `#12 KF-100 Кофеварка капельная Bosch — 4 990,00 ₽ (in stock: 4)`.
private func describe(_ product: OrdersV1.Product, priceType: String) -> String {
    let price = product.prices.first(where: { priceType.isEmpty || $0.priceType == priceType })
    let priceText = price.map { "\(majorUnits($0.amountMinor, $0.currency)) \($0.currency) (\($0.priceType))" } ?? "no price"
    let state = !product.active ? "inactive" : product.kind == .service ? "service" : "in stock: \(product.stock)"
    return "#\(product.productID) \(product.article) \(product.name) — \(priceText) (\(state))"
}

/// Minor units as a decimal amount: 475900 RUB is "4759.00".
private func majorUnits(_ amount: Int64, _ currency: String) -> String {
    let digits = CatalogCSV.minorUnitDigits(currency)
    guard digits > 0 else { return "\(amount)" }
    var scale: Int64 = 1
    for _ in 0..<digits { scale *= 10 }
    let fraction = String(amount % scale)
    return "\(amount / scale)." + String(repeating: "0", count: digits - fraction.count) + fraction
}

/// A product list, one product a line.
private func describe(_ list: OrdersV1.ProductList?) -> String {
    guard let list, !list.items.isEmpty else { return "the list is empty" }
    return list.items.map { item in
        let name = item.product?.name ?? "product \(item.productID) (no longer in the catalog)"
        let sent = item.sentCount > 0 ? ", sent \(item.sentCount)×" : ""
        return "#\(item.productID) \(name) — \(item.price?.text ?? "no price")\(sent)"
    }.joined(separator: "\n")
}
