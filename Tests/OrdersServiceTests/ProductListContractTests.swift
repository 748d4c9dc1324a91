import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB
import OrdersService
import Testing

/// The dialog's product list, product cards and "add to order" over the real socket.
@Suite struct ProductListContractTests {
    private func add(_ service: OrdersHarness, _ article: String, _ owner: OrdersV1.Owner, as caller: RPCV1.Caller = .manager(3))
        async throws
        -> OrdersV1.ProductList
    {
        var request = OrdersV1.AddListedProductRequest()
        request.owner = owner
        request.productID = try await service.productID(article)
        return try #require(try await service.call(OrdersV1.Orders.addListedProduct, request, as: caller).list)
    }

    private func list(_ service: OrdersHarness, _ owner: OrdersV1.Owner, priceType: String = "") async throws -> OrdersV1.ProductList {
        var request = OrdersV1.ListListedProductsRequest()
        request.owner = owner
        request.priceType = priceType
        return try #require(try await service.call(OrdersV1.Orders.listListedProducts, request).list)
    }

    @Test func addsListsAndRemovesProductsOnAClientNewestFirst() async throws {
        let clock = SteppingClock()
        try await withOrdersService(now: { clock.next() }) { service in
            try await service.loadCatalog()
            let client = Make.owner(client: 42)
            _ = try await add(service, "KF-100", client)
            _ = try await add(service, "CH-1", client)
            let twice = try await add(service, "KF-100", client)
            #expect(twice.items.map { $0.product?.article } == ["CH-1", "KF-100"])
            let first = try #require(twice.items.last)
            #expect(first.addedByID == 3 && first.addedAtMs > 1_800_000_000_000 && first.sentCount == 0 && first.lastSentAtMs == 0)
            #expect(first.price?.amountMinor == 499_000 && first.price?.currency == "RUB" && first.price?.text == "4\u{A0}990,00\u{A0}₽")
            // Prices in another price type.
            let wholesale = try await list(service, client, priceType: "wholesale")
            #expect(wholesale.items.map { $0.price?.amountMinor } == [nil, 420_000])
            var remove = OrdersV1.RemoveListedProductRequest()
            remove.owner = client
            remove.productID = try await service.productID("CH-1")
            let after = try #require(try await service.call(OrdersV1.Orders.removeListedProduct, remove).list)
            #expect(after.items.map { $0.product?.article } == ["KF-100"])
            // Kept across visits: another call, another manager, same list.
            #expect(try await list(service, client).items.count == 1)
        }
    }

