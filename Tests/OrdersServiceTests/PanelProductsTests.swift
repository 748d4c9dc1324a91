import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import Foundation
import GRDB
import Testing

@testable import OrdersService

/// The products of the panel's list and cart and of the picker are encoded straight from their
/// stored fields (`ShownProduct`), and the order settings from their encoding made once: they
/// must read exactly as the products `GetProduct` decodes and the settings `GetOrderSettings` gives.
@Suite struct PanelProductsTests {
    /// A row of `ShownProduct.columns` made by hand.
    private struct Values: PositionalValues {
        var values: [DatabaseValue]

        func databaseValue(at index: Int) -> DatabaseValue { values[index] }
    }

    /// Every stored product of the catalog, as rows of `ShownProduct.columns`.
    private static func productRows(_ service: OrdersHarness) async throws -> [PositionalRow] {
        try await service.store.database.read { db in
            try db.positionalRows(
                sql: "SELECT \(ShownProduct.columns) FROM product p LEFT JOIN category c ON c.id = p.category_id ORDER BY p.id")
        }
    }

    /// What the decoding path gives for `row`, beside what `ShownProduct` gives.
    private static func expectSame(
        _ row: some PositionalValues, _ references: CatalogReferences, _ type: PriceTypeRecord?, transcoded: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let record = try ProductRecord(row: row)
        let shown = try #require(try ShownProduct(row: row, at: 0, references, type), sourceLocation: sourceLocation)
        #expect(try OrdersV1.Product(serializedBytes: shown.encoded) == record.proto(references), sourceLocation: sourceLocation)
        #expect(shown.name == record.input.name, sourceLocation: sourceLocation)
        #expect(shown.isAvailable == record.isAvailable, sourceLocation: sourceLocation)
        #expect(shown.price == type.flatMap(record.price(in:)), sourceLocation: sourceLocation)
        let input: Data = row[1]
        let columns = ShownProduct.Columns(
            id: row[0], categoryCode: row[4] ?? "", categoryPath: row[5] ?? "", createdAt: row[2], updatedAt: row[3])
        let fast = input.withUnsafeBytes { ShownProduct.transcoded($0, columns, references, type) }
        #expect((fast != nil) == transcoded, sourceLocation: sourceLocation)
    }

