import ChatPanelProto
import ChatPanelRPC

extension GatewayService {
    /// The widgets of `kinds` after an action, in that order; never throws: a widget that cannot
    /// be refreshed comes back with its own state and reason (the action itself is done).
    ///
    /// The client card is read again when the action may have changed it (the client and tags
    /// widgets, a client saved on the way) or was not read before; otherwise the card read for
    /// the action's checks serves.
    func refreshed(
        _ kinds: [GatewayV1.WidgetKind], dialogID: String, known: DialogBlock?, completedTasksSinceMs: Int64?, context: RPCCallContext
    ) async -> [GatewayV1.Widget] {
        let started = ContinuousClock.now
        let deadline = min(context.deadline, started + panelTimeout)
        let placeholders = kinds.map { kind in
            var widget = GatewayV1.Widget()
            widget.kind = kind
            return widget
        }
        let base: GatewayV1.Widget
        let card: ClientsV1.ClientCardKeys
        let settings: GatewayV1.Settings
        do {
            if let known, !known.isStale, known.keys.client != nil, !kinds.contains(.client), !kinds.contains(.tags) {
                (base, card) = (known.base, known.keys)
            } else {
                (base, card) = try await composer.clientBlock(dialogID: dialogID, caller: context.caller, deadline: deadline)
            }
            settings = try await store.settings()
        } catch {
            return placeholders.map { $0.failed(error, since: started) }
        }
        let others = await composer.widgets(
            kinds.filter { $0 != .client }, card: card, cardBytes: base.data, settings: settings, caller: context.caller,
            deadline: deadline, completedTasksSinceMs: completedTasksSinceMs)
        var next = others.makeIterator()
        return kinds.map { kind in kind == .client ? base : next.next() ?? GatewayV1.Widget() }
    }
}
