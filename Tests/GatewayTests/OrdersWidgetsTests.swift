import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import ClientsService
import Gateway
import OrdersService
import TasksService
import Testing

/// The Products and Cart widgets end to end: the clients, tasks and orders services and the
/// gateway, each on its own socket.
@Suite("Gateway: the Products and Cart widgets")
struct OrdersWidgetsTests {
    /// The gateway with the orders service, and a client of that service.
    struct Harness {
        let gateway: GatewayHarness
        let orders: RPCClient

        func orders<Request, Response>(_ method: UnaryMethod<Request, Response>, _ request: Request, as caller: RPCV1.Caller = As.admin)
            async throws -> Response
        {
            try await orders.unary(method, request, options: RPCCallOptions(caller: caller))
        }

        func act<Request: ProtoMessage>(_ dialog: String, _ method: String, _ request: Request, as caller: RPCV1.Caller = As.manager)
            async throws -> GatewayV1.ActResponse
        {
            try await gateway.act(dialog: dialog, method, request, as: caller)
        }

        /// Two price types, a category and three products.
        func seedCatalog() async throws {
            var types = OrdersV1.PutPriceTypesRequest()
            for (code, currency, base) in [("retail", "RUB", true), ("usd", "USD", false)] {
                var type = OrdersV1.PriceType()
                type.code = code
                type.name = code
                type.currency = currency
                type.isBase = base
                types.priceTypes.append(type)
            }
            _ = try await orders(OrdersV1.Orders.putPriceTypes, types)
            var products = OrdersV1.UpsertProductsRequest()
            for (article, name, price) in [
                ("K-1", "Кофеварка капельная", Int64(499_000)), ("T-1", "Чайник электрический", 199_000), ("F-1", "Фен дорожный", 150_000),
            ] {
                var product = OrdersV1.ProductInput()
                product.kind = .product
                product.article = article
                product.name = name
                product.stock = 3
                product.active = true
                var retail = OrdersV1.Price()
                retail.priceType = "retail"
                retail.amountMinor = price
                product.prices = [retail]
                products.products.append(product)
            }
            _ = try await orders(OrdersV1.Orders.upsertProducts, products)
        }

        func productID(_ article: String) async throws -> Int64 {
            var request = OrdersV1.GetProductRequest()
            request.article = article
            return try #require(try await orders(OrdersV1.Orders.getProduct, request).product?.productID)
        }

        func addListed(_ article: String, owner: OrdersV1.Owner) async throws {
            var request = OrdersV1.AddListedProductRequest()
            request.owner = owner
            request.productID = try await productID(article)
            _ = try await orders(OrdersV1.Orders.addListedProduct, request, as: As.manager)
        }

        func putCart(_ owner: OrdersV1.Owner, version: Int64, _ lines: [(String, Int64)]) async throws {
            var request = OrdersV1.PutCartRequest()
            request.owner = owner
            request.version = version
            for (article, quantity) in lines {
                var item = OrdersV1.CartItemInput()
                item.article = article
                item.quantity = quantity
                request.items.append(item)
            }
            _ = try await orders(OrdersV1.Orders.putCart, request)
        }
    }

    private func withOrdersGateway(_ body: (Harness) async throws -> Void) async throws {
        try await withTemporaryDirectory { ordersDirectory in
            try await withLiveService(OrdersService.self, configuration: OrdersConfiguration(), in: ordersDirectory) { _, ordersSocket in
                try await withGateway(configure: { $0.upstreamSockets[UpstreamDescriptor.orders.name] = ordersSocket }) {
                    gateway in
                    let orders = RPCClient(configuration: RPCClientConfiguration(socketPath: ordersSocket))
                    do {
                        try await body(Harness(gateway: gateway, orders: orders))
                    } catch {
                        await orders.close()
                        throw error
                    }
                    await orders.close()
                }
            }
        }
    }

    private static func owner(client: Int64 = 0, dialog: String = "") -> OrdersV1.Owner {
        var owner = OrdersV1.Owner()
        owner.clientID = client
        owner.dialogID = dialog
        return owner
    }

