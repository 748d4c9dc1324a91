import ChatPanelProto
import ChatPanelRPC
import Logging

extension GatewayService {
    /// Actions that link a dialog to a client (CLIENT-1, CLIENT-3): the dialog's product list
    /// moves to that client after them.
    static let linksDialogToClient: Set<String> = [
        ClientsV1.Clients.saveClientFromDialog.path, ClientsV1.Clients.linkDialog.path,
    ]

    /// Moves the product list kept on `card`'s dialog to its client (the orders service's move
    /// is idempotent, and afterwards writes for the dialog reach the client). A failure is
    /// logged, not answered: the client is saved, and the next save or link repeats the move.
    func moveDialogRecords(of card: ClientsV1.ClientCard, context: RPCCallContext) async {
        guard let orders = upstreams.configured(.orders), let client = card.client, let dialog = card.dialog, !dialog.dialogID.isEmpty
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
                    requestID: context.requestID.isEmpty ? "" : "\(context.requestID):move-dialog-records"))
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
