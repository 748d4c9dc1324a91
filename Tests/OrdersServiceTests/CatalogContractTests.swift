import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB
import OrdersService
import Testing

/// Price types, categories, CreateProduct, GetProduct and UpsertProducts over the real socket.
@Suite struct CatalogContractTests {
    @Test func createsAProductAndReadsItBackWithCurrenciesAndItsCategoryPath() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var input = Make.product(
                "NEW-1", "Турка медная", category: "coffee", manufacturer: "Кавказ", stock: 3,
                prices: [("retail", 129_990), ("export", 1_500)],
                properties: [("Материал", "медь")])
            input.weightGrams = 350
            let created = try #require(try await service.call(OrdersV1.Orders.createProduct, Make.create(input), as: .editor).product)
            #expect(created.productID > 0 && created.kind == .product && created.article == "NEW-1" && created.name == "Турка медная")
            #expect(created.categoryCode == "coffee" && created.categoryPath == "Кухня / Кофеварки" && created.manufacturer == "Кавказ")
            #expect(created.properties.map(\.name) == ["Материал"] && created.weightGrams == 350 && created.stock == 3 && created.available)
            #expect(created.prices.map(\.currency) == ["RUB", "USD"] && created.prices.map(\.amountMinor) == [129_990, 1_500])
            #expect(created.imageURL == "https://shop.example/img/NEW-1.jpg" && created.url == "https://shop.example/p/NEW-1")
            var get = OrdersV1.GetProductRequest()
            get.productID = created.productID
            #expect(try await service.call(OrdersV1.Orders.getProduct, get).product == created)
            // It is found by the picker at once.
            #expect(try await service.articles("турк") == ["NEW-1"])
        }
    }

    @Test func checksTheRightBeforeTheFields() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let bad = Make.product("", "", kind: .unspecified)
            await expectError(.permissionDenied) {
                _ = try await service.call(OrdersV1.Orders.createProduct, Make.create(bad), as: .manager(1, [.editClients, .tasks]))
            }
            var upsert = OrdersV1.UpsertProductsRequest()
            upsert.products = [bad]
            await expectError(.permissionDenied) { _ = try await service.call(OrdersV1.Orders.upsertProducts, upsert) }
            await expectError(.permissionDenied) {
                _ = try await service.call(OrdersV1.Orders.putPriceTypes, Make.priceTypes([Make.priceType("x", "XXX")]))
            }
            await expectError(.permissionDenied) {
                _ = try await service.call(OrdersV1.Orders.putCategories, Make.categories([Make.category("", "")]))
            }
            // An administrator holds the right.
            let product = Make.product("ADM-1", "Фильтр для воды", prices: [("retail", 50_000)])
            #expect(try await service.call(OrdersV1.Orders.createProduct, Make.create(product), as: .admin).product?.article == "ADM-1")
        }
    }

    @Test func refusesAProductNamingEveryBadField() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var bad = Make.product(
                "", " ", kind: .unspecified, category: "nope", stock: -1, prices: [("nope", 10), ("retail", -5), ("retail", 10)],
                properties: [("Цвет", "красный"), ("Цвет", "синий"), ("", "x")])
            bad.weightGrams = -3
            bad.imageURL = "ftp://example/x.png"
            bad.url = "not a url"
            bad.manufacturer = String(repeating: "м", count: 256)
            await expectError(
                .invalidArgument,
                fields: [
                    "product.kind", "product.article", "product.name", "product.category_code", "product.manufacturer",
                    "product.properties[1].name", "product.properties[2].name", "product.weight_grams", "product.stock",
                    "product.image_url",
                    "product.url", "product.prices[0].price_type", "product.prices[1].amount_minor", "product.prices[2].price_type",
                ]
            ) {
                _ = try await service.call(OrdersV1.Orders.createProduct, Make.create(bad), as: .editor)
            }
            await expectError(.invalidArgument, fields: ["product"]) {
                _ = try await service.call(OrdersV1.Orders.createProduct, OrdersV1.CreateProductRequest(), as: .editor)
            }
            var service1 = Make.product("SV-9", "Доставка", kind: .service)
            service1.stock = 2
            var wrongCurrency = Make.product("W-1", "Вафельница", prices: [("export", 100)])
            wrongCurrency.prices[0].currency = "RUB"
            await expectError(.invalidArgument, fields: ["product.stock"]) {
                _ = try await service.call(OrdersV1.Orders.createProduct, Make.create(service1), as: .editor)
            }
            await expectError(.invalidArgument, fields: ["product.prices[0].currency"]) {
                _ = try await service.call(OrdersV1.Orders.createProduct, Make.create(wrongCurrency), as: .editor)
            }
            // A taken article.
            await expectError(.alreadyExists) {
                _ = try await service.call(OrdersV1.Orders.createProduct, Make.create(Make.product("KF-100", "Другая")), as: .editor)
            }
            let count = try await service.store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM product") }
            #expect(count == Catalog.products.count)
        }
    }

    @Test func createIsAppliedOncePerRequestID() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let id = newRequestID()
            let request = Make.create(Make.product("R-1", "Капсулы", prices: [("retail", 1000)]))
            let first = try await service.call(OrdersV1.Orders.createProduct, request, as: .editor, requestID: id)
            let again = try await service.call(OrdersV1.Orders.createProduct, request, as: .editor, requestID: id)
            #expect(first == again)
        }
    }

    @Test func upsertsByArticleIdempotentlyAndReindexesNames() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var request = OrdersV1.UpsertProductsRequest()
            request.products = Catalog.products
            let repeated = try await service.call(OrdersV1.Orders.upsertProducts, request, as: .editor)
            #expect(repeated.created == 0 && repeated.updated == 0 && repeated.unchanged == UInt32(Catalog.products.count))
            // Rename one, add one.
            request.products = [
                Make.product("KF-300", "Мельница для кофе Bosch", category: "coffee", manufacturer: "Bosch", prices: [("retail", 249_000)]),
                Make.product("NEW-2", "Сливочник", prices: [("retail", 39_000)]),
            ]
            let changed = try await service.call(OrdersV1.Orders.upsertProducts, request, as: .editor)
            #expect(changed.created == 1 && changed.updated == 1 && changed.unchanged == 0)
            #expect(try await service.articles("кофемолка").isEmpty)
            #expect(try await service.articles("мельниц") == ["KF-300"])
            let product = try #require(
                try await service.call(
                    OrdersV1.Orders.getProduct,
                    {
                        var r = OrdersV1.GetProductRequest(); r.article = "KF-300"; return r
                    }()
                ).product)
            #expect(product.prices.map(\.amountMinor) == [249_000] && product.properties.isEmpty)
        }
    }

    @Test func refusesAnUpsertNamingTheBadProductsFields() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var request = OrdersV1.UpsertProductsRequest()
            request.products = [
                Make.product("A-1", "Хорошее"), Make.product("A-2", ""), Make.product("A-1", "Дубль", prices: [("gold", 1)]),
            ]
            await expectError(.invalidArgument, fields: ["products[1].name", "products[2].article", "products[2].prices[0].price_type"]) {
                _ = try await service.call(OrdersV1.Orders.upsertProducts, request, as: .editor)
            }
            request.products = Array(repeating: Make.product("B", "Б"), count: 501)
            let error = await expectError(.invalidArgument) {
                _ = try await service.call(OrdersV1.Orders.upsertProducts, request, as: .editor)
            }
            #expect(error?.violations.contains(where: { $0.field == "products" }) == true)
            await expectError(.invalidArgument, fields: ["products"]) {
                _ = try await service.call(OrdersV1.Orders.upsertProducts, OrdersV1.UpsertProductsRequest(), as: .editor)
            }
        }
    }

    @Test func priceTypesHaveOneBaseAndKeepTheirCurrencyOnceUsed() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            await expectError(.invalidArgument, fields: ["price_types[0].currency", "price_types[1].code", "price_types[2].name"]) {
                _ = try await service.call(
                    OrdersV1.Orders.putPriceTypes,
                    Make.priceTypes([Make.priceType("a", "RUR"), Make.priceType("b c"), Make.priceType("d", name: "")]), as: .editor)
            }
            await expectError(.failedPrecondition) {
                _ = try await service.call(OrdersV1.Orders.putPriceTypes, Make.priceTypes([Make.priceType("retail", "EUR")]), as: .editor)
            }
            let types = try await service.call(OrdersV1.Orders.listPriceTypes, OrdersV1.ListPriceTypesRequest()).priceTypes
            #expect(types.map(\.code) == ["retail", "export", "wholesale"] && types.map(\.isBase) == [true, false, false])
            // Wholesale becomes the base: the price sort follows it (KF-100 420 000 < KF-200 1 100 000; the rest have none).
            let after = try await service.call(
                OrdersV1.Orders.putPriceTypes, Make.priceTypes([Make.priceType("wholesale", base: true)]), as: .editor)
            #expect(after.priceTypes.first?.code == "wholesale" && after.priceTypes.filter(\.isBase).count == 1)
            let sorted = try await service.articles { $0.sort = .priceDesc }
            #expect(Array(sorted.prefix(2)) == ["KF-200", "KF-100"])
        }
    }

    @Test func categoriesFormATreeWithoutCycles() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            await expectError(.invalidArgument, fields: ["categories[0].parent_code"]) {
                _ = try await service.call(
                    OrdersV1.Orders.putCategories, Make.categories([Make.category("x", "Икс", parent: "missing")]), as: .editor)
            }
            await expectError(.invalidArgument, fields: ["categories[0].parent_code"]) {
                _ = try await service.call(
                    OrdersV1.Orders.putCategories, Make.categories([Make.category("kitchen", "Кухня", parent: "coffee")]), as: .editor)
            }
            // Moving a subtree renames every path below it.
            let moved = try await service.call(
                OrdersV1.Orders.putCategories,
                Make.categories([Make.category("home", "Дом"), Make.category("kitchen", "Кухня", parent: "home")]),
                as: .editor)
            #expect(moved.created == 1 && moved.updated == 1)
            let tree = try await service.call(OrdersV1.Orders.listCategories, OrdersV1.ListCategoriesRequest()).categories
            #expect(tree.first(where: { $0.code == "kitchen" })?.parentCode == "home")
            let product = try await service.search("KF-100").articleMatch
            #expect(product?.categoryPath == "Дом / Кухня / Кофеварки")
        }
    }
}