    @Test func everyStoredProductReadsAsTheDecodedOneInEveryPriceType() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let rows = try await Self.productRows(service)
            #expect(rows.count == Catalog.products.count)
            let loaded = try await service.store.database.read { db in try CatalogReferences.loadPriceTypes(db) }
            // A price type since removed (its prices show no currency) and one whose currency changed.
            var changed = loaded
            changed.priceTypes["export"] = nil
            changed.priceTypes["wholesale"]?.currency = "EUR"
            for references in [loaded, changed] {
                let types: [PriceTypeRecord?] = [nil] + references.priceTypes.values.sorted(by: { $0.code < $1.code }).map { $0 }
                for type in types {
                    for row in rows { try Self.expectSame(row, references, type) }
                }
            }
        }
    }

    @Test func storedFieldsItDoesNotExpectAreDecodedInstead() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let row = try #require(try await Self.productRows(service).first)
            let references = try await service.store.database.read { db in try CatalogReferences.loadPriceTypes(db) }
            let stored: Data = row[1]
            let retail = references.priceTypes["retail"]
            func with(_ input: [UInt8], category: Bool = true) -> Values {
                var values = (0..<6).map { row.databaseValue(at: $0) }
                values[1] = Data(input).databaseValue
                if !category { values[4] = .null; values[5] = .null }
                return Values(values: values)
            }
            // The stored bytes as they are, and with no category (the category was deleted).
            try Self.expectSame(with(Array(stored)), references, retail)
            try Self.expectSame(with(Array(stored), category: false), references, retail)
            // A field ProductInput does not have, and a known field with another wire type.
            var unknown: [UInt8] = []
            ProtoWire.append(40, varint: 1, to: &unknown)
            try Self.expectSame(with(Array(stored) + unknown), references, retail, transcoded: false)
            var fixed: [UInt8] = []
            ProtoWire.appendKey(9, wireType: 5, to: &fixed)
            try Self.expectSame(with(Array(stored) + fixed + [1, 0, 0, 0]), references, retail, transcoded: false)
            // A price with a field Price does not have.
            var priceBody: [UInt8] = []
            ProtoWire.append(1, lengthDelimited: Array("retail".utf8), to: &priceBody)
            ProtoWire.append(9, varint: 1, to: &priceBody)
            var price: [UInt8] = []
            ProtoWire.append(12, lengthDelimited: priceBody, to: &price)
            try Self.expectSame(with(Array(stored) + price), references, retail, transcoded: false)
            // A price that names its currency (answers only): replaced by its price type's.
            var namedBody: [UInt8] = []
            ProtoWire.append(1, lengthDelimited: Array("export".utf8), to: &namedBody)
            ProtoWire.append(3, lengthDelimited: Array("XXX".utf8), to: &namedBody)
            var named: [UInt8] = []
            ProtoWire.append(12, lengthDelimited: namedBody, to: &named)
            try Self.expectSame(with(Array(stored) + named), references, references.priceTypes["export"])
            // Bytes that are not a message at all are refused as the decoder refuses them.
            #expect(throws: (any Error).self) { _ = try ShownProduct(row: with([0x0A, 0x05, 0x41]), at: 0, references, retail) }
        }
    }

    /// The product `GetProduct` gives for `article`.
    private static func product(_ service: OrdersHarness, _ article: String) async throws -> OrdersV1.Product? {
        var request = OrdersV1.GetProductRequest()
        request.article = article
        return try await service.call(OrdersV1.Orders.getProduct, request).product
    }

    @Test func thePanelsListAndCartShowTheProductsGetProductGives() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            try await service.loadCatalog()
            for article in ["KF-100", "SV-1", "OLD-1", "NP-1"] {
                var add = OrdersV1.AddListedProductRequest()
                add.owner = Make.owner(client: 31)
                add.productID = try await service.productID(article)
                _ = try await service.call(OrdersV1.Orders.addListedProduct, add)
            }
            let lines = [
                Make.cartItem("KF-200", 2), Make.cartItem("CH-1", 1, sitePrice: 180_000),
                Make.cartItem("GONE-1", 3, sitePrice: 5_000, name: "Снятый товар"),
            ]
            _ = try await service.call(OrdersV1.Orders.putCart, Make.cart(Make.owner(client: 31), version: 1, lines), as: .admin)
            for priceType in ["", "wholesale", "export"] {
                var request = OrdersV1.GetPanelDataRequest()
                request.clientID = 31
                request.priceType = priceType
                let data = try await service.call(OrdersV1.Orders.getPanelData, request)
                let list = try #require(data.list)
                #expect(list.items.map { $0.product?.article } == ["NP-1", "OLD-1", "SV-1", "KF-100"])
                for item in list.items {
                    #expect(item.product == (try await Self.product(service, item.product?.article ?? "")))
                }
                let cart = try #require(data.cart)
                #expect(cart.items.map(\.article) == ["KF-200", "CH-1", "GONE-1"])
                for item in cart.items where !item.gone { #expect(item.product == (try await Self.product(service, item.article))) }
                #expect(cart.items.last?.product == nil && cart.items.last?.name == "Снятый товар")
                #expect(cart.items.map(\.gone) == [false, false, true] && cart.items.map(\.available) == [false, true, false])
                // The typed methods read the same.
                var listed = OrdersV1.ListListedProductsRequest()
                listed.owner = Make.owner(client: 31)
                listed.priceType = priceType
                #expect(try await service.call(OrdersV1.Orders.listListedProducts, listed).list == list)
                var getCart = OrdersV1.GetCartRequest()
                getCart.owner = Make.owner(client: 31)
                getCart.priceType = priceType
                #expect(try await service.call(OrdersV1.Orders.getCart, getCart).cart == cart)
            }
            // Prices in the price type asked for, with its currency; the base one when none is.
            var request = OrdersV1.GetPanelDataRequest()
            request.clientID = 31
            request.priceType = "export"
            let export = try await service.call(OrdersV1.Orders.getPanelData, request)
            #expect(export.list?.items.last?.price?.text == "65,00\u{A0}$" && export.list?.items.first?.price == nil)
            #expect(export.cart?.items.first?.price == nil && export.cart?.items[1].price?.currency == "RUB")
            request.priceType = ""
            let base = try await service.call(OrdersV1.Orders.getPanelData, request)
            #expect(base.list?.items.last?.price?.text == "4\u{A0}990,00\u{A0}₽")
            #expect(
                base.cart?.items.first?.lineTotal?.text == "25\u{A0}980,00\u{A0}₽"
                    && base.cart?.total?.amountMinor == 2_598_000 + 199_000 + 15_000)
        }
    }

    @Test func thePickersProductsAreTheProductsGetProductGives() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var products: [OrdersV1.Product] = []
            var page = try await service.search { $0.pageSize = 4 }
            while true {
                products += page.products
                if page.nextPageToken.isEmpty { break }
                let token = page.nextPageToken
                page = try await service.search {
                    $0.pageSize = 4
                    $0.pageToken = token
                }
            }
            // Every active product, over pages of four, each as GetProduct gives it.
            #expect(Set(products.map(\.article)) == Set(Catalog.products.filter(\.active).map(\.article)))
            for product in products { #expect(product == (try await Self.product(service, product.article))) }
            // An article typed in full is also given as the article match, found the same way.
            let match = try await service.search("KF-200")
            let kf200 = try await Self.product(service, "KF-200")
            #expect(match.articleMatch != nil && match.articleMatch == kf200)
            #expect(
                match.articleMatch?.prices.map(\.currency) == ["RUB", "RUB"] && match.articleMatch?.categoryPath == "Кухня / Кофеварки")
            #expect(try await service.search("нет такого").articleMatch == nil)
        }
    }

    @Test func theOrderWidgetsSettingsAreGetOrderSettingsWithTheManagersPins() async throws {
        try await withOrdersService(settings: CustomFieldContractTests.settings) { service in
            _ = try await OrderContractTests.create(service, client: 41)
            _ = try await CustomFieldContractTests.pin(service, "channel", as: .manager(3))
            _ = try await CustomFieldContractTests.pin(service, "deadline", as: .manager(3))
            for manager in [Int64(3), 4] {
                var request = OrdersV1.GetPanelDataRequest()
                request.clientID = 41
                request.ordersPageSize = 5
                let data = try await service.call(OrdersV1.Orders.getPanelData, request, as: .manager(manager))
                let settings = try await service.call(
                    OrdersV1.Orders.getOrderSettings, OrdersV1.GetOrderSettingsRequest(), as: .manager(manager))
                #expect(data.orders?.settings == settings)
                #expect(settings.pinnedFields.map(\.code) == (manager == 3 ? ["channel", "deadline"] : []))
                #expect(!settings.statuses.isEmpty && !settings.paymentTypes.isEmpty && !settings.currency.isEmpty)
            }
        }
    }
}
