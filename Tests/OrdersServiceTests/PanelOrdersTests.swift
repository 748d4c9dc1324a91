import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import Foundation
import GRDB
import Testing

@testable import OrdersService

/// The orders of the panel and of `ListOrders` are the stored orders forwarded without being
/// decoded (`OrderRecords.encodedOrder`): they must read exactly as the orders `GetOrder`
/// decodes.
@Suite struct PanelOrdersTests {
    /// Orders of client 21 in several states: a placed one with a discount, payments and a
    /// delivery, one moved on to another status, and a draft.
    private static func makeOrders(_ service: OrdersHarness) async throws {
        try await service.loadCatalog()
        let kettle = try await service.productID("EL-1")
        var order = try await OrderContractTests.create(service, client: 21, [OrderContractTests.line(kettle, 2)])
        order = try await OrderContractTests.saveItems(service, order, order.items.map { OrderContractTests.kept($0) }, amount: 1_000)
        order = try await OrderContractTests.changeStatus(service, order, "new")
        order = try await OrderContractTests.savePayments(service, order, [OrderContractTests.payment("cash", 5_000, .paid)])
        var second = try await OrderContractTests.create(service, client: 21, [OrderContractTests.line(kettle, 1)])
        second = try await OrderContractTests.changeStatus(service, second, "new")
        second = try await OrderContractTests.savePhone(service, second, "+79160000000")
        _ = try await OrderContractTests.changeStatus(service, second, "client-confirmed")
        _ = try await OrderContractTests.create(service, client: 21, [OrderContractTests.line(kettle, 3)])
    }

    @Test func theForwardedOrdersAreTheOrdersGetOrderGives() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            try await Self.makeOrders(service)
            var list = OrdersV1.ListOrdersRequest()
            list.clientID = 21
            list.pageSize = 2
            let listed = try await service.call(OrdersV1.Orders.listOrders, list)
            var panel = OrdersV1.GetPanelDataRequest()
            panel.clientID = 21
            panel.ordersPageSize = 2
            let data = try await service.call(OrdersV1.Orders.getPanelData, panel)
            #expect(listed.orders.count == 2 && !listed.nextPageToken.isEmpty)
            #expect(data.orders == listed)
            for order in listed.orders { #expect(order == (try await OrderContractTests.get(service, order.orderID))) }
            #expect(listed.orders.map(\.draft) == [true, false] && listed.orders[1].status?.code == "client-confirmed")
            #expect(listed.settings != nil && !listed.orders[1].items.isEmpty)
        }
    }

    @Test func aStoredOrderReadsTheSameEitherWayWhateverTheSettingsSay() async throws {
        try await withOrdersService(now: SteppingClock().next) { service in
            try await Self.makeOrders(service)
            var renamed = OrdersConfiguration()
            renamed.statuses = renamed.statuses.map { status in
                var status = status
                status.name += " (renamed)"
                return status
            }
            // A field the settings leave at its default must not keep the stored status's value.
            var unnamed = OrdersConfiguration()
            unnamed.statuses = unnamed.statuses.map { status in
                var status = status
                status.name = ""
                return status
            }
            var withoutNew = OrdersConfiguration()
            withoutNew.statuses.removeAll { $0.code == "new" }
            // A merge places the merged client's draft in the column alone: the column wins.
            try await service.store.database.write { db in try db.execute(sql: "UPDATE customer_order SET is_draft = 0 WHERE id = 3") }
            let rows = try await service.store.database.read { db in
                try db.positionalRows(sql: "SELECT \(OrderRecords.columns) FROM customer_order ORDER BY id")
            }
            #expect(rows.count == 3)
            #expect(try OrderRecords.order(rows[2], OrdersConfiguration()).draft == false)
            for settings in [OrdersConfiguration(), renamed, unnamed, withoutNew] {
                for row in rows {
                    let decoded = try OrderRecords.order(row, settings)
                    let forwarded = try OrdersV1.Order(serializedBytes: try OrderRecords.encodedOrder(row, settings))
                    #expect(forwarded == decoded)
                }
            }
            // The renamed status is the configured one; a status no longer configured keeps the name it was saved with.
            #expect(try OrderRecords.order(rows[0], renamed).status?.name.hasSuffix("(renamed)") == true)
            #expect(try OrderRecords.order(rows[0], withoutNew).status?.name == OrdersConfiguration().status("new")?.name)
        }
    }
}