    @Test func refusesBadListRequestsNamingTheField() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var request = OrdersV1.AddListedProductRequest()
            await expectError(.invalidArgument, fields: ["owner", "product_id"]) {
                _ = try await service.call(OrdersV1.Orders.addListedProduct, request)
            }
            request.owner = Make.owner(client: 1, dialog: "d")
            request.productID = -1
            await expectError(.invalidArgument, fields: ["owner", "product_id"]) {
                _ = try await service.call(OrdersV1.Orders.addListedProduct, request)
            }
            request.owner = Make.owner(visitor: "v1")
            request.productID = 1
            await expectError(.invalidArgument, fields: ["owner.visitor_id"]) {
                _ = try await service.call(OrdersV1.Orders.addListedProduct, request)
            }
            request.owner = Make.owner(client: 5)
            request.productID = 999_999
            await expectError(.notFound) { _ = try await service.call(OrdersV1.Orders.addListedProduct, request) }
            request.productID = try await service.productID("KF-100")
            request.priceType = "gold"
            await expectError(.invalidArgument, fields: ["price_type"]) {
                _ = try await service.call(OrdersV1.Orders.addListedProduct, request)
            }
            request.priceType = ""
            await expectError(.unauthenticated) { _ = try await service.call(OrdersV1.Orders.addListedProduct, request, as: .manager(0)) }
        }
    }

    @Test func sendsCardsInThePriceTypesCurrencyAndRecordsTheSending() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let dialog = Make.owner(dialog: "tg-777")
            _ = try await add(service, "KF-100", dialog)
            var send = OrdersV1.SendProductCardsRequest()
            send.owner = dialog
            send.productIDs = [try await service.productID("KF-100"), try await service.productID("CH-1")]
            send.priceType = "export"
            send.source = .picker
            let answer = try await service.call(OrdersV1.Orders.sendProductCards, send, as: .manager(4))
            #expect(answer.cards.map(\.name) == ["Кофеварка капельная Bosch", "Чайник электрический Tefal"])
            #expect(
                answer.cards[0].price?.currency == "USD" && answer.cards[0].price?.amountMinor == 6_500
                    && answer.cards[0].price?.text == "65,00\u{A0}$")
            #expect(answer.cards[1].price == nil)
            #expect(
                answer.cards[0].imageURL == "https://shop.example/img/KF-100.jpg" && answer.cards[0].url == "https://shop.example/p/KF-100")
            #expect(answer.sentAtMs > 0)
            // Both are on the list now, marked as sent.
            let listed = try await list(service, dialog)
            #expect(Set(listed.items.map { $0.product?.article ?? "" }) == ["KF-100", "CH-1"])
            #expect(listed.items.allSatisfy { $0.sentCount == 1 && $0.lastSentAtMs == answer.sentAtMs })
            let logged = try await service.store.database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM sent_card WHERE owner = 'd:tg-777'")
            }
            #expect(logged == 2)
            send.productIDs = [1, 424_242]
            await expectError(.notFound, fields: ["product_ids[1]"]) { _ = try await service.call(OrdersV1.Orders.sendProductCards, send) }
            send.productIDs = []
            await expectError(.invalidArgument, fields: ["product_ids"]) {
                _ = try await service.call(OrdersV1.Orders.sendProductCards, send)
            }
        }
    }

    @Test func addingToAnOrderNeedsAClient() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            var request = OrdersV1.AddToOrderRequest()
            request.owner = Make.owner(dialog: "wa-unsaved")
            request.productIDs = [try await service.productID("KF-100")]
            let error = await expectError(.failedPrecondition) { _ = try await service.call(OrdersV1.Orders.addToOrder, request) }
            #expect(error?.message.contains("save the dialog's contact as a client first") == true)
            request.owner = Make.owner(client: 42)
            request.productIDs = [0]
            await expectError(.invalidArgument, fields: ["product_ids[0]"]) {
                _ = try await service.call(OrdersV1.Orders.addToOrder, request)
            }
        }
    }

    @Test func movesADialogsListToTheSavedClientOnceAndFollowsMerges() async throws {
        try await withOrdersService { service in
            try await service.loadCatalog()
            let dialog = Make.owner(dialog: "wa-1")
            _ = try await add(service, "KF-100", dialog)
            _ = try await add(service, "EL-1", dialog)
            _ = try await add(service, "EL-1", Make.owner(client: 50))
            var move = OrdersV1.MoveOwnerRecordsRequest()
            move.from = dialog
            move.toClientID = 50
            await expectError(.permissionDenied) { _ = try await service.call(OrdersV1.Orders.moveOwnerRecords, move) }
            let moved = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .manager(1, [.editClients]))
            #expect(moved.listedProductsMoved == 2 && !moved.repeated)
            let again = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .manager(1, [.editClients]))
            #expect(again.listedProductsMoved == 2 && again.repeated)
            #expect(Set(try await list(service, Make.owner(client: 50)).items.map { $0.product?.article ?? "" }) == ["KF-100", "EL-1"])
            // The dialog's id now reaches the client's list.
            _ = try await add(service, "CH-1", dialog)
            #expect(try await list(service, Make.owner(client: 50)).items.count == 3)
            // A merge of client 50 into 60.
            move.from = Make.owner(client: 50)
            move.toClientID = 60
            #expect(try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .admin).listedProductsMoved == 3)
            #expect(try await list(service, dialog).owner?.clientID == 60)
            move.toClientID = 61
            await expectError(.failedPrecondition) { _ = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .admin) }
            move.from = Make.owner(client: 61)
            move.toClientID = 50
            await expectError(.failedPrecondition) { _ = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .admin) }
            move.toClientID = 61
            await expectError(.invalidArgument, fields: ["to_client_id"]) {
                _ = try await service.call(OrdersV1.Orders.moveOwnerRecords, move, as: .admin)
            }
        }
    }
}