    @Test("The panel shows the client's product list and current cart with catalog data and a total")
    func panelShowsProductsAndCart() async throws {
        try await withOrdersGateway { h in
            try await h.seedCatalog()
            let client = try await h.gateway.savedClient("d-shop")
            try await h.addListed("K-1", owner: Self.owner(client: client))
            try await h.putCart(Self.owner(client: client), version: 10, [("T-1", 2), ("GONE", 1)])
            let panel = try await h.gateway.panel("d-shop")
            let products = try #require(panel.widget(.products))
            #expect(products.state == .ok && products.dataType == "chatpanel.orders.v1.ProductList", "\(products)")
            let list = try OrdersV1.ProductList(serializedBytes: products.data)
            #expect(
                list.items.map { $0.product?.name } == ["Кофеварка капельная"] && list.items.first?.price?.text == "4\u{A0}990,00\u{A0}₽")
            let cartWidget = try #require(panel.widget(.cart))
            #expect(cartWidget.state == .ok && cartWidget.dataType == "chatpanel.orders.v1.Cart", "\(cartWidget)")
            let cart = try OrdersV1.Cart(serializedBytes: cartWidget.data)
            #expect(cart.items.map(\.article) == ["T-1", "GONE"] && cart.items.last?.gone == true)
            #expect(cart.total?.amountMinor == 398_000 && cart.quantity == 3)
        }
    }

    @Test("Actions through Act: adding to the list refreshes the Products widget; creating a product needs the catalog right")
    func actionsRefreshTheProductsWidget() async throws {
        try await withOrdersGateway { h in
            try await h.seedCatalog()
            let client = try await h.gateway.savedClient("d-act")
            var add = OrdersV1.AddListedProductRequest()
            add.owner = Self.owner(client: client)
            add.productID = try await h.productID("F-1")
            let answer = try await h.act("d-act", OrdersV1.Orders.addListedProduct.path, add)
            #expect(try OrdersV1.AddListedProductResponse(serializedBytes: answer.response).list?.items.count == 1)
            let refreshed = try #require(answer.refreshed.first { $0.kind == .products })
            #expect(try OrdersV1.ProductList(serializedBytes: refreshed.data).items.map { $0.product?.article } == ["F-1"])
            // The picker through the gateway, with a message fragment as the query.
            var search = OrdersV1.SearchProductsRequest()
            search.query = "кофеварку"
            let found = try await h.act("d-act", OrdersV1.Orders.searchProducts.path, search)
            #expect(try OrdersV1.SearchProductsResponse(serializedBytes: found.response).products.map(\.article) == ["K-1"])
            var create = OrdersV1.CreateProductRequest()
            create.product = OrdersV1.ProductInput()
            await expectError(.permissionDenied) { _ = try await h.act("d-act", OrdersV1.Orders.createProduct.path, create) }
            // PRODUCT-4: from the list to the client's draft, the Order widget refreshed.
            var toOrder = OrdersV1.AddToOrderRequest()
            toOrder.owner = Self.owner(client: client)
            toOrder.productIDs = [add.productID]
            let added = try await h.act("d-act", OrdersV1.Orders.addToOrder.path, toOrder)
            let draft = try #require(try OrdersV1.AddToOrderResponse(serializedBytes: added.response).order)
            #expect(draft.draft && draft.clientID == client && draft.items.map(\.article) == ["F-1"])
            let orderWidget = try #require(added.refreshed.first { $0.kind == .order })
            #expect(try OrdersV1.ListOrdersResponse(serializedBytes: orderWidget.data).orders.map(\.orderID) == [draft.orderID])
        }
    }

    @Test("A dialog's list moves to the client saved from it; a merge moves lists and carts to the survivor")
    func savingAndMergingMoveListsAndCarts() async throws {
        try await withOrdersGateway { h in
            try await h.seedCatalog()
            try await h.gateway.dialog("d-new", name: "Новый Клиент")
            try await h.addListed("K-1", owner: Self.owner(dialog: "d-new"))
            let before = try #require(try await h.gateway.panel("d-new").widget(.products))
            #expect(before.state == .ok && before.reason.contains("not saved"))
            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = "d-new"
            let saved = try await h.act("d-new", ClientsV1.Clients.saveClientFromDialog.path, save)
            let client = try #require(try ClientsV1.ClientCard(serializedBytes: saved.response).client?.clientID)
            let after = try OrdersV1.ProductList(serializedBytes: try #require(try await h.gateway.panel("d-new").widget(.products)).data)
            #expect(after.owner?.clientID == client && after.items.map { $0.product?.article } == ["K-1"])

            // A merge: the merged client's list and cart go to the survivor.
            let survivor = try await h.gateway.savedClient("d-survivor")
            try await h.addListed("T-1", owner: Self.owner(client: survivor))
            try await h.putCart(Self.owner(client: client), version: 5, [("F-1", 1)])
            let started = try await h.gateway.call(GatewayV1.Gateway.mergeClients, Seed.merge(survivor: survivor, merged: client))
            #expect(started.steps.map(\.name) == ["merge clients", "move tasks and notes", "move product lists, carts and orders"])
            var done = GatewayV1.MergeWorkflow()
            try await waitUntil("the merge is done") {
                done = try await h.gateway.call(GatewayV1.Gateway.getMergeWorkflow, Seed.workflow(started.workflowID))
                return done.state != .running
            }
            #expect(done.state == .done, "\(done)")
            let panel = try await h.gateway.panel("d-survivor")
            let list = try OrdersV1.ProductList(serializedBytes: try #require(panel.widget(.products)).data)
            #expect(Set(list.items.compactMap { $0.product?.article }) == ["K-1", "T-1"])
            #expect(try OrdersV1.Cart(serializedBytes: try #require(panel.widget(.cart)).data).items.map(\.article) == ["F-1"])
        }
    }

    @Test("The Order widget: orders made prefilled from the card, saved and moved on through Act, another client's refused")
    func orderWidgetThroughAct() async throws {
        try await withOrdersGateway { h in
            try await h.seedCatalog()
            let client = try await h.gateway.savedClient("d-ord", name: "Ольга Смирнова", phone: "+79161112233")
            let empty = try #require(try await h.gateway.panel("d-ord").widget(.order))
            #expect(
                empty.state == .ok && empty.dataType == "chatpanel.orders.v1.ListOrdersResponse"
                    && empty.reason == "the client has no orders yet")
            _ = try await h.gateway.dialog("d-unsaved")
            #expect(try #require(try await h.gateway.panel("d-unsaved").widget(.order)).reason.contains("no client yet"))

            // Create: the client and the contacts come from the dialog's card.
            let created = try await h.act("d-ord", OrdersV1.Orders.createOrder.path, OrdersV1.CreateOrderRequest())
            let draft = try #require(try OrdersV1.OrderResponse(serializedBytes: created.response).order)
            #expect(draft.clientID == client && draft.draft && draft.contact?.phone.contains("9161112233") == true)
            // Items, then the status: the widget shows number, status, amount due and payment state.
            var item = OrdersV1.OrderItemInput()
            item.productID = try await h.productID("T-1")
            item.quantity = 2
            var items = OrdersV1.SaveOrderItemsRequest()
            items.orderID = draft.orderID
            items.version = draft.version
            items.items = [item]
            let saved = try await h.act("d-ord", OrdersV1.Orders.saveOrderItems.path, items)
            let withItems = try #require(try OrdersV1.OrderResponse(serializedBytes: saved.response).order)
            var status = OrdersV1.ChangeOrderStatusRequest()
            status.orderID = draft.orderID
            status.version = withItems.version
            status.status = "client-confirmed"
            let changed = try await h.act("d-ord", OrdersV1.Orders.changeOrderStatus.path, status)
            let widget = try #require(changed.refreshed.first { $0.kind == .order })
            let shown = try #require(try OrdersV1.ListOrdersResponse(serializedBytes: widget.data).orders.first)
            #expect(shown.number == draft.number && shown.status?.name == "Согласован с клиентом" && !shown.draft)
            #expect(shown.totals?.due?.text == "3\u{A0}980,00\u{A0}₽" && shown.paymentState == .unpaid)
            // A stale save through the gateway is ABORTED with the current order.
            let stale = await expectError(.aborted) { _ = try await h.act("d-ord", OrdersV1.Orders.saveOrderItems.path, items) }
            #expect(stale?.decodedDetails(as: OrdersV1.OrderResponse.self)?.order?.version == shown.version)
            // Another dialog's client cannot touch this order.
            _ = try await h.gateway.savedClient("d-other", name: "Пётр Иванов")
            var get = OrdersV1.GetOrderRequest()
            get.orderID = draft.orderID
            await expectError(.permissionDenied, field: "order_id") { _ = try await h.act("d-other", OrdersV1.Orders.getOrder.path, get) }
            var foreign = OrdersV1.CreateOrderRequest()
            foreign.clientID = client
            await expectError(.permissionDenied, field: "client_id") {
                _ = try await h.act("d-other", OrdersV1.Orders.createOrder.path, foreign)
            }
        }
    }
}
