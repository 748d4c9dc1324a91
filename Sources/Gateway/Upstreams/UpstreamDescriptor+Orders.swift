import ChatPanelProto
import ChatPanelRPC

extension UpstreamDescriptor {
    /// The orders service: the Products, Cart and Order widgets (PRODUCT-1..5, CART-1, CART-2,
    /// ORDER-1..11), their actions, and the merge step moving the merged client's product list,
    /// cart and orders.
    public static let orders = UpstreamDescriptor(
        name: "orders", environmentKey: "CHATPANEL_ORDERS_SOCKET",
        actions: ordersActions,
        widgets: WidgetSource(
            widgets: [
                WidgetSource.Widget(kind: .products, dataType: "chatpanel.orders.v1.ProductList"),
                WidgetSource.Widget(kind: .cart, dataType: "chatpanel.orders.v1.Cart"),
                WidgetSource.Widget(kind: .order, dataType: "chatpanel.orders.v1.ListOrdersResponse"),
            ],
            callsUpstream: true, start: fillOrdersWidgets),
        mergeStep: MergeStepDescriptor(name: "move product lists, carts and orders") { orders, context in
            var request = OrdersV1.MoveOwnerRecordsRequest()
            var from = OrdersV1.Owner()
            from.clientID = context.mergedClientID
            request.from = from
            request.toClientID = context.survivorClientID
            _ = try await orders.call(
                OrdersV1.Orders.moveOwnerRecords, request,
                options: RPCCallOptions(timeout: .seconds(30), caller: context.caller, requestID: context.requestID))
        },
        isOptional: true)

    private static var ordersActions: [GatewayAction] {
        typealias Orders = OrdersV1.Orders
        return [
            // The list's owner is the dialog's client, or the dialog itself before it has one.
            GatewayAction(Orders.addListedProduct, right: nil, refresh: [.products], bind: [.listOwner(\.owner)]),
            GatewayAction(Orders.removeListedProduct, right: nil, refresh: [.products], bind: [.listOwner(\.owner)]),
            GatewayAction(Orders.listListedProducts, right: nil, bind: [.listOwner(\.owner)]),
            GatewayAction(Orders.sendProductCards, right: nil, refresh: [.products], bind: [.listOwner(\.owner)]),
            GatewayAction(Orders.addToOrder, right: nil, refresh: [.products, .cart, .order], bind: [.listOwner(\.owner)]),
            GatewayAction(Orders.createProduct, right: .editCatalog),
            GatewayAction(Orders.searchProducts, right: nil),
            GatewayAction(Orders.getProduct, right: nil),
            GatewayAction(Orders.listPriceTypes, right: nil),
            GatewayAction(Orders.listCategories, right: nil),
            // Orders: the dialog's client's, made prefilled from its card (ORDER-4).
            GatewayAction(
                Orders.createOrder, right: nil, refresh: [.order],
                bind: [.client(\.clientID, field: "client_id"), .prefilledFromClient]),
            GatewayAction(Orders.getOrder, right: nil, bind: [.order(\.orderID)]),
            GatewayAction(Orders.listOrders, right: nil, bind: [.client(\.clientID, field: "client_id")]),
            GatewayAction(Orders.saveOrderItems, right: nil, refresh: [.order], bind: [.order(\.orderID)]),
            GatewayAction(Orders.saveOrderDelivery, right: nil, refresh: [.order], bind: [.order(\.orderID)]),
            GatewayAction(Orders.saveOrderPayments, right: nil, refresh: [.order], bind: [.order(\.orderID)]),
            GatewayAction(Orders.saveOrderFields, right: nil, refresh: [.order], bind: [.order(\.orderID)]),
            GatewayAction(Orders.changeOrderStatus, right: nil, refresh: [.order], bind: [.order(\.orderID)]),
            GatewayAction(Orders.saveOrderBonuses, right: nil, refresh: [.order], bind: [.order(\.orderID)]),
            GatewayAction(Orders.deleteOrder, right: nil, refresh: [.order], bind: [.order(\.orderID)]),
            GatewayAction(Orders.getLoyaltyAccount, right: nil, bind: [.client(\.clientID, field: "client_id")]),
            GatewayAction(Orders.getOrderSettings, right: nil),
            GatewayAction(Orders.searchOrderFields, right: nil),
            GatewayAction(Orders.pinOrderField, right: nil, refresh: [.order]),
            GatewayAction(Orders.createPaymentLink, right: nil, bind: [.order(\.orderID)]),
            GatewayAction(Orders.renderPrintedForm, right: nil, bind: [.order(\.orderID)]),
            GatewayAction(Orders.listPrintedForms, right: nil),
        ]
    }

    /// How many orders the Order widget shows.
    static let orderWidgetPageSize: UInt32 = 5

