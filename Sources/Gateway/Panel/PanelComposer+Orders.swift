import ChatPanelProto
import ChatPanelRPC

extension PanelComposer {
    /// The orders service's answer for the Products and Cart widgets, and when the call started.
    typealias OrdersData = (result: Result<OrdersV1.GetPanelDataResponse, any Error>, started: ContinuousClock.Instant)

    /// One GetPanelData call of the orders service: the client's product list (the dialog's
    /// before the contact is saved) and current cart (the site visitor's, for a site dialog
    /// whose client has none).
    func fetchFromOrdersService(card: ClientsV1.ClientCard, caller: RPCV1.Caller, deadline: ContinuousClock.Instant) async -> OrdersData {
        let started = ContinuousClock.now
        guard let orders else { return (.failure(RPCError.unavailable("not configured")), started) }
        var request = OrdersV1.GetPanelDataRequest()
        request.clientID = card.client?.clientID ?? 0
        request.dialogID = card.dialog?.dialogID ?? ""
        if let dialog = card.dialog, dialog.channel == "site" { request.visitorID = dialog.externalLogin }
        do {
            let response = try await orders.call(
                OrdersV1.Orders.getPanelData, request, options: RPCCallOptions(timeout: Self.remaining(until: deadline), caller: caller))
            return (.success(response), started)
        } catch {
            return (.failure(error), started)
        }
    }

    /// Fills the Products and Cart widgets at `indices` from `data`.
    func fillFromOrdersService(_ widgets: inout [GatewayV1.Widget], at indices: [Int], _ data: OrdersData) {
        for index in indices {
            switch data.result {
            case .success(let response):
                do {
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
                    widgets[index].elapsedMs = Self.milliseconds(since: data.started)
                } catch {
                    widgets[index] = Self.failed(widgets[index], error, since: data.started)
                }
            case .failure(let error):
                widgets[index] = Self.failed(widgets[index], error, since: data.started)
            }
        }
    }
}
