import ChatPanelProto
import ChatPanelStore
import ChatPanelTesting
import GRDB
import Testing

@testable import OrdersService

/// The picker's query plans: FTS drives when there is text; the sort's index drives (read in
/// order, no sort step) when there is none. The benchmark shows the timings; this pins the plans.
@Suite struct QueryPlanTests {
    private func plan(_ adjust: (inout OrdersV1.SearchProductsRequest) -> Void) async throws -> String {
        var request = OrdersV1.SearchProductsRequest()
        adjust(&request)
        let search = try request.validated()
        return try await withTemporaryDirectory { directory in
            let store = try OrdersStore(path: "\(directory)/orders.sqlite")
            _ = try await store.putPriceTypes([Make.priceType("retail", base: true), Make.priceType("opt")], requestID: "")
            _ = try await store.putCategories([Make.category("a", "А")], requestID: "")
            return try await store.database.read { db in
                let (sql, arguments) = try OrdersStore.searchSQL(db, search, references: try CatalogReferences.loadPriceTypes(db))
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                    .joined(separator: "\n")
            }
        }
    }

    @Test func textSearchesAreDrivenByTheFullTextIndex() async throws {
        let plan = try await plan {
            $0.query = "кофеварка"
            $0.categoryCode = "a"
            $0.priceType = "opt"
            $0.priceMin = 1
            $0.inStock = true
            $0.sort = .priceAsc
        }
        let lines = plan.split(separator: "\n")
        #expect(lines.first?.hasPrefix("SCAN product_fts VIRTUAL TABLE") == true, "\(plan)")
        #expect(plan.contains("SEARCH p USING INTEGER PRIMARY KEY"), "\(plan)")
    }

    @Test func searchesWithoutTextReadTheSortIndexInOrder() async throws {
        for (sort, index) in [
            (OrdersV1.ProductSort.nameAsc, "product_by_name"), (.nameDesc, "product_by_name"), (.priceAsc, "product_by_price_asc"),
            (.priceDesc, "product_by_price_desc"),
        ] {
            let plan = try await plan {
                $0.sort = sort
                $0.inStock = true
                $0.priceMax = 100
            }
            #expect(plan.contains("USING INDEX \(index)"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        }
    }

    @Test func searchesWithoutTextInASmallCategoryReadItAndSort() async throws {
        for (sort, index) in [
            (OrdersV1.ProductSort.nameAsc, "product_by_name"), (.nameDesc, "product_by_name"), (.priceAsc, "product_by_price_asc"),
            (.priceDesc, "product_by_price_desc"),
        ] {
            let plan = try await plan {
                $0.sort = sort
                $0.categoryCode = "a"
                $0.manufacturers = ["Bosch"]
                $0.priceMax = 100
            }
            #expect(plan.contains("USING INDEX product_by_category") || plan.contains("USING INDEX product_by_manufacturer"), "\(plan)")
            #expect(!plan.contains("USING INDEX \(index)"), "\(plan)")
        }
    }
}
