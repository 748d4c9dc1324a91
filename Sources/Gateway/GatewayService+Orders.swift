import ChatPanelProto
import ChatPanelRPC
import Logging

extension GatewayService {
    /// The merge step after the tasks' (CLIENT-9): the merged client's product list and cart
    /// move to the survivor. The orders service answers a repeat with the move's totals, so a
    /// resumed workflow repeats it safely.
    static func moveProductListsAndCarts(orders: Upstream) -> MergeStep {
        MergeStep(name: "move product lists and carts") { context in
            var request = OrdersV1.MoveOwnerRecordsRequest()
            var from = OrdersV1.Owner()
            from.clientID = context.mergedClientID
            request.from = from
            request.toClientID = context.survivorClientID
            _ = try await orders.call(
                OrdersV1.Orders.moveOwnerRecords, request,
                options: RPCCallOptions(timeout: .seconds(30), caller: context.caller, requestID: context.requestID))
        }
    }

    /// The upstream that answers an action.
    func upstream(of entry: ActionCatalog.Entry) throws(RPCError) -> Upstream {
        switch entry.owner {
        case .clients: return clients
        case .tasks: return tasks
        case .orders:
            guard let orders else { throw RPCError.failedPrecondition("the orders service is not configured in this deployment") }
            return orders
        }
    }

    /// After a dialog was saved as or linked to a client, moves the dialog's product list to
    /// that client (the orders service's move is idempotent). A failure is logged, not
    /// answered: the client is saved, and the panel reads the dialog's list until a repeat.
    func moveDialogProductList(savedBy method: String, response: [UInt8], context: RPCCallContext) async {
        guard let orders, let card = try? ClientsV1.ClientCard(serializedBytes: response), let client = card.client,
            let dialog = card.dialog, !dialog.dialogID.isEmpty
        else { return }
        var request = OrdersV1.MoveOwnerRecordsRequest()
        var from = OrdersV1.Owner()
        from.dialogID = dialog.dialogID
        request.from = from
        request.toClientID = client.clientID
        do {
            _ = try await orders.call(
                OrdersV1.Orders.moveOwnerRecords, request,
                options: RPCCallOptions(
                    timeout: context.timeRemaining, caller: context.caller,
                    requestID: context.requestID.isEmpty ? "" : "\(context.requestID):move-products"))
        } catch {
            context.logger.warning(
                "the dialog's product list was not moved to its client",
                metadata: [
                    "chatpanel.gateway.dialog_id": "\(dialog.dialogID)", "chatpanel.gateway.client_id": "\(client.clientID)",
                    "chatpanel.gateway.error": "\(error)",
                ])
        }
    }
}
