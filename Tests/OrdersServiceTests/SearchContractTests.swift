import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import OrdersService
import Testing

/// SearchProducts (the picker) over the real socket: Russian and English word forms, ё/е,
/// prefixes as the manager types, article lookup, filters, sorts and paging.
@Suite struct SearchContractTests {
    @Test func findsRussianWordFormsAndFoldsYo() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            // The plural finds the singular (and "Установка кофеварки"), not the inactive one.
            #expect(Set(try await service.articles("кофеварки ")) == ["KF-100", "KF-200", "SV-1"])
            #expect(Set(try await service.articles("КОФЕВАРКУ ")) == ["KF-100", "KF-200", "SV-1"])
            // A message fragment as the picker's query (CLIENT-8): another word form, any case.
            #expect(try await service.articles("кофеварку BOSCH") == ["KF-100"])
            #expect(Set(try await service.articles("ёлка ")) == ["EL-1", "EL-2"])
            #expect(Set(try await service.articles("елка ")) == ["EL-1", "EL-2"])
            #expect(Set(try await service.articles("Ёлки ")) == ["EL-1", "EL-2"])
            #expect(Set(try await service.articles("зерна")) == ["NP-1"])
            // English stems too.
            #expect(try await service.articles("machines ") == ["CM-9"])
            // Case and Latin accents fold.
            #expect(try await service.articles("BÖSCH kofe").isEmpty)
            #expect(Set(try await service.articles("BÖSCH")) == ["KF-100", "KF-300"])
        }
    }

    @Test func matchesTheLastWordAsAPrefixAsTheManagerTypes() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            #expect(Set(try await service.articles("коф")) == ["KF-100", "KF-200", "KF-300", "SV-1", "NP-1"])
            #expect(Set(try await service.articles("кофев")) == ["KF-100", "KF-200", "SV-1"])
            #expect(try await service.articles("кофеварка bo") == ["KF-100"])
            #expect(try await service.articles("кофеварка de") == ["KF-200"])
            // A finished word (followed by a space) is not a prefix.
            #expect(try await service.articles("кофеварка bo ").isEmpty)
            #expect(try await service.articles("чайн") == ["CH-1"])
            // A finished word without the space still matches its other forms.
            #expect(Set(try await service.articles("кофеварки")) == ["KF-100", "KF-200", "SV-1"])
            #expect(Set(try await service.articles("ёлки")) == ["EL-1", "EL-2"])
            // Punctuation only: the whole (active) catalog.
            #expect(try await service.articles("«»!", { $0.pageSize = 100 }).count == Catalog.products.count - 1)
        }
    }

    @Test func looksUpArticles() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let answer = try await service.search("KF-200")
            #expect(answer.articleMatch?.article == "KF-200")
            #expect(answer.products.map(\.article) == ["KF-200"])
            #expect(try await service.search("kf").products.count == 3)
            #expect(try await service.search("Кофе").articleMatch == nil)
            // The inactive product is still found by its exact article.
            #expect(try await service.search("OLD-1").articleMatch?.active == false)
        }
    }

    @Test func filtersByCategoryTreeManufacturerPriceStockPropertiesAndKind() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            #expect(
                Set(try await service.articles { $0.categoryCode = "kitchen" }) == [
                    "KF-100", "KF-200", "KF-300", "CH-1", "CM-9", "SV-1", "NP-1",
                ])
            #expect(Set(try await service.articles { $0.categoryCode = "decor" }) == ["EL-1", "EL-2"])
            #expect(Set(try await service.articles { $0.manufacturers = ["Bosch", "Tefal"] }) == ["KF-100", "KF-300", "CH-1"])
            // Base price between 1 500 and 5 000 roubles.
            #expect(
                Set(
                    try await service.articles {
                        $0.priceMin = 150_000; $0.priceMax = 500_000
                    }) == ["KF-100", "KF-300", "CH-1", "EL-2"])
            // Wholesale price up to 5 000 roubles: only KF-100 has one that low.
            #expect(
                try await service.articles {
                    $0.priceType = "wholesale"; $0.priceMax = 500_000
                } == ["KF-100"])
            // In stock: KF-200 has none; the service is always available.
            let inStock = Set(try await service.articles("коф") { $0.inStock = true })
            #expect(inStock == ["KF-100", "KF-300", "SV-1", "NP-1"])
            var white = OrdersV1.Property()
            white.name = "Цвет"
            white.value = "белый"
            var black = white
            black.value = "чёрный"
            #expect(Set(try await service.articles { $0.properties = [white, black] }) == ["KF-100", "KF-300", "CH-1"])
            #expect(try await service.articles { $0.kind = .service } == ["SV-1"])
            #expect(Set(try await service.articles("кофеварка") { $0.includeInactive = true }).contains("OLD-1"))
            // Text with filters and a price sort.
            #expect(
                try await service.articles("коф") {
                    $0.manufacturers = ["Bosch"]; $0.sort = .priceAsc
                } == ["KF-300", "KF-100"])
        }
    }

    @Test func sortsByNameAndBasePriceWithUnpricedLast() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let byName = try await service.search { $0.pageSize = 100 }.products.map(\.name)
            #expect(byName.first == "Coffee machine Philips" && byName.last == "Чайник электрический Tefal")
            // "Елка" and "Ёлка" sort together (ё as е).
            let trees = byName.filter { $0.hasPrefix("Ел") || $0.hasPrefix("Ёл") }
            #expect(trees == ["Ёлка искусственная 180 см", "Елка настольная"])
            #expect(
                try await service.search {
                    $0.pageSize = 100; $0.sort = .nameDesc
                }.products.map(\.name) == byName.reversed())
            let ascending = try await service.articles {
                $0.pageSize = 100; $0.sort = .priceAsc
            }
            #expect(ascending == ["SV-1", "EL-2", "CH-1", "KF-300", "KF-100", "EL-1", "KF-200", "CM-9", "NP-1"])
            let descending = try await service.articles {
                $0.pageSize = 100; $0.sort = .priceDesc
            }
            #expect(descending == ["CM-9", "KF-200", "EL-1", "KF-100", "KF-300", "CH-1", "EL-2", "SV-1", "NP-1"])
        }
    }

    @Test func pagesAreStableWhileTheCatalogChanges() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            for sort in [OrdersV1.ProductSort.nameAsc, .nameDesc, .priceAsc, .priceDesc] {
                for query in ["", "коф"] {
                    let all = try await service.articles(query) {
                        $0.pageSize = 100; $0.sort = sort
                    }
                    var seen: [String] = []
                    var token = ""
                    repeat {
                        let page = try await service.search(query) {
                            $0.pageSize = 2; $0.sort = sort; $0.pageToken = token
                        }
                        #expect(page.products.count <= 2)
                        seen += page.products.map(\.article)
                        token = page.nextPageToken
                        if seen.count == 2 && sort == .nameAsc && query.isEmpty {
                            // A product that sorts first, added between pages, does not shift the next ones.
                            var request = OrdersV1.UpsertProductsRequest()
                            request.products = [Make.product("A-0", "AAA кофе первый", prices: [("retail", 1)])]
                            _ = try await service.call(OrdersV1.Orders.upsertProducts, request, as: .editor)
                        }
                    } while !token.isEmpty
                    if sort == .nameAsc && query.isEmpty {
                        #expect(seen == all, "\(sort) '\(query)'")
                    } else {
                        #expect(seen == all.filter { $0 != "A-0" } || seen == all, "\(sort) '\(query)'")
                    }
                }
            }
        }
    }

    @Test func refusesBadSearchesNamingTheField() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let token = try await service.search { $0.pageSize = 1 }.nextPageToken
            await expectError(.invalidArgument, fields: ["page_token"]) {
                _ = try await service.search {
                    $0.pageToken = token; $0.sort = .priceAsc
                }
            }
            await expectError(.invalidArgument, fields: ["page_token"]) { _ = try await service.search { $0.pageToken = "bm9wZQ" } }
            // A token goes on only the search it came from: another query or filter is refused,
            // another page size is not.
            let found = try await service.search("кофе") { $0.pageSize = 1 }.nextPageToken
            #expect(!found.isEmpty)
            let next = try await service.search("кофе") {
                $0.pageSize = 3
                $0.pageToken = found
            }
            #expect(!next.products.isEmpty)
            for (query, inStock) in [("чайник", false), ("кофе", true)] {
                let refused = await expectError(.invalidArgument, fields: ["page_token"]) {
                    _ = try await service.search(query) {
                        $0.pageToken = found
                        $0.inStock = inStock
                    }
                }
                #expect(refused?.violations.first?.description.contains("another search") == true)
            }
            await expectError(.invalidArgument, fields: ["page_size", "price_max", "query", "sort"]) {
                _ = try await service.search(String(repeating: "я", count: 201)) {
                    $0.pageSize = 101
                    $0.priceMin = 10
                    $0.priceMax = 5
                    $0.sort = .init(rawValue: 9)
                }
            }
            await expectError(.invalidArgument, fields: ["price_type"]) { _ = try await service.search { $0.priceType = "gold" } }
            await expectError(.invalidArgument, fields: ["category_code"]) { _ = try await service.search { $0.categoryCode = "nope" } }
        }
    }
}