    /// One GetPanelData call of the orders service: the client's product list (the dialog's
    /// before the contact is saved), current cart (the site visitor's, for a site dialog whose
    /// client has none) and newest orders.
    @Sendable
    private static func fillOrdersWidgets(
        _ orders: Upstream, _ request: WidgetSource.Request, _ widgets: [GatewayV1.Widget]
    ) -> WidgetSource.Filling {
        var panelData = OrdersV1.GetPanelDataRequest()
        panelData.clientID = request.card.client?.clientID ?? 0
        panelData.dialogID = request.card.dialog?.dialogID ?? ""
        if let dialog = request.card.dialog, dialog.channel == "site" { panelData.visitorID = dialog.externalLogin }
        if panelData.clientID > 0 && widgets.contains(where: { $0.kind == .order }) { panelData.ordersPageSize = orderWidgetPageSize }
        let saved = panelData.clientID != 0
        // The list, the cart and the orders are forwarded as the orders service encoded them.
        return .calling(
            orders, OrdersV1.Orders.getPanelData, panelData, for: request, widgets,
            answerAs: OrdersV1.GetPanelDataResponseView.self
        ) { response, widget in
            switch widget.kind {
            case .products:
                widget.data = response.list ?? []
                if !saved { widget.reason = "the dialog's contact is not saved yet: the list is kept on the dialog" }
            case .order:
                widget.data = response.orders ?? []
                if !saved {
                    widget.reason = "the dialog has no client yet: an order is made for a saved client"
                } else if try OrdersV1.ListOrdersResponseView(serializedBytes: response.orders ?? []).orders.isEmpty {
                    widget.reason = "the client has no orders yet"
                }
            default:
                widget.data = response.cart ?? []
                if response.cart == nil { widget.reason = "no current cart" }
            }
        }
    }
}

extension RequestBinding {
    /// A product list's owner: the dialog's client, or the dialog while it has none; unset
    /// means that owner. Another client or dialog is refused.
    static func listOwner(_ keyPath: any WritableKeyPath<Request, OrdersV1.Owner?> & Sendable) -> Self {
        Self { request, scope in
            let owner = request[keyPath: keyPath] ?? OrdersV1.Owner()
            if owner.clientID == 0 && owner.dialogID.isEmpty && owner.visitorID.isEmpty {
                var filled = OrdersV1.Owner()
                if let client = scope.clientID { filled.clientID = client } else { filled.dialogID = scope.dialogID }
                request[keyPath: keyPath] = filled
                return true
            }
            if owner.clientID != 0, owner.clientID != scope.clientID {
                throw scope.notTheDialogsClient(field: "owner.client_id", "client \(owner.clientID)")
            }
            if !owner.dialogID.isEmpty, owner.dialogID != scope.dialogID {
                throw scope.notTheDialogsClient(field: "owner.dialog_id", "dialog \(owner.dialogID)")
            }
            return false
        }
    }
}

extension RequestBinding where Request == OrdersV1.CreateOrderRequest {
    /// A new order's contacts and address, when the request leaves them out: the dialog's
    /// client's names, first phone, email and address (ORDER-4).
    static var prefilledFromClient: Self {
        Self { request, scope in
            guard let client = scope.client else { return false }
            var changed = false
            if request.contact == nil {
                var contact = OrdersV1.OrderContact()
                contact.firstName = client.firstName
                contact.lastName = client.lastName
                contact.phone = client.phones.first?.number ?? ""
                contact.email = client.email
                request.contact = contact
                changed = true
            }
            if request.address == nil, let given = client.address {
                request.address = Self.orderAddress(given)
                changed = true
            }
            return changed
        }
    }

    /// The client's address as an order's: a split one's street with its house, block,
    /// building and flat (`Тверская ул., д. 7, корп. 2, кв. 15`), an unsplit one's text in the
    /// street. A part longer than the order's field is cut at a word with "…" so that the cut
    /// shows; a postal code that cannot be one of an order's is left out.
    static func orderAddress(_ given: ClientsV1.Address) -> OrdersV1.Delivery {
        var address = OrdersV1.Delivery()
        if given.postalCode.count <= 20 { address.postalCode = given.postalCode }
        address.region = fitted(given.region)
        address.city = fitted(given.city)
        let street =
            given.split
            ? ([given.street] + [("д.", given.house), ("корп.", given.block), ("стр.", given.building), ("кв.", given.flat)]
                .filter { !$0.1.isEmpty }.map { "\($0.0) \($0.1)" })
                .filter { !$0.isEmpty }.joined(separator: ", ")
            : given.text
        address.street = fitted(street)
        return address
    }

    /// `text` whole when it has at most 255 characters, or cut at a space with "…".
    private static func fitted(_ text: String) -> String {
        let limit = 255
        guard text.count > limit else { return text }
        var cut = text.prefix(limit - 1)
        if let space = cut.lastIndex(where: \.isWhitespace), cut.distance(from: cut.startIndex, to: space) > limit / 2 {
            cut = cut[..<space]
        }
        while cut.last?.isWhitespace == true { cut.removeLast() }
        return cut + "…"
    }
}

extension RequestBinding {
    /// An order id field: the order must be the dialog's client's.
    static func order(_ keyPath: any KeyPath<Request, Int64> & Sendable) -> Self {
        record(keyPath, field: "order_id", kind: "order") { id, scope in
            var request = OrdersV1.GetOrderRequest()
            request.orderID = id
            return try await scope.upstream.call(OrdersV1.Orders.getOrder, request, options: scope.options).order?.clientID
        }
    }
}
