import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import OrdersService
import Testing

/// The cart feed and the Cart widget's data over the real socket.
@Suite struct CartContractTests {
    private func cart(_ service: OrdersHarness, _ owner: OrdersV1.Owner, priceType: String = "") async throws -> OrdersV1.Cart? {
        var request = OrdersV1.GetCartRequest()
        request.owner = owner
        request.priceType = priceType
        return try await service.call(OrdersV1.Orders.getCart, request).cart
    }

    @Test func showsTheCartWithTheCatalogsDataNowAndItsTotal() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let client = Make.owner(client: 42)
            let put = try await service.call(
                OrdersV1.Orders.putCart,
                Make.cart(
                    client, version: 100,
                    [
                        Make.cartItem("KF-100", 2, sitePrice: 450_000), Make.cartItem("KF-200", 1),
                        Make.cartItem("GONE-1", 3, sitePrice: 10_000, name: "Снятый товар"),
                    ]), as: .admin)
            #expect(put.applied && put.currentVersion == 100)
            let shown = try #require(try await cart(service, client))
            #expect(shown.version == 100 && shown.quantity == 6 && shown.items.map(\.article) == ["KF-100", "KF-200", "GONE-1"])
            let (kf100, kf200, gone) = (shown.items[0], shown.items[1], shown.items[2])
            // The catalog's price now, not the site's.
            #expect(
                kf100.name == "Кофеварка капельная Bosch" && kf100.price?.amountMinor == 499_000 && kf100.lineTotal?.amountMinor == 998_000)
            #expect(kf100.available && !kf100.gone && kf100.product?.article == "KF-100")
            // Out of stock.
            #expect(!kf200.available && !kf200.gone && kf200.price?.amountMinor == 1_299_000)
            // No longer in the catalog: the site's name and price.
            #expect(
                gone.gone && !gone.available && gone.product == nil && gone.name == "Снятый товар" && gone.lineTotal?.amountMinor == 30_000)
            #expect(shown.total?.amountMinor == 998_000 + 1_299_000 + 30_000 && shown.total?.currency == "RUB")
            #expect(shown.total?.text == "23\u{A0}270,00\u{A0}₽")
            // In another price type: lines without such a price keep the site's price.
            let wholesale = try #require(try await cart(service, client, priceType: "wholesale"))
            #expect(wholesale.items.map { $0.price?.amountMinor } == [420_000, 1_100_000, 10_000])
        }
    }

    @Test func aLateUpdateNeverOverwritesANewerOneAndAnEmptyCartClears() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let visitor = Make.owner(visitor: "site-visitor-1")
            _ = try await service.call(OrdersV1.Orders.putCart, Make.cart(visitor, version: 200, [Make.cartItem("EL-1", 1)]), as: .admin)
            let late = try await service.call(
                OrdersV1.Orders.putCart, Make.cart(visitor, version: 150, [Make.cartItem("CH-1", 9)]), as: .admin)
            #expect(!late.applied && late.currentVersion == 200)
            let same = try await service.call(
                OrdersV1.Orders.putCart, Make.cart(visitor, version: 200, [Make.cartItem("CH-1", 9)]), as: .admin)
            #expect(!same.applied)
            #expect(try await cart(service, visitor)?.items.map(\.article) == ["EL-1"])
            // Emptied on the site: the widget shows no cart; an older non-empty update stays refused.
            #expect(try await service.call(OrdersV1.Orders.putCart, Make.cart(visitor, version: 300, []), as: .admin).applied)
            #expect(try await cart(service, visitor) == nil)
            #expect(
                !(try await service.call(OrdersV1.Orders.putCart, Make.cart(visitor, version: 250, [Make.cartItem("EL-1", 1)]), as: .admin)
                    .applied))
            #expect(try await cart(service, visitor) == nil)
            // A retry with the same request id answers the first answer.
            let id = newRequestID()
            let first = try await service.call(
                OrdersV1.Orders.putCart, Make.cart(visitor, version: 400, [Make.cartItem("EL-2", 1)]), as: .admin, requestID: id)
            let retry = try await service.call(
                OrdersV1.Orders.putCart, Make.cart(visitor, version: 400, [Make.cartItem("EL-2", 1)]), as: .admin, requestID: id)
            #expect(first.applied && retry == first)
        }
    }

    @Test func theFeedNeedsAnAdministratorAndNamesBadFields() async throws {
        try await withOrdersService { service in
            let bad = Make.cart(Make.owner(dialog: "d-1"), version: 0, [Make.cartItem("", 0), Make.cartItem("A", 1_000_001)])
            await expectError(.permissionDenied) { _ = try await service.call(OrdersV1.Orders.putCart, bad, as: .editor) }
            await expectError(
                .invalidArgument, fields: ["owner.dialog_id", "version", "items[0].article", "items[0].quantity", "items[1].quantity"]
            ) {
                _ = try await service.call(OrdersV1.Orders.putCart, bad, as: .admin)
            }
            var request = OrdersV1.GetCartRequest()
            await expectError(.invalidArgument, fields: ["owner"]) { _ = try await service.call(OrdersV1.Orders.getCart, request) }
            request.owner = Make.owner(client: -4)
            await expectError(.invalidArgument, fields: ["owner.client_id"]) {
                _ = try await service.call(OrdersV1.Orders.getCart, request)
            }
        }
    }

    @Test func aVisitorsNewerCartBecomesTheClientsOnAMove() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let client = Make.owner(client: 7)
            _ = try await service.call(OrdersV1.Orders.putCart, Make.cart(client, version: 10, [Make.cartItem("CH-1", 1)]), as: .admin)
            _ = try await service.call(
                OrdersV1.Orders.putCart, Make.cart(Make.owner(visitor: "v-7"), version: 20, [Make.cartItem("KF-300", 2)]), as: .admin)
            var move = OrdersV1.MoveOwnerRecordsRequest()
            move.from = Make.owner(visitor: "v-7")
            move.toClientID = 7
            let moved = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .admin)
            #expect(moved.cartMoved && moved.listedProductsMoved == 0)
            #expect(try await cart(service, client)?.items.map(\.article) == ["KF-300"])
            // The visitor's later updates reach the client's cart (and keep the version rule).
            #expect(
                !(try await service.call(OrdersV1.Orders.putCart, Make.cart(Make.owner(visitor: "v-7"), version: 15, []), as: .admin)
                    .applied))
            _ = try await service.call(
                OrdersV1.Orders.putCart, Make.cart(Make.owner(visitor: "v-7"), version: 30, [Make.cartItem("EL-2", 4)]), as: .admin)
            #expect(try await cart(service, client)?.quantity == 4)
            // An older visitor cart does not replace the client's.
            _ = try await service.call(
                OrdersV1.Orders.putCart, Make.cart(Make.owner(visitor: "v-8"), version: 5, [Make.cartItem("CH-1", 1)]), as: .admin)
            move.from = Make.owner(visitor: "v-8")
            #expect(!(try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .admin).cartMoved))
            #expect(try await cart(service, client)?.items.map(\.article) == ["EL-2"])
        }
    }

    @Test func panelDataReadsTheListAndTheCartInOneCall() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var add = OrdersV1.AddListedProductRequest()
            add.owner = Make.owner(dialog: "dlg-1")
            add.productID = try await service.productID("EL-1")
            _ = try await service.call(OrdersV1.Orders.addListedProduct, add)
            _ = try await service.call(
                OrdersV1.Orders.putCart, Make.cart(Make.owner(visitor: "vis-1"), version: 1, [Make.cartItem("EL-2", 1)]), as: .admin)
            var request = OrdersV1.GetPanelDataRequest()
            request.dialogID = "dlg-1"
            request.visitorID = "vis-1"
            let data = try await service.call(OrdersV1.Orders.getPanelData, request)
            #expect(data.list?.items.map { $0.product?.article } == ["EL-1"] && data.cart?.items.map(\.article) == ["EL-2"])
            await expectError(.invalidArgument, fields: ["dialog_id"]) {
                _ = try await service.call(OrdersV1.Orders.getPanelData, OrdersV1.GetPanelDataRequest())
            }
        }
    }
}
