import ChatPanelProto
import ChatPanelRPC

extension UpstreamDescriptor {
    /// The orders service: the Products and Cart widgets (PRODUCT-1..5, CART-1, CART-2), their
    /// actions, and the merge step moving the merged client's product list and cart.
    public static let orders = UpstreamDescriptor(
        name: "orders", environmentKey: "CHATPANEL_ORDERS_SOCKET",
        actions: ordersActions,
        widgets: WidgetSource(
            widgets: [
                WidgetSource.Widget(kind: .products, dataType: "chatpanel.orders.v1.ProductList"),
                WidgetSource.Widget(kind: .cart, dataType: "chatpanel.orders.v1.Cart"),
            ],
            callsUpstream: true, fill: fillOrdersWidgets),
        mergeStep: MergeStepDescriptor(name: "move product lists and carts") { orders, context in
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
            GatewayAction(Orders.addToOrder, right: nil, refresh: [.products, .cart], bind: [.listOwner(\.owner)]),
            GatewayAction(Orders.createProduct, right: .editCatalog),
            GatewayAction(Orders.searchProducts, right: nil),
            GatewayAction(Orders.getProduct, right: nil),
            GatewayAction(Orders.listPriceTypes, right: nil),
            GatewayAction(Orders.listCategories, right: nil),
        ]
    }

    /// One GetPanelData call of the orders service: the client's product list (the dialog's
    /// before the contact is saved) and current cart (the site visitor's, for a site dialog
    /// whose client has none).
    @Sendable
    private static func fillOrdersWidgets(
        _ orders: Upstream, _ request: WidgetSource.Request, _ widgets: [GatewayV1.Widget]
    ) async -> [GatewayV1.Widget] {
        var widgets = widgets
        let started = ContinuousClock.now
        var panelData = OrdersV1.GetPanelDataRequest()
        panelData.clientID = request.card.client?.clientID ?? 0
        panelData.dialogID = request.card.dialog?.dialogID ?? ""
        if let dialog = request.card.dialog, dialog.channel == "site" { panelData.visitorID = dialog.externalLogin }
        do {
            let response = try await orders.call(
                OrdersV1.Orders.getPanelData, panelData,
                options: RPCCallOptions(timeout: PanelComposer.remaining(until: request.deadline), caller: request.caller))
            for index in widgets.indices {
                if widgets[index].kind == .products {
                    let list = response.list ?? OrdersV1.ProductList()
                    widgets[index].data = try list.serializedBytes()
                    if list.owner?.clientID == 0 {
                        widgets[index].reason = "the dialog's contact is not saved yet: the list is kept on the dialog"
                    }
                } else {
                    widgets[index].data = try (response.cart ?? OrdersV1.Cart()).serializedBytes()
                    if response.cart == nil { widgets[index].reason = "no current cart" }
                }
                widgets[index].elapsedMs = PanelComposer.milliseconds(since: started)
            }
        } catch {
            for index in widgets.indices { widgets[index] = widgets[index].failed(error, since: started) }
        }
        return widgets
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
