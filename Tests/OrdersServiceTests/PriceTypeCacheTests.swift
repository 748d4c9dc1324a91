import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB
import Testing

@testable import OrdersService

/// The price types are kept between reads (`PriceTypeCache`): a change made through the
/// service is seen by the next read, and a failed write leaves no stale price types behind.
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

    @Test func aReadKeepsWhatItFoundUnlessAWriteCameInBetweenOrFailed() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let database = service.store.database
            let cache = PriceTypeCache()
            func read() async throws -> [String] {
                try await database.read { db in try cache.references(db).sortedPriceTypes.map(\.name) }
            }
            func rename(_ code: String, _ name: String) async throws {
                try await database.write { db in
                    try db.execute(sql: "UPDATE price_type SET name = ? WHERE code = ?", arguments: [name, code])
                }
            }
            let first = try await read()
            // Changed behind the cache's back: the kept price types are given.
            try await rename("retail", "Розница 2")
            #expect(try await read() == first)

            // A write replaces them.
            let written = try await database.read { db in try CatalogReferences.loadPriceTypes(db) }
            cache.replace(written)
            #expect(try await read() == written.sortedPriceTypes.map(\.name))
            // A write refused before it replaced anything leaves them.
            cache.forget(ifWrittenSince: cache.generation)
            try await rename("retail", "Розница 3")
            #expect(try await read() == written.sortedPriceTypes.map(\.name))

            // A write that replaced them and then failed: reads ask the database, and keep nothing.
            let generation = cache.generation
            cache.replace(written)
            cache.forget(ifWrittenSince: generation)
            #expect(try await read().first == "Розница 3")
            try await rename("retail", "Розница 4")
            #expect(try await read().first == "Розница 4")
            // Until the next write.
            cache.replace(written)
            #expect(try await read() == written.sortedPriceTypes.map(\.name))
        }
    }
}
