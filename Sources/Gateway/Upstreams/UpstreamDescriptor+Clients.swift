import ChatPanelProto
import ChatPanelRPC

extension UpstreamDescriptor {
    /// The clients service: clients, dialogs, tags, custom fields, duplicates. It answers the
    /// base client block of every panel and the Tags widget (both the client card), and merges
    /// the client records first in a merge.
    public static let clients = UpstreamDescriptor(
        name: "clients", environmentKey: "CHATPANEL_CLIENTS_SOCKET",
        actions: clientsActions,
        widgets: WidgetSource(
            widgets: [WidgetSource.Widget(kind: .tags, dataType: "chatpanel.clients.v1.ClientCard")], callsUpstream: false,
            start: { _, request, widgets in
                .filled(
                    widgets.map { widget in
                        var widget = widget
                        widget.data = request.cardBytes
                        return widget
                    })
            }),
        mergeStep: MergeStepDescriptor(name: "merge clients") { clients, context in
            var request = ClientsV1.MergeClientsRequest()
            request.survivorClientID = context.survivorClientID
            request.mergedClientID = context.mergedClientID
            do {
                _ = try await clients.call(
                    ClientsV1.Clients.mergeClients, request,
                    options: RPCCallOptions(timeout: .seconds(10), caller: context.caller, requestID: context.requestID))
            } catch let error as RPCError {
                // Done by an earlier attempt whose answer was lost and whose record was pruned:
                // the refusal's typed details say the merged client is already in the survivor.
                guard error.code == .failedPrecondition, let refusal = error.decodedDetails(as: ClientsV1.MergeRefusal.self),
                    refusal.reason == .alreadyMerged, refusal.mergedIntoClientID == context.survivorClientID
                else { throw error }
            }
        })

    private static var clientsActions: [GatewayAction] {
        let card: [GatewayV1.WidgetKind] = [.client, .tags]
        typealias Clients = ClientsV1.Clients
        return [
            GatewayAction(
                Clients.saveClientFromDialog, right: .editClients, refresh: card,
                bind: [.dialog(\.dialogID, field: "dialog_id", fillWhenEmpty: true)]),
            // CLIENT-3: the dialog is linked to another client, so only the dialog is bound.
            GatewayAction(
                Clients.linkDialog, right: .editClients, refresh: card, bind: [.dialog(\.dialogID, field: "dialog_id", fillWhenEmpty: true)]
            ),
            GatewayAction(
                Clients.updateClient, right: .editClients, refresh: card,
                bind: [.client(\.clientID, field: "client_id"), .dialog(\.dialogID, field: "dialog_id", fillWhenEmpty: false)]),
            GatewayAction(Clients.attachTag, right: .editClients, refresh: card, bind: [.client(\.clientID, field: "client_id")]),
            GatewayAction(Clients.detachTag, right: .editClients, refresh: card, bind: [.client(\.clientID, field: "client_id")]),
            GatewayAction(Clients.pinTag, right: .editClients, refresh: card, bind: [.client(\.clientID, field: "client_id")]),
            GatewayAction(Clients.setFieldValue, right: .editClients, refresh: card, bind: [.client(\.clientID, field: "client_id")]),
            // A fragment may be a product query, which needs no right; the service decides.
            GatewayAction(
                Clients.applyFragment, right: nil, refresh: card,
                bind: [.client(\.clientID, field: "client_id"), .dialog(\.dialogID, field: "dialog_id", fillWhenEmpty: false)]),
            GatewayAction(Clients.createTag, right: .createTags),
            GatewayAction(Clients.previewTagJob, right: .adminTags),
            GatewayAction(Clients.startTagJob, right: .adminTags),
            GatewayAction(Clients.reorderFields, right: nil, refresh: [.client]),
            GatewayAction(Clients.pinField, right: nil, refresh: [.client]),
            // Reads: other clients' cards and lists are shown on purpose (duplicates, CLIENT-3).
            GatewayAction(Clients.getClientCard, right: nil),
            GatewayAction(Clients.autocompleteTags, right: nil),
            GatewayAction(Clients.getTag, right: nil),
            GatewayAction(Clients.getTagJob, right: nil),
            GatewayAction(Clients.listDuplicates, right: nil),
            GatewayAction(Clients.listMerges, right: nil),
            GatewayAction(Clients.listClients, right: nil),
            GatewayAction(Clients.listDialogs, right: nil),
            GatewayAction(Clients.searchFields, right: nil),
            GatewayAction(Clients.getFieldLayout, right: nil),
        ]
    }
}
