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
        await linkDialogInsights(of: card, context: context)
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

    /// Links `card`'s dialog to its client in the insights service, so the dialog's messages and
    /// summary follow the client (and move with it in a merge). Logged on failure, like the move.
    private func linkDialogInsights(of card: ClientsV1.ClientCard, context: RPCCallContext) async {
        guard let insights = upstreams.configured(.insights), let client = card.client, let dialog = card.dialog,
            !dialog.dialogID.isEmpty
        else { return }
        var request = InsightsV1.LinkDialogRequest()
        request.dialogID = dialog.dialogID
        request.clientID = client.clientID
        do {
            _ = try await insights.call(
                InsightsV1.Insights.linkDialog, request,
                options: RPCCallOptions(
                    timeout: context.timeRemaining, caller: context.caller,
                    requestID: context.requestID.isEmpty ? "" : "\(context.requestID):link-dialog-insights"))
        } catch {
            context.logger.warning(
                "the dialog was not linked to its client in the insights service",
                metadata: [
                    "chatpanel.gateway.dialog_id": "\(dialog.dialogID)", "chatpanel.gateway.client_id": "\(client.clientID)",
                    "chatpanel.gateway.error": "\(error)",
                ])
        }
    }
}
