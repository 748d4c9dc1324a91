import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB
import Testing

@testable import OrdersService

/// The price types are kept between reads of one version (`PriceTypeCache`, the version raised
/// by triggers): a change is seen by the next read, whoever made it.
@Suite struct PriceTypeCacheTests {
    @Test func aChangeOfPriceTypesIsSeenByTheNextRead() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            // Read once: kept.
            let before = try await service.call(OrdersV1.Orders.listPriceTypes, OrdersV1.ListPriceTypesRequest()).priceTypes
            #expect(before.map(\.code) == ["retail", "export", "wholesale"])
            await expectError(.invalidArgument, fields: ["price_type"]) {
                _ = try await service.search("KF") { $0.priceType = "vip" }
            }
            _ = try await service.call(
                OrdersV1.Orders.putPriceTypes,
                Make.priceTypes([Make.priceType("vip", name: "Для своих"), Make.priceType("export", "USD", name: "Экспорт 2")]),
                as: .editor)
            let after = try await service.call(OrdersV1.Orders.listPriceTypes, OrdersV1.ListPriceTypesRequest()).priceTypes
            #expect(after.map(\.code) == ["retail", "export", "vip", "wholesale"])
            #expect(after.first { $0.code == "export" }?.name == "Экспорт 2")
            // A search in the new price type is taken.
            _ = try await service.search("KF") { $0.priceType = "vip" }

            // Refused (a priced type's currency cannot change): nothing changed, and reads still see the last change.
            await expectError(.failedPrecondition) {
                _ = try await service.call(OrdersV1.Orders.putPriceTypes, Make.priceTypes([Make.priceType("retail", "EUR")]), as: .editor)
            }
            #expect(try await service.call(OrdersV1.Orders.listPriceTypes, OrdersV1.ListPriceTypesRequest()).priceTypes == after)
        }
    }

    @Test func aReadKeepsThePriceTypesOfTheVersionItSees() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let database = service.store.database
            let cache = PriceTypeCache()
            func read() async throws -> [String] {
                try await database.read { db in try cache.references(db).sortedPriceTypes.map(\.name) }
            }
            func write(_ sql: String) async throws {
                try await database.write { db in try db.execute(sql: sql) }
            }
            func version() async throws -> Int64 {
                try await database.read { db in try Int64.fetchOne(db, sql: "SELECT version FROM price_type_version")! }
            }
            let first = try await read()
            #expect(first.first == "Розница")
            let kept = try await version()

            // Any change of price_type raises the version, whoever makes it: the next read sees it.
            try await write("UPDATE price_type SET name = 'Розница 2' WHERE code = 'retail'")
            let raised = try await version()
            #expect(raised > kept)
            #expect(try await read().first == "Розница 2")

            // What is kept is used while the version is the same: a change with the version put
            // back (as no trigger would) is not seen.
            try await write("UPDATE price_type SET name = 'Розница 3' WHERE code = 'retail'")
            try await write("UPDATE price_type_version SET version = \(raised)")
            #expect(try await read().first == "Розница 2")

            // An older version (an older snapshot's) reads the table and does not replace what is
            // kept of the newer one.
            try await write("UPDATE price_type_version SET version = \(kept)")
            #expect(try await read().first == "Розница 3")
            try await write("UPDATE price_type_version SET version = \(raised)")
            #expect(try await read().first == "Розница 2")
        }
    }
}
